import { PRIORITIES, type Priority, type SupportTicket } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices, useSupportApi } from '../../app/context.js';
import { assignmentsKey, ticketKey, ticketsKey } from '../../chat/desk.js';
import { conversationKey } from '../../chat/messages.js';
import { focusOnMount } from '../../lib/focus.js';
import { useAction } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { useAgents, useTeams } from './queries.js';
import { type SnoozeChoice, SnoozePicker } from './SnoozePicker.js';
import { useShortcut } from './shortcuts.js';

type Panel = 'assign' | 'snooze' | 'labels' | null;

/**
 * What staff do with a support conversation: claim it, hand it on (to an agent, a team, with a
 * note), resolve, reopen, snooze, set its priority and labels. `e` resolves, `a` opens "assign";
 * Esc closes a panel and puts focus back on the button that opened it.
 */
export function TicketActions({
  ticket,
  sideOpen = false,
  onToggleSide,
}: {
  ticket: SupportTicket;
  /** The customer panel, on screens too narrow to show it beside the conversation. */
  sideOpen?: boolean;
  onToggleSide?: () => void;
}) {
  const { t } = useTranslation();
  const { session } = useServices();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const me = useStore(session.store)?.user;
  const [panel, setPanel] = useState<Panel>(null);
  const action = useAction();
  const { busy, error } = action;
  const opener = useRef<HTMLButtonElement | null>(null);
  const id = ticket.conversationId;
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  const mine = ticket.assigneeId === me?.id;

  /** A change of the ticket: the reply is the ticket as it is now; lists and history follow. */
  async function run(change: () => Promise<SupportTicket | undefined>) {
    const ok = await action.run(async () => {
      const updated = await change();
      if (updated) queryClient.setQueryData(ticketKey(id), updated);
      void queryClient.invalidateQueries({ queryKey: ticketsKey });
      void queryClient.invalidateQueries({ queryKey: assignmentsKey(id) });
      void queryClient.invalidateQueries({ queryKey: conversationKey(id) });
    });
    // Done from a panel: it closes and focus goes back to its button; otherwise focus stays.
    if (ok && panel) close();
    return ok;
  }

  function open(next: Panel, button: HTMLButtonElement | null) {
    opener.current = button;
    setPanel((current) => (current === next ? null : next));
  }
  function close() {
    setPanel(null);
    opener.current?.focus();
  }

  /** Reopened, or woken before its time: open again, as the agent saw it (`version`). */
  const reopen = () => void run(() => support.setStatus(id, { status: 'open', version: ticket.version }));
  const resolve = () =>
    !done && !busy && void run(() => support.setStatus(id, { status: 'resolved', version: ticket.version }));
  useShortcut('e', resolve);
  const assignButton = useRef<HTMLButtonElement>(null);
  useShortcut('a', () => !done && open('assign', assignButton.current));

  const snooze = (choice: SnoozeChoice) =>
    void run(() =>
      support.setStatus(id, {
        status: 'snoozed',
        version: ticket.version,
        ...('until' in choice ? { snoozeUntil: choice.until } : {}),
      }),
    );

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Esc anywhere in the bar closes its panel
    <div
      className="ticket-actions"
      data-testid="ticket-actions"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && panel) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <div className="row wrap">
        {!ticket.assigneeId && !done && (
          <button
            type="button"
            className="primary"
            data-testid="ticket-claim"
            disabled={busy}
            onClick={() => void run(() => support.claim(id))}
          >
            {t('console.actions.claim')}
          </button>
        )}
        {!done && (
          <button
            type="button"
            ref={assignButton}
            data-testid="ticket-assign"
            aria-expanded={panel === 'assign'}
            onClick={(e) => open('assign', e.currentTarget)}
          >
            {t('console.actions.assign')}
          </button>
        )}
        {!done ? (
          <button type="button" data-testid="ticket-resolve" disabled={busy} onClick={resolve}>
            {t('console.actions.resolve')}
          </button>
        ) : (
          ticket.status === 'resolved' && (
            <button type="button" data-testid="ticket-reopen" disabled={busy} onClick={reopen}>
              {t('console.actions.reopen')}
            </button>
          )
        )}
        {(ticket.status === 'snoozed' || ticket.status === 'pending') && (
          <button type="button" data-testid="ticket-wake" disabled={busy} onClick={reopen}>
            {t('console.actions.wake')}
          </button>
        )}
        {!done && ticket.status !== 'snoozed' && (
          <button
            type="button"
            data-testid="ticket-snooze"
            aria-expanded={panel === 'snooze'}
            onClick={(e) => open('snooze', e.currentTarget)}
          >
            {t('console.actions.snooze')}
          </button>
        )}
        {mine && !done && (
          <button
            type="button"
            data-testid="ticket-unassign"
            disabled={busy}
            onClick={() => void run(() => support.assign(id, null))}
          >
            {t('console.actions.unassign')}
          </button>
        )}
        <label className="inline">
          <span className="visually-hidden">{t('console.actions.priority')}</span>
          <select
            data-testid="ticket-priority"
            aria-label={t('console.actions.priority')}
            value={ticket.priority}
            disabled={busy || ticket.status === 'closed'}
            onChange={(e) => void run(() => support.setPriority(id, e.target.value as Priority))}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`console.priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {onToggleSide && (
          <button
            type="button"
            className="side-toggle"
            data-testid="side-toggle"
            aria-expanded={sideOpen}
            onClick={onToggleSide}
          >
            {t('console.side.customer')}
          </button>
        )}
        <button
          type="button"
          data-testid="ticket-labels"
          aria-expanded={panel === 'labels'}
          onClick={(e) => open('labels', e.currentTarget)}
        >
          {t('console.actions.labels')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="ticket-error">
          {error}
        </p>
      )}
      {panel === 'assign' && (
        <Popover label={t('console.actions.assign')}>
          <AssignForm
            ticket={ticket}
            busy={busy}
            onCancel={close}
            onSubmit={(choice) =>
              run(() =>
                choice.teamId || choice.note || me?.role === 'agent'
                  ? support.transfer(id, choice)
                  : support.assign(id, choice.agentId ?? null),
              )
            }
          />
        </Popover>
      )}
      {panel === 'snooze' && (
        <Popover label={t('console.actions.snooze')}>
          <SnoozePicker onPick={snooze} onCancel={close} />
        </Popover>
      )}
      {panel === 'labels' && (
        <Popover label={t('console.actions.labels')}>
          <LabelsForm
            labels={ticket.labels}
            busy={busy}
            onCancel={close}
            onSubmit={(labels) => run(() => support.setLabels(id, labels))}
          />
        </Popover>
      )}
    </div>
  );
}

function Popover({ label, children }: { label: string; children: ReactNode }) {
  return (
    <section className="popover" aria-label={label} data-testid="ticket-popover">
      {children}
    </section>
  );
}

interface AssignChoice {
  agentId?: string;
  teamId?: string;
  note?: string;
}

/** To an agent (online ones first, with their load), to a team's queue, or both; with a note. */
function AssignForm({
  ticket,
  busy,
  onSubmit,
  onCancel,
}: {
  ticket: SupportTicket;
  busy: boolean;
  onSubmit: (choice: AssignChoice) => Promise<boolean>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const agents = useAgents({ fresh: true });
  const teams = useTeams();
  const [agentId, setAgentId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [note, setNote] = useState('');
  const rank = { online: 0, busy: 1, away: 2, offline: 3 } as const;
  const choices = [...(agents.data?.items ?? [])]
    .filter((a) => a.id !== ticket.assigneeId)
    .sort(
      (a, b) => rank[a.availability] - rank[b.availability] || (a.name ?? '').localeCompare(b.name ?? ''),
    );
  const empty = !agentId && !teamId;
  return (
    <form
      className="stack"
      data-testid="assign-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (empty) return;
        void onSubmit({
          ...(agentId ? { agentId } : {}),
          ...(teamId ? { teamId } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        });
      }}
    >
      <label>
        {t('console.assign.agent')}
        <select
          data-testid="assign-agent"
          value={agentId}
          // The panel opens for this choice.
          ref={focusOnMount}
          onChange={(e) => setAgentId(e.target.value)}
        >
          <option value="">{t('console.assign.noAgent')}</option>
          {choices.map((a) => (
            <option key={a.id} value={a.id}>
              {t('console.assign.agentOption', {
                name: a.name ?? t('names.unnamed'),
                availability: t(`console.availability.${a.availability}`),
                load: a.load,
                max: a.maxConversations,
              })}
            </option>
          ))}
        </select>
      </label>
      {(teams.data?.items.length ?? 0) > 0 && (
        <label>
          {t('console.assign.team')}
          <select data-testid="assign-team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('console.assign.sameTeam')}</option>
            {teams.data?.items.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('console.assign.note')}
        <textarea
          dir="auto"
          rows={2}
          maxLength={2000}
          data-testid="assign-note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      {empty && <p className="muted small">{t('console.assign.pick')}</p>}
      <div className="row">
        <button type="submit" className="primary" data-testid="assign-submit" disabled={busy || empty}>
          {note.trim() || teamId ? t('console.assign.transfer') : t('console.assign.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Labels as words separated by Enter or commas; at most 20, each up to 40 characters. */
function LabelsForm({
  labels,
  busy,
  onSubmit,
  onCancel,
}: {
  labels: string[];
  busy: boolean;
  onSubmit: (labels: string[]) => Promise<boolean>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [items, setItems] = useState(labels);
  const [draft, setDraft] = useState('');
  const tooLong = [...draft.trim()].length > 40;
  const add = () => {
    const label = draft.trim().normalize('NFC');
    if (!label || tooLong || items.includes(label) || items.length >= 20) return;
    setItems([...items, label]);
    setDraft('');
  };
  return (
    <form
      className="stack"
      data-testid="labels-form"
      onSubmit={(e) => {
        e.preventDefault();
        // The label still being typed counts, by the same rules as adding it with Enter.
        const pending = draft.trim().normalize('NFC');
        const withPending =
          pending && !tooLong && !items.includes(pending) && items.length < 20 ? [...items, pending] : items;
        void onSubmit(withPending);
      }}
    >
      <ul className="chips">
        {items.map((label) => (
          <li key={label} className="chip">
            <bdi>{label}</bdi>
            <button
              type="button"
              className="icon-button small"
              aria-label={t('console.labels.remove', { label })}
              onClick={() => setItems(items.filter((l) => l !== label))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <input
        dir="auto"
        data-testid="labels-input"
        aria-label={t('console.labels.add')}
        placeholder={t('console.labels.add')}
        aria-invalid={tooLong}
        value={draft}
        // The panel opens for this input.
        ref={focusOnMount}
        onChange={(e) => setDraft(e.target.value.replace(/,/g, ''))}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && draft.trim()) {
            e.preventDefault();
            add();
          }
        }}
      />
      {tooLong && <p className="error small">{t('console.labels.tooLong')}</p>}
      <div className="row">
        <button type="submit" className="primary" data-testid="labels-save" disabled={busy || tooLong}>
          {t('common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
