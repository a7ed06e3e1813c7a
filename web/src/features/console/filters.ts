import { type Priority, type SupportStatus, toLatinDigits } from '@abrik/protocol';
import type { TicketFilters } from '../../api/support.js';

/** The console's views: mine, the queue, my teams', everything I may see, and what is done or put off. */
export const VIEWS = ['mine', 'unassigned', 'teams', 'all', 'done'] as const;
export type View = (typeof VIEWS)[number];

export function isView(value: unknown): value is View {
  return typeof value === 'string' && (VIEWS as readonly string[]).includes(value);
}

/** What the person narrowed a view with. Empty lists mean "any". */
export interface Filters {
  statuses: SupportStatus[];
  teamId: string;
  label: string;
  priorities: Priority[];
  text: string;
}

export const NO_FILTERS: Filters = { statuses: [], teamId: '', label: '', priorities: [], text: '' };

/** Statuses a view shows unless the person chose others. */
const VIEW_STATUSES: Record<View, SupportStatus[]> = {
  mine: ['open', 'pending'],
  unassigned: ['open', 'pending'],
  teams: ['open', 'pending'],
  all: ['open', 'pending'],
  done: ['resolved', 'snoozed'],
};

/** The statuses the person may pick from in a view. */
export function statusChoices(view: View): SupportStatus[] {
  return view === 'done' ? ['resolved', 'snoozed', 'closed'] : ['open', 'pending', 'snoozed'];
}

/** The query of `GET /api/v1/support/conversations` for a view and its filters. */
export function viewQuery(view: View, filters: Filters): TicketFilters {
  const statuses = filters.statuses.length > 0 ? filters.statuses : VIEW_STATUSES[view];
  const text = toLatinDigits(filters.text).trim().slice(0, 100);
  return {
    status: statuses.join(','),
    ...(view === 'mine' ? { assignee: 'me' } : {}),
    ...(view === 'unassigned' ? { assignee: 'none' } : {}),
    ...(view === 'teams' ? { scope: 'teams' as const } : {}),
    ...(filters.teamId ? { teamId: filters.teamId } : {}),
    ...(filters.label.trim() ? { label: filters.label.trim() } : {}),
    ...(filters.priorities.length > 0 ? { priority: filters.priorities.join(',') } : {}),
    ...(text ? { q: text } : {}),
    limit: 100,
  };
}

/** How many filters are set (shown on the filters button). */
export function activeFilters(filters: Filters): number {
  return (
    (filters.statuses.length > 0 ? 1 : 0) +
    (filters.teamId ? 1 : 0) +
    (filters.label.trim() ? 1 : 0) +
    (filters.priorities.length > 0 ? 1 : 0) +
    (filters.text.trim() ? 1 : 0)
  );
}

/** Seconds since an ISO time (never negative: the clocks of server and browser differ a little). */
export function secondsSince(iso: string | null, now: number): number | null {
  if (!iso) return null;
  return Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
}
