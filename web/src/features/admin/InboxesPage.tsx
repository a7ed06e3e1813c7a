import {
  type Calendar,
  type Inbox,
  NameSchema,
  QUEUE_ORDERS,
  ROUTING_POLICIES,
  type RoutingPolicy,
  type Team,
} from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InboxChanges } from '../../api/support.js';
import { useSupportApi } from '../../app/context.js';
import type { Lang } from '../../i18n/index.js';
import { formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { EditButton, ItemForm, ItemList, ListPage, useOpenForm } from './ListPage.js';
import { useCalendars } from './queries.js';
import {
  CheckList,
  FieldError,
  focusFirstInvalid,
  inboxesKey,
  NameInput,
  NumberInput,
  numberText,
  parseNumber,
  sameIds,
  useInboxes,
  useMe,
  useTeams,
} from './shared.js';

type QueueOrder = (typeof QUEUE_ORDERS)[number];

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
/** The limits of UpdateInboxSchema (protocol/src/support.ts). */
const MAX_REOPEN_SECONDS = 90 * DAY;
const MAX_REASSIGN_SECONDS = DAY;
const MAX_AUTO_REASSIGNS = 20;

/** A duration for reading: in days, hours, minutes or seconds, whichever is whole. */
export function formatDuration(seconds: number, t: TFunction, lang: Lang): string {
  const unit =
    seconds === 0
      ? ('minutes' as const)
      : seconds % DAY === 0
        ? ('days' as const)
        : seconds % HOUR === 0
          ? ('hours' as const)
          : seconds % MINUTE === 0
            ? ('minutes' as const)
            : ('seconds' as const);
  const size = { days: DAY, hours: HOUR, minutes: MINUTE, seconds: 1 }[unit];
  const count = seconds / size;
  return t(`admin.duration.${unit}`, { count, n: formatNumber(count, lang) });
}

/** Inboxes with their routing, queue order, teams and timers; admins change them and add widget ones. */
export function InboxesPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const inboxes = useInboxes();
  const teams = useTeams();
  const calendars = useCalendars();
  const { form, toggle, close } = useOpenForm();
  const teamList = teams.data?.items ?? [];
  const calendarList = calendars.data?.items ?? [];
  const calendarName = (id: string | null) =>
    id === null
      ? t('hours.inbox.none')
      : (calendarList.find((c) => c.id === id)?.name ??
        (calendars.isPending ? '' : t('hours.inbox.unknown')));
  const teamNames = (ids: string[]) =>
    ids.length === 0
      ? t('admin.inboxes.allAgents')
      : ids
          .map((id) => teamList.find((team) => team.id === id)?.name ?? t('admin.inboxes.unknownTeam'))
          .join(t('admin.listSeparator'));

  return (
    <ListPage
      id="admin-inboxes-title"
      title={t('admin.inboxes.title')}
      readOnly={!isAdmin}
      add={{
        label: t('admin.inboxes.new'),
        testId: 'inbox-new',
        open: form === 'new',
        onToggle: () => toggle('new'),
      }}
    >
      {isAdmin && form === 'new' && <NewInboxForm teams={teamList} onDone={close} />}
      <ItemList query={inboxes} empty={t('admin.inboxes.empty')} rowTestId="inbox-row">
        {(inbox) => (
          <>
            <div className="admin-row">
              <div className="admin-row-main">
                <strong dir="auto">{inbox.name}</strong>
                <span className="admin-tag">{t(`admin.inboxes.kind.${inbox.kind}`)}</span>
              </div>
              <dl className="admin-facts small">
                <div>
                  <dt>{t('admin.inboxes.routing')}</dt>
                  <dd data-testid="inbox-routing-label">{t(`admin.inboxes.routings.${inbox.routing}`)}</dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.queueOrder')}</dt>
                  <dd>{t(`admin.inboxes.queueOrders.${inbox.queueOrder}`)}</dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.teams')}</dt>
                  <dd dir="auto" data-testid="inbox-teams">
                    {teamNames(inbox.teamIds)}
                  </dd>
                </div>
                <div>
                  <dt>{t('hours.inbox.label')}</dt>
                  <dd dir="auto" data-testid="inbox-calendar-label">
                    {calendarName(inbox.calendarId)}
                  </dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.reopenWindow')}</dt>
                  <dd data-testid="inbox-reopen-label">
                    {formatDuration(inbox.reopenWindowSeconds, t, lang)}
                  </dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.reassignOffline')}</dt>
                  <dd>{formatDuration(inbox.reassignOfflineAfterSeconds, t, lang)}</dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.reassignNoReply')}</dt>
                  <dd>{formatDuration(inbox.reassignNoReplyAfterSeconds, t, lang)}</dd>
                </div>
                <div>
                  <dt>{t('admin.inboxes.maxAutoReassigns')}</dt>
                  <dd>{formatNumber(inbox.maxAutoReassigns, lang)}</dd>
                </div>
              </dl>
              {isAdmin && (
                <EditButton
                  testId="inbox-edit"
                  name={inbox.name}
                  open={form === inbox.id}
                  onClick={() => toggle(inbox.id)}
                />
              )}
            </div>
            {isAdmin && form === inbox.id && (
              <InboxForm inbox={inbox} teams={teamList} calendars={calendarList} onDone={close} />
            )}
          </>
        )}
      </ItemList>
    </ListPage>
  );
}

type TimerField = 'reopen' | 'offline' | 'noReply' | 'maxReassigns';
type ReopenUnit = 'hours' | 'days';

/** The reopen window as typed: whole days when it is, else hours. */
function reopenText(seconds: number, lang: Lang): { text: string; unit: ReopenUnit } {
  return seconds > 0 && seconds % DAY === 0
    ? { text: numberText(seconds / DAY, lang), unit: 'days' }
    : { text: numberText(seconds / HOUR, lang), unit: 'hours' };
}

/**
 * An inbox's settings. The timers come as in effect (the inbox's own or the configured default), so
 * only fields the admin changed are sent; an emptied timer is sent as null, "the default again".
 */
function InboxForm({
  inbox,
  teams,
  calendars,
  onDone,
}: {
  inbox: Inbox;
  teams: Team[];
  calendars: Calendar[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [initial] = useState(() => ({
    reopen: reopenText(inbox.reopenWindowSeconds, lang),
    offline: numberText(inbox.reassignOfflineAfterSeconds / MINUTE, lang),
    noReply: numberText(inbox.reassignNoReplyAfterSeconds / MINUTE, lang),
    maxReassigns: numberText(inbox.maxAutoReassigns, lang),
  }));
  const [name, setName] = useState(inbox.name);
  const [routing, setRouting] = useState<RoutingPolicy>(inbox.routing);
  const [queueOrder, setQueueOrder] = useState<QueueOrder>(inbox.queueOrder);
  const [teamIds, setTeamIds] = useState<string[]>(inbox.teamIds);
  const [calendarId, setCalendarId] = useState<string | null>(inbox.calendarId);
  const [reopen, setReopen] = useState(initial.reopen.text);
  const [reopenUnit, setReopenUnit] = useState<ReopenUnit>(initial.reopen.unit);
  const [offline, setOffline] = useState(initial.offline);
  const [noReply, setNoReply] = useState(initial.noReply);
  const [maxReassigns, setMaxReassigns] = useState(initial.maxReassigns);
  const [errors, setErrors] = useState<Partial<Record<TimerField | 'name', string>>>({});
  const { busy, error, setError, run } = useAction();

  /** Seconds from a typed amount of `unit`s; null when empty; undefined when out of 0..max. */
  function seconds(text: string, unit: number, max: number): number | null | undefined {
    const value = parseNumber(text);
    if (value === null) return null;
    const result = Math.round(value * unit);
    return Number.isFinite(result) && result >= 0 && result <= max ? result : undefined;
  }

  /** A whole number of times; null when empty; undefined when not a whole number in 0..max. */
  function count(text: string, max: number): number | null | undefined {
    const value = parseNumber(text);
    if (value === null) return null;
    return Number.isInteger(value) && value <= max ? value : undefined;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found: Partial<Record<TimerField | 'name', string>> = {};
    const changes: InboxChanges = {};

    const parsedName = NameSchema.safeParse(name);
    if (!parsedName.success) found.name = t('admin.nameInvalid');
    else if (parsedName.data !== inbox.name) changes.name = parsedName.data;
    if (routing !== inbox.routing) changes.routing = routing;
    if (queueOrder !== inbox.queueOrder) changes.queueOrder = queueOrder;
    if (!sameIds(teamIds, inbox.teamIds)) changes.teamIds = teamIds;
    if (calendarId !== inbox.calendarId) changes.calendarId = calendarId;

    // Compared with the value the field started with, read the same way: untouched is unchanged.
    const reopenUnitSeconds = (unit: ReopenUnit) => (unit === 'days' ? DAY : HOUR);
    const timers = [
      {
        field: 'reopen',
        key: 'reopenWindowSeconds',
        read: () => seconds(reopen, reopenUnitSeconds(reopenUnit), MAX_REOPEN_SECONDS),
        before: seconds(initial.reopen.text, reopenUnitSeconds(initial.reopen.unit), MAX_REOPEN_SECONDS),
        message: 'admin.inboxes.reopenInvalid',
      },
      {
        field: 'offline',
        key: 'reassignOfflineAfterSeconds',
        read: () => seconds(offline, MINUTE, MAX_REASSIGN_SECONDS),
        before: seconds(initial.offline, MINUTE, MAX_REASSIGN_SECONDS),
        message: 'admin.inboxes.minutesInvalid',
      },
      {
        field: 'noReply',
        key: 'reassignNoReplyAfterSeconds',
        read: () => seconds(noReply, MINUTE, MAX_REASSIGN_SECONDS),
        before: seconds(initial.noReply, MINUTE, MAX_REASSIGN_SECONDS),
        message: 'admin.inboxes.minutesInvalid',
      },
      {
        field: 'maxReassigns',
        key: 'maxAutoReassigns',
        read: () => count(maxReassigns, MAX_AUTO_REASSIGNS),
        before: count(initial.maxReassigns, MAX_AUTO_REASSIGNS),
        message: 'admin.inboxes.maxAutoReassignsInvalid',
      },
    ] as const;
    for (const timer of timers) {
      const value = timer.read();
      if (value === undefined) found[timer.field] = t(timer.message);
      else if (value !== timer.before) changes[timer.key] = value;
    }

    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    if (Object.keys(changes).length === 0) {
      onDone();
      return;
    }
    await run(async () => {
      await support.updateInbox(inbox.id, changes);
      await queryClient.invalidateQueries({ queryKey: inboxesKey });
      onDone();
    });
  }

  const timer = (
    field: Exclude<TimerField, 'reopen'>,
    label: string,
    value: string,
    onChange: (value: string) => void,
    unit: string | null,
  ) => (
    <div className="admin-field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <div className="row">
        <NumberInput
          id={`${id}-${field}`}
          testId={`inbox-${field}`}
          decimal
          value={value}
          onChange={onChange}
          error={errors[field]}
        />
        {unit && <span className="muted">{unit}</span>}
      </div>
      <FieldError id={`${id}-${field}`} error={errors[field]} />
    </div>
  );

  return (
    <ItemForm
      formRef={formRef}
      testId="inbox-form"
      title={t('admin.editNamed', { name: inbox.name })}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'inbox-save', label: t('common.save') }}
      onCancel={onDone}
    >
      <NameInput
        id={`${id}-name`}
        label={t('admin.inboxes.name')}
        testId="inbox-name"
        value={name}
        onChange={setName}
        error={errors.name}
      />

      <fieldset className="admin-choices">
        <legend>{t('admin.inboxes.routing')}</legend>
        {ROUTING_POLICIES.map((policy) => (
          <label key={policy} className="admin-choice">
            <input
              type="radio"
              name={`${id}-routing`}
              data-testid="inbox-routing"
              value={policy}
              checked={routing === policy}
              onChange={() => setRouting(policy)}
            />
            <span>
              <span className="admin-choice-title">{t(`admin.inboxes.routings.${policy}`)}</span>
              <span className="muted small">{t(`admin.inboxes.routingHelp.${policy}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>

      <label htmlFor={`${id}-order`}>{t('admin.inboxes.queueOrder')}</label>
      <select
        id={`${id}-order`}
        data-testid="inbox-queue-order"
        value={queueOrder}
        onChange={(e) => {
          const next = QUEUE_ORDERS.find((o) => o === e.target.value);
          if (next) setQueueOrder(next);
        }}
      >
        {QUEUE_ORDERS.map((order) => (
          <option key={order} value={order}>
            {t(`admin.inboxes.queueOrders.${order}`)}
          </option>
        ))}
      </select>

      <label htmlFor={`${id}-calendar`}>{t('hours.inbox.label')}</label>
      <select
        id={`${id}-calendar`}
        data-testid="inbox-calendar"
        value={calendarId ?? ''}
        onChange={(e) => setCalendarId(e.target.value === '' ? null : e.target.value)}
      >
        <option value="">{t('hours.inbox.none')}</option>
        {calendars.map((calendar) => (
          <option key={calendar.id} value={calendar.id}>
            {calendar.name}
          </option>
        ))}
      </select>

      <CheckList
        legend={t('admin.inboxes.teams')}
        options={teams.map((team) => ({ id: team.id, label: team.name }))}
        selected={teamIds}
        onChange={setTeamIds}
        testId="inbox-team"
        empty={t('admin.teams.empty')}
      />
      <p className="muted small">{t('admin.inboxes.teamsHint')}</p>

      <fieldset className="admin-timers">
        <legend>{t('admin.inboxes.timers')}</legend>
        <p className="muted small">{t('admin.inboxes.timersHint')}</p>
        <div className="admin-field">
          <label htmlFor={`${id}-reopen`}>{t('admin.inboxes.reopenWindow')}</label>
          <div className="row">
            <NumberInput
              id={`${id}-reopen`}
              testId="inbox-reopen"
              decimal
              value={reopen}
              onChange={setReopen}
              error={errors.reopen}
            />
            <select
              data-testid="inbox-reopen-unit"
              aria-label={t('admin.inboxes.unit')}
              value={reopenUnit}
              onChange={(e) => setReopenUnit(e.target.value === 'days' ? 'days' : 'hours')}
            >
              <option value="hours">{t('admin.inboxes.hours')}</option>
              <option value="days">{t('admin.inboxes.days')}</option>
            </select>
          </div>
          <FieldError id={`${id}-reopen`} error={errors.reopen} />
        </div>
        {timer(
          'offline',
          t('admin.inboxes.reassignOffline'),
          offline,
          setOffline,
          t('admin.inboxes.minutes'),
        )}
        {timer(
          'noReply',
          t('admin.inboxes.reassignNoReply'),
          noReply,
          setNoReply,
          t('admin.inboxes.minutes'),
        )}
        {timer('maxReassigns', t('admin.inboxes.maxAutoReassigns'), maxReassigns, setMaxReassigns, null)}
      </fieldset>
    </ItemForm>
  );
}

/** A new widget inbox (the app inbox exists already; the server refuses a second). */
function NewInboxForm({ teams, onDone }: { teams: Team[]; onDone: () => void }) {
  const { t } = useTranslation();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [nameError, setNameError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const parsed = NameSchema.safeParse(name);
    if (!parsed.success) {
      setNameError(t('admin.nameInvalid'));
      focusFirstInvalid(formRef.current);
      return;
    }
    setNameError(null);
    await run(async () => {
      await support.createInbox({ name: parsed.data, kind: 'widget', teamIds });
      await queryClient.invalidateQueries({ queryKey: inboxesKey });
      onDone();
    });
  }

  return (
    <ItemForm
      formRef={formRef}
      testId="inbox-new-form"
      title={t('admin.inboxes.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'inbox-create', label: t('admin.inboxes.create') }}
      onCancel={onDone}
    >
      <p className="muted small">{t('admin.inboxes.newHint')}</p>
      <NameInput
        id={`${id}-name`}
        label={t('admin.inboxes.name')}
        testId="inbox-new-name"
        value={name}
        onChange={setName}
        error={nameError}
      />
      <CheckList
        legend={t('admin.inboxes.teams')}
        options={teams.map((team) => ({ id: team.id, label: team.name }))}
        selected={teamIds}
        onChange={setTeamIds}
        testId="inbox-new-team"
        empty={t('admin.teams.empty')}
      />
      <p className="muted small">{t('admin.inboxes.teamsHint')}</p>
    </ItemForm>
  );
}
