import type { CannedReply, Team } from '@abrik/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSupportApi } from '../../app/context.js';
import { FormError } from '../../components/FormError.js';
import { focusOnMount } from '../../lib/focus.js';
import { useAction } from '../../lib/hooks.js';
import { EditButton, ItemForm, ItemList, ListPage, useOpenForm } from './ListPage.js';
import {
  cannedKey,
  FieldError,
  focusFirstInvalid,
  invalidProps,
  mayReadSettings,
  useMe,
  useTeams,
} from './shared.js';

type Scope = CannedReply['scope'];
type Me = { id: string; role: string };

const MAX_SHORTCUT = 32;
const MAX_TITLE = 100;
const MAX_BODY = 4000;
const PREVIEW_LENGTH = 120;
/** The variables the server fills in (protocol: POST /canned-replies/:id/render). */
const VARIABLES = [
  ['customer.name', 'customerName'],
  ['agent.name', 'agentName'],
  ['conversation.id', 'conversationId'],
  ['conversation.subject', 'conversationSubject'],
] as const;
const SEARCH_DELAY_MS = 250;

/** A shortcut as the server keeps it: trimmed, without a leading slash. */
function cleanShortcut(text: string): string {
  return text.normalize('NFC').trim().replace(/^\//, '');
}

/** Who may change a reply (server: mayManageCanned): the owner of a personal one; a team's
 * supervisors a team one; admins team and shared ones. */
function mayManage(reply: CannedReply, me: Me, teams: Team[]): boolean {
  if (reply.scope === 'personal') return reply.ownerId === me.id;
  if (me.role === 'admin') return true;
  return (
    reply.scope === 'team' &&
    me.role === 'supervisor' &&
    teams.some((team) => team.id === reply.teamId && team.supervisorIds.includes(me.id))
  );
}

/** The teams whose replies this person may write: all for admins, the ones they supervise for supervisors. */
function writableTeams(me: Me, teams: Team[]): Team[] {
  if (me.role === 'admin') return teams;
  if (me.role === 'supervisor') return teams.filter((team) => team.supervisorIds.includes(me.id));
  return [];
}

/** Every staff member's canned replies: their own, their teams', the shared ones. */
export function CannedRepliesPage() {
  const { t } = useTranslation();
  const support = useSupportApi();
  const me = useMe();
  // Agents may not read the teams; they need them for nothing here.
  const teams = useTeams({ enabled: mayReadSettings(me?.role) });
  const teamList = teams.data?.items ?? [];
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const { form, toggle, close } = useOpenForm();
  const [confirming, setConfirming] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const replies = useQuery({
    queryKey: [...cannedKey, q],
    queryFn: () => support.cannedReplies(q ? { q } : {}),
    placeholderData: (previous) => previous,
  });

  if (!me) return null;
  const teamName = (teamId: string | null) =>
    teamList.find((team) => team.id === teamId)?.name ?? t('admin.canned.scopes.team');
  const scopeLabel = (reply: CannedReply) =>
    reply.scope === 'team'
      ? t('admin.canned.teamScope', { team: teamName(reply.teamId) })
      : t(`admin.canned.scopes.${reply.scope}`);

  return (
    <ListPage
      id="admin-canned-title"
      title={t('admin.canned.title')}
      intro={t('admin.canned.intro')}
      // Everyone keeps their own replies.
      readOnly={false}
      add={{
        label: t('admin.canned.new'),
        testId: 'canned-new',
        open: form === 'new',
        onToggle: () => toggle('new'),
      }}
    >
      {form === 'new' && (
        <CannedForm reply={null} me={me} teams={writableTeams(me, teamList)} onDone={close} />
      )}
      <input
        type="search"
        data-testid="canned-search"
        dir="auto"
        aria-label={t('admin.canned.search')}
        placeholder={t('admin.canned.search')}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ItemList
        query={replies}
        empty={q ? t('admin.canned.noResults') : t('admin.canned.empty')}
        emptyTestId="canned-empty"
        rowTestId="canned-row"
      >
        {(reply) => {
          const manageable = mayManage(reply, me, teamList);
          return (
            <>
              <div className="admin-row">
                <div className="admin-row-main">
                  <bdi className="admin-shortcut" data-testid="canned-shortcut">
                    /{reply.shortcut}
                  </bdi>
                  {reply.title && (
                    <strong dir="auto" data-testid="canned-title-label">
                      {reply.title}
                    </strong>
                  )}
                  <span className="admin-tag" data-testid="canned-scope-label">
                    {scopeLabel(reply)}
                  </span>
                </div>
                <p className="admin-preview muted small" dir="auto" data-testid="canned-preview">
                  {reply.body.length > PREVIEW_LENGTH
                    ? `${reply.body.slice(0, PREVIEW_LENGTH)}…`
                    : reply.body}
                </p>
                {manageable && confirming !== reply.id && (
                  <div className="row">
                    <EditButton
                      testId="canned-edit"
                      name={`/${reply.shortcut}`}
                      open={form === reply.id}
                      onClick={() => toggle(reply.id)}
                    />
                    <button
                      type="button"
                      className="link-button danger"
                      data-testid="canned-delete"
                      aria-label={t('admin.canned.deleteNamed', { shortcut: `/${reply.shortcut}` })}
                      onClick={() => {
                        close();
                        setConfirming(reply.id);
                      }}
                    >
                      {t('admin.canned.delete')}
                    </button>
                  </div>
                )}
              </div>
              {confirming === reply.id && <DeleteConfirm reply={reply} onDone={() => setConfirming(null)} />}
              {form === reply.id && <CannedForm reply={reply} me={me} teams={[]} onDone={close} />}
            </>
          );
        }}
      </ItemList>
    </ListPage>
  );
}

/** Asks before deleting, in the row itself. */
function DeleteConfirm({ reply, onDone }: { reply: CannedReply; onDone: () => void }) {
  const { t } = useTranslation();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const { busy, error, run } = useAction();

  async function remove() {
    await run(async () => {
      await support.deleteCannedReply(reply.id);
      await queryClient.invalidateQueries({ queryKey: cannedKey });
      onDone();
    });
  }

  return (
    <fieldset className="admin-confirm">
      <legend>
        {t('admin.canned.deleteQuestion')} <bdi>/{reply.shortcut}</bdi>
      </legend>
      <FormError error={error} />
      <div className="row">
        <button
          type="button"
          className="primary admin-danger"
          data-testid="canned-delete-confirm"
          disabled={busy}
          // The question was just asked; the answer is here.
          ref={focusOnMount}
          onClick={() => void remove()}
        >
          {busy ? t('admin.canned.deleting') : t('admin.canned.deleteYes')}
        </button>
        <button type="button" data-testid="canned-delete-cancel" disabled={busy} onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </fieldset>
  );
}

type Field = 'shortcut' | 'title' | 'body' | 'team';

/** A new reply (`reply` null), or changes to one (its scope stays: the API does not move replies). */
function CannedForm({
  reply,
  me,
  teams,
  onDone,
}: {
  reply: CannedReply | null;
  me: Me;
  /** Teams this person may write replies for. */
  teams: Team[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const scopes: Scope[] = [
    'personal',
    ...(teams.length > 0 ? (['team'] as const) : []),
    ...(me.role === 'admin' ? (['shared'] as const) : []),
  ];
  const [scope, setScope] = useState<Scope>(reply?.scope ?? 'personal');
  const [chosenTeam, setTeamId] = useState('');
  // The first team until one is chosen (the teams may arrive after the form opened).
  const teamId = teams.some((team) => team.id === chosenTeam) ? chosenTeam : (teams[0]?.id ?? '');
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const { busy, error, setError, run } = useAction();
  const bodyRef = useRef<HTMLTextAreaElement>(null);

  function validate(): Partial<Record<Field, string>> {
    const found: Partial<Record<Field, string>> = {};
    const cleaned = cleanShortcut(shortcut);
    if (/[\s\p{Cc}]/u.test(cleaned)) found.shortcut = t('admin.canned.shortcutSpaces');
    else if (cleaned.length === 0 || [...cleaned].length > MAX_SHORTCUT)
      found.shortcut = t('admin.canned.shortcutLength');
    if ([...title.trim()].length > MAX_TITLE) found.title = t('admin.canned.titleLength');
    if (body.trim().length === 0) found.body = t('admin.canned.bodyRequired');
    else if ([...body].length > MAX_BODY) found.body = t('admin.canned.bodyLength');
    if (!reply && scope === 'team' && !teams.some((team) => team.id === teamId))
      found.team = t('admin.canned.teamRequired');
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    const cleaned = cleanShortcut(shortcut);
    const cleanTitle = title.trim();
    await run(async () => {
      if (reply) {
        const changes = {
          ...(cleaned !== reply.shortcut ? { shortcut: cleaned } : {}),
          // An emptied title is cleared (null); an untouched one is not sent.
          ...(cleanTitle !== (reply.title ?? '') ? { title: cleanTitle || null } : {}),
          ...(body !== reply.body ? { body } : {}),
        };
        if (Object.keys(changes).length > 0) await support.updateCannedReply(reply.id, changes);
      } else {
        await support.createCannedReply({
          scope,
          ...(scope === 'team' ? { teamId } : {}),
          shortcut: cleaned,
          ...(cleanTitle ? { title: cleanTitle } : {}),
          body,
        });
      }
      await queryClient.invalidateQueries({ queryKey: cannedKey });
      onDone();
    });
  }

  /** Puts a variable at the cursor in the body. */
  function insert(variable: string) {
    const area = bodyRef.current;
    const token = `{{${variable}}}`;
    const start = area?.selectionStart ?? body.length;
    const end = area?.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  return (
    <ItemForm
      formRef={formRef}
      testId="canned-form"
      title={reply ? t('admin.editNamed', { name: `/${reply.shortcut}` }) : t('admin.canned.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'canned-save', label: reply ? t('common.save') : t('admin.canned.create') }}
      onCancel={onDone}
    >
      {!reply && scopes.length > 1 && (
        <>
          <label htmlFor={`${id}-scope`}>{t('admin.canned.scope')}</label>
          <select
            id={`${id}-scope`}
            data-testid="canned-scope"
            value={scope}
            onChange={(e) => setScope(scopes.find((s) => s === e.target.value) ?? 'personal')}
          >
            {scopes.map((s) => (
              <option key={s} value={s}>
                {t(`admin.canned.scopes.${s}`)}
              </option>
            ))}
          </select>
          <p className="muted small">{t(`admin.canned.scopeHelp.${scope}`)}</p>
        </>
      )}
      {!reply && scope === 'team' && (
        <>
          <label htmlFor={`${id}-team`}>{t('admin.canned.team')}</label>
          <select
            id={`${id}-team`}
            data-testid="canned-team"
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
            {...invalidProps(`${id}-team`, errors.team)}
          >
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-team`} error={errors.team} />
        </>
      )}
      <label htmlFor={`${id}-shortcut`}>{t('admin.canned.shortcut')}</label>
      <div className="admin-shortcut-field" dir="ltr">
        <span aria-hidden="true">/</span>
        <input
          id={`${id}-shortcut`}
          data-testid="canned-shortcut-input"
          dir="auto"
          autoComplete="off"
          spellCheck={false}
          value={shortcut}
          onChange={(e) => setShortcut(e.target.value)}
          {...invalidProps(`${id}-shortcut`, errors.shortcut)}
        />
      </div>
      <p className="muted small">{t('admin.canned.shortcutHint')}</p>
      <FieldError id={`${id}-shortcut`} error={errors.shortcut} />
      <label htmlFor={`${id}-title-input`}>{t('admin.canned.titleField')}</label>
      <input
        id={`${id}-title-input`}
        data-testid="canned-title"
        dir="auto"
        autoComplete="off"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        {...invalidProps(`${id}-title-input`, errors.title)}
      />
      <FieldError id={`${id}-title-input`} error={errors.title} />
      <label htmlFor={`${id}-body`}>{t('admin.canned.body')}</label>
      <textarea
        ref={bodyRef}
        id={`${id}-body`}
        data-testid="canned-body"
        dir="auto"
        rows={5}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        {...invalidProps(`${id}-body`, errors.body)}
      />
      <FieldError id={`${id}-body`} error={errors.body} />
      <details className="admin-help" data-testid="canned-help">
        <summary>{t('admin.canned.variablesTitle')}</summary>
        <p className="small">{t('admin.canned.variablesIntro')}</p>
        <ul className="small">
          {VARIABLES.map(([variable, key]) => (
            <li key={variable}>
              <button
                type="button"
                className="link-button admin-variable"
                data-testid="canned-variable"
                dir="ltr"
                aria-label={t('admin.canned.insert', { what: t(`admin.canned.variables.${key}`) })}
                onClick={() => insert(variable)}
              >
                <code>{`{{${variable}}}`}</code>
              </button>{' '}
              {t(`admin.canned.variables.${key}`)}
            </li>
          ))}
        </ul>
        <p className="small">
          {t('admin.canned.fallbackIntro')}{' '}
          <code dir="ltr">{`{{customer.name | "${t('admin.canned.fallbackExample')}"}}`}</code>
        </p>
      </details>
    </ItemForm>
  );
}
