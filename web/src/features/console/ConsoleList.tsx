import type { SupportTicket } from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useSupportApi } from '../../app/context.js';
import { type TicketList, ticketsKey } from '../../chat/desk.js';
import { formatNumber } from '../../lib/format.js';
import { useLang, useNow } from '../../lib/hooks.js';
import { waitText } from '../support/status.js';
import { FiltersPanel } from './Filters.js';
import {
  activeFilters,
  type Filters,
  NO_FILTERS,
  secondsSince,
  VIEWS,
  type View,
  viewQuery,
} from './filters.js';
import { useAgents, useTeams } from './queries.js';
import { listBadge } from './sla.js';

/** Which count of the server's `counts` a view shows (the done view has none). */
const COUNT_OF: Partial<Record<View, keyof TicketList['counts']>> = {
  mine: 'mine',
  unassigned: 'unassigned',
  teams: 'teams',
  all: 'all',
};

/** The list's tickets, in order, for moving through them with the keyboard. */
export function useConsoleTickets(view: View, filters: Filters) {
  const support = useSupportApi();
  const query = viewQuery(view, filters);
  return useQuery({
    queryKey: [...ticketsKey, query],
    queryFn: () => support.tickets(query),
    placeholderData: (previous) => previous,
  });
}

/**
 * The console's left column: the views with their live counts, filters, and the conversations of
 * the view, most recent activity first, each with how long the customer has waited.
 */
export function ConsoleList({
  view,
  activeId,
  filters,
  onFilters,
}: {
  view: View;
  activeId: string | null;
  filters: Filters;
  onFilters: (filters: Filters) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [showFilters, setShowFilters] = useState(false);
  const list = useConsoleTickets(view, filters);
  const teams = useTeams();
  const agents = useAgents();
  const now = useNow(30_000);
  const counts = list.data?.counts;
  const names = new Map((agents.data?.items ?? []).map((a) => [a.id, a.name]));
  const filterCount = activeFilters(filters);

  return (
    <div className="console-list">
      <nav className="console-views" aria-label={t('console.views.label')}>
        {VIEWS.map((v) => {
          const key = COUNT_OF[v];
          const count = key && counts ? counts[key] : null;
          return (
            <Link
              key={v}
              href={`/support/${v}`}
              className="console-view"
              data-testid="console-view"
              data-view={v}
              aria-current={v === view ? 'page' : undefined}
              onClick={() => onFilters(NO_FILTERS)}
            >
              {t(`console.views.${v}`)}
              {count !== null && (
                <span className="count" data-testid="console-count">
                  {formatNumber(count, lang)}
                </span>
              )}
            </Link>
          );
        })}
      </nav>
      <div className="row console-tools">
        <button
          type="button"
          data-testid="filters-toggle"
          aria-expanded={showFilters}
          onClick={() => setShowFilters((s) => !s)}
        >
          {filterCount > 0
            ? t('console.filters.titleCount', { n: formatNumber(filterCount, lang) })
            : t('console.filters.title')}
        </button>
      </div>
      {showFilters && (
        <FiltersPanel view={view} filters={filters} teams={teams.data?.items ?? []} onChange={onFilters} />
      )}
      {list.error && (
        <p className="error pad" role="alert">
          {errorText(list.error, t)}
        </p>
      )}
      {list.isPending && <p className="muted pad">{t('common.loading')}</p>}
      {list.data && list.data.items.length === 0 && (
        <p className="muted pad" data-testid="console-empty">
          {filterCount > 0 ? t('console.emptyFiltered') : t(`console.empty.${view}`)}
        </p>
      )}
      <ul className="tickets" aria-label={t(`console.views.${view}`)}>
        {(list.data?.items ?? []).map((ticket) => (
          <TicketRow
            key={ticket.conversationId}
            ticket={ticket}
            view={view}
            active={ticket.conversationId === activeId}
            assigneeName={ticket.assigneeId ? (names.get(ticket.assigneeId) ?? null) : null}
            now={now}
          />
        ))}
      </ul>
    </div>
  );
}

function TicketRow({
  ticket,
  view,
  active,
  assigneeName,
  now,
}: {
  ticket: SupportTicket;
  view: View;
  active: boolean;
  assigneeName: string | null;
  now: number;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const waited = secondsSince(ticket.waitingSince, now);
  const badge = listBadge(ticket.sla, now);
  const customer = ticket.customer.name ?? t('names.unnamed');
  return (
    <li>
      <Link
        href={`/support/${view}/${ticket.conversationId}`}
        className="ticket-item"
        data-testid="ticket-item"
        data-conversation-id={ticket.conversationId}
        data-status={ticket.status}
        aria-current={active ? 'page' : undefined}
      >
        <span className="item-top">
          <bdi className="item-title">{customer}</bdi>
          {waited !== null && (
            <span className="waiting" data-testid="ticket-waiting" data-urgent={String(waited > 600)}>
              {t('console.waiting', { time: waitText(waited, t, lang) })}
            </span>
          )}
        </span>
        <span className="item-bottom">
          <bdi className="item-preview">{ticket.subject ?? t('console.noSubject')}</bdi>
        </span>
        <span className="ticket-tags">
          <span className={`tag status-${ticket.status}`}>{t(`console.status.${ticket.status}`)}</span>
          {ticket.priority !== 'none' && (
            <span className={`tag priority-${ticket.priority}`}>
              {t(`console.priority.${ticket.priority}`)}
            </span>
          )}
          {ticket.escalated && <span className="tag escalated">{t('console.escalated')}</span>}
          {badge && (
            <span className={`tag sla-${badge}`} data-testid="ticket-sla">
              {t('sla.list.badge', {
                kind: t(`sla.kinds.${ticket.sla!.kind}`),
                state: t(`sla.panel.state.${badge}`),
              })}
            </span>
          )}
          {ticket.labels.map((label) => (
            <bdi key={label} className="tag label">
              {label}
            </bdi>
          ))}
          <span className="tag assignee">
            {ticket.assigneeId ? (assigneeName ?? t('names.unnamed')) : t('console.unassigned')}
          </span>
        </span>
      </Link>
    </li>
  );
}
