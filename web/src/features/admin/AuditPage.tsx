import { type AUDIT_EVENT_TYPES, type AuditEntry, toLatinDigits } from '@abrik/protocol';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { isValidJalaaliDate } from 'jalaali-js';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { type AuditFilters, auditEntries } from '../../api/audit.js';
import { useServices } from '../../app/context.js';
import { FormError } from '../../components/FormError.js';
import { useLang } from '../../lib/hooks.js';
import { dateAt } from '../console/jalali.js';
import { QueryState, staffName, useAgents, useInboxes, useTeams } from './shared.js';
import { dateTimeText } from './time.js';
import './settings.css';

type AuditType = (typeof AUDIT_EVENT_TYPES)[number];

/** The types' text keys (i18next reads the dots as nesting). */
const TYPE_KEYS = {
  'user.role_set': 'role_set',
  'support.team_saved': 'team_saved',
  'support.agent_saved': 'agent_saved',
  'support.inbox_saved': 'inbox_saved',
  'support.sla_policy_saved': 'sla_policy_saved',
  'support.calendar_saved': 'calendar_saved',
  'support.calendar_day_set': 'calendar_day_set',
  'support.holidays_imported': 'holidays_imported',
  'support.assigned': 'assigned',
  'support.report_exported': 'report_exported',
  'support.webhook_saved': 'webhook_saved',
  'support.webhook_tested': 'webhook_tested',
  'widget.saved': 'widget_saved',
  'widget.deleted': 'widget_deleted',
  'widget.secret_rotated': 'widget_secret_rotated',
} as const satisfies Record<AuditType, string>;

/** The filter's choices: prefixes of types, a group each (`support.calendar` holds its days too). */
const TYPE_GROUPS = [
  { prefix: 'user.role_set', key: 'roles' },
  { prefix: 'support.team', key: 'teams' },
  { prefix: 'support.agent', key: 'agents' },
  { prefix: 'support.inbox', key: 'inboxes' },
  { prefix: 'support.sla_policy', key: 'sla' },
  { prefix: 'support.calendar', key: 'calendars' },
  { prefix: 'support.holidays', key: 'holidays' },
  { prefix: 'support.assigned', key: 'assignments' },
  { prefix: 'support.report', key: 'reports' },
  { prefix: 'support.webhook', key: 'webhooks' },
  { prefix: 'widget.', key: 'widgets' },
] as const;

/** What a subject's kind (`kind:id`) is, in words. */
const SUBJECT_KEYS = {
  user: 'user',
  'support-team': 'team',
  'support-inbox': 'inbox',
  calendar: 'calendar',
  'sla-policy': 'sla',
  'support-webhook': 'webhook',
  widget: 'widget',
  conversation: 'conversation',
} as const;

export function typeText(type: string, t: TFunction): string {
  const key = TYPE_KEYS[type as AuditType] as (typeof TYPE_KEYS)[AuditType] | undefined;
  return key ? t(`audit.types.${key}`) : type;
}

/**
 * A day typed by a person: `1405/09/14` (Jalali, any year before 1700) or `2026-12-05`
 * (Gregorian), Persian digits too. The local midnight that starts it; null when it is no day.
 */
export function parseDay(text: string): Date | null {
  const match = /^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$/.exec(toLatinDigits(text.trim()));
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1700) {
    return isValidJalaaliDate(y, m, d) ? dateAt({ jy: y, jm: m, jd: d }) : null;
  }
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d ? date : null;
}

/**
 * The audit trail (admins): who did what to which, newest first, with each entry's details on
 * request; filtered by actor, kind of action and days; older entries a page at a time.
 */
export function AuditPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const id = useId();
  const agents = useAgents();
  const teams = useTeams();
  const inboxes = useInboxes();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [actor, setActor] = useState('');
  const [type, setType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  const entries = useInfiniteQuery({
    queryKey: ['support', 'admin', 'audit', filters],
    queryFn: ({ pageParam }) => auditEntries(api, filters, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = entries.data?.pages.flatMap((p) => p.items) ?? [];
  const people = new Map((agents.data?.items ?? []).map((a) => [a.id, a]));

  function apply(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const start = from.trim() ? parseDay(from) : undefined;
    const end = to.trim() ? parseDay(to) : undefined;
    if (start === null || end === null) {
      setFormError(t('audit.filters.dayInvalid'));
      return;
    }
    // The "to" day is included: up to the start of the day after it.
    const until = end ? new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1) : undefined;
    if (start && until && start >= until) {
      setFormError(t('audit.filters.rangeInvalid'));
      return;
    }
    setOpen(null);
    setFilters({
      ...(actor ? { actor } : {}),
      ...(type ? { type } : {}),
      ...(start ? { from: start.toISOString() } : {}),
      ...(until ? { to: until.toISOString() } : {}),
    });
  }

  function clear() {
    setActor('');
    setType('');
    setFrom('');
    setTo('');
    setFormError(null);
    setFilters({});
  }

  const subjectView = (entry: AuditEntry) => {
    const at = entry.subject.indexOf(':');
    const kind = at === -1 ? entry.subject : entry.subject.slice(0, at);
    const subjectId = at === -1 ? '' : entry.subject.slice(at + 1);
    const key = SUBJECT_KEYS[kind as keyof typeof SUBJECT_KEYS] as
      | (typeof SUBJECT_KEYS)[keyof typeof SUBJECT_KEYS]
      | undefined;
    const what = key ? t(`audit.subjects.${key}`) : kind;
    const payloadName = (entry.payload as { name?: unknown } | null)?.name;
    const name =
      kind === 'user'
        ? people.has(subjectId)
          ? staffName(subjectId, people, t, lang)
          : undefined
        : kind === 'support-team'
          ? teams.data?.items.find((x) => x.id === subjectId)?.name
          : kind === 'support-inbox'
            ? inboxes.data?.items.find((x) => x.id === subjectId)?.name
            : typeof payloadName === 'string'
              ? payloadName
              : undefined;
    if (kind === 'conversation' && subjectId) {
      return (
        <Link href={`/support/all/${subjectId}`} data-testid="audit-subject-link">
          {what} <bdi dir="ltr">{subjectId.slice(0, 8)}</bdi>
        </Link>
      );
    }
    return (
      <>
        {what}{' '}
        {name ? (
          <bdi dir="auto">{name}</bdi>
        ) : (
          <bdi dir="ltr" title={subjectId}>
            {subjectId.slice(0, 8)}
          </bdi>
        )}
      </>
    );
  };

  return (
    <section className="admin-section" aria-labelledby="admin-audit-title">
      <h2 id="admin-audit-title">{t('audit.title')}</h2>
      <p className="muted small">{t('audit.intro')}</p>
      <form
        className="panel admin-form audit-filters"
        onSubmit={apply}
        noValidate
        data-testid="audit-filters"
      >
        <div className="audit-filter-grid">
          <div>
            <label htmlFor={`${id}-actor`}>{t('audit.filters.actor')}</label>
            <select
              id={`${id}-actor`}
              data-testid="audit-actor"
              value={actor}
              onChange={(e) => setActor(e.target.value)}
            >
              <option value="">{t('audit.filters.anyone')}</option>
              {(agents.data?.items ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {staffName(a.id, people, t, lang)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-type`}>{t('audit.filters.type')}</label>
            <select
              id={`${id}-type`}
              data-testid="audit-type"
              value={type}
              onChange={(e) => setType(e.target.value)}
            >
              <option value="">{t('audit.filters.anyType')}</option>
              {TYPE_GROUPS.map((g) => (
                <option key={g.prefix} value={g.prefix}>
                  {t(`audit.groups.${g.key}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${id}-from`}>{t('audit.filters.from')}</label>
            <input
              id={`${id}-from`}
              data-testid="audit-from"
              dir="ltr"
              inputMode="numeric"
              autoComplete="off"
              placeholder={t('audit.filters.dayPlaceholder')}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={`${id}-to`}>{t('audit.filters.to')}</label>
            <input
              id={`${id}-to`}
              data-testid="audit-to"
              dir="ltr"
              inputMode="numeric"
              autoComplete="off"
              placeholder={t('audit.filters.dayPlaceholder')}
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
        </div>
        <p className="muted small">{t('audit.filters.dayHint')}</p>
        <FormError error={formError} />
        <div className="row">
          <button type="submit" className="primary" data-testid="audit-apply">
            {t('audit.filters.apply')}
          </button>
          <button type="button" data-testid="audit-clear" onClick={clear}>
            {t('audit.filters.clear')}
          </button>
        </div>
      </form>
      <QueryState isPending={entries.isPending} error={entries.error} />
      {entries.data && items.length === 0 && (
        <p className="muted" data-testid="audit-empty">
          {t('audit.empty')}
        </p>
      )}
      {items.length > 0 && (
        <div className="settings-table-wrap">
          <table
            className="settings-table small"
            aria-labelledby="admin-audit-title"
            data-testid="audit-table"
          >
            <thead>
              <tr>
                <th scope="col">{t('audit.table.time')}</th>
                <th scope="col">{t('audit.table.actor')}</th>
                <th scope="col">{t('audit.table.action')}</th>
                <th scope="col">{t('audit.table.subject')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('audit.table.details')}</span>
                </th>
              </tr>
            </thead>
            {items.map((entry) => {
              const detailsId = `${id}-details-${entry.id}`;
              return (
                <tbody key={entry.id} data-testid="audit-entry" data-type={entry.type}>
                  <tr>
                    <td>{dateTimeText(entry.at, lang)}</td>
                    <td data-testid="audit-actor-name">
                      {entry.actorId === null ? (
                        t('audit.system')
                      ) : (
                        <bdi>{entry.actorName ?? t('names.unnamed')}</bdi>
                      )}
                    </td>
                    <td data-testid="audit-type-text">{typeText(entry.type, t)}</td>
                    <td data-testid="audit-subject">{subjectView(entry)}</td>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        data-testid="audit-details-toggle"
                        aria-expanded={open === entry.id}
                        aria-controls={detailsId}
                        onClick={() => setOpen((o) => (o === entry.id ? null : entry.id))}
                      >
                        {t('audit.table.details')}
                      </button>
                    </td>
                  </tr>
                  {open === entry.id && (
                    <tr id={detailsId}>
                      <td colSpan={5}>
                        <pre className="audit-payload" dir="ltr" data-testid="audit-payload">
                          {JSON.stringify(entry.payload, null, 2)}
                        </pre>
                      </td>
                    </tr>
                  )}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
      {entries.hasNextPage && (
        <button
          type="button"
          data-testid="audit-older"
          disabled={entries.isFetchingNextPage}
          onClick={() => void entries.fetchNextPage()}
        >
          {entries.isFetchingNextPage ? t('common.loading') : t('audit.older')}
        </button>
      )}
    </section>
  );
}
