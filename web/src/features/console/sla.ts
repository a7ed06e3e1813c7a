import type { SlaTarget, SlaTargetKind, SupportTicket } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { Lang } from '../../i18n/index.js';
import { formatNumber } from '../../lib/format.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** A target's length as admins set it: hours and minutes («۱ ساعت و ۳۰ دقیقه», "1 h 30 min"). */
export function hoursMinutesText(seconds: number, t: TFunction, lang: Lang): string {
  const hours = Math.floor(seconds / HOUR);
  const minutes = Math.round((seconds % HOUR) / MINUTE);
  const h = t('sla.span.hours', { count: hours, n: formatNumber(hours, lang) });
  const m = t('sla.span.minutes', { count: minutes, n: formatNumber(minutes, lang) });
  if (hours === 0) return m;
  return minutes === 0 ? h : t('sla.span.and', { a: h, b: m });
}

/**
 * A stretch of time left or overdue, in its two largest units, rounded down to the minute:
 * «۲ روز و ۳ ساعت», «۴۵ دقیقه», "less than a minute".
 */
export function spanText(seconds: number, t: TFunction, lang: Lang): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < MINUTE) return t('sla.span.underMinute');
  const unit = (key: 'days' | 'hours' | 'minutes', count: number) =>
    t(`sla.span.${key}`, { count, n: formatNumber(count, lang) });
  if (s < HOUR) return unit('minutes', Math.floor(s / MINUTE));
  if (s < DAY) {
    const minutes = Math.floor((s % HOUR) / MINUTE);
    const hours = unit('hours', Math.floor(s / HOUR));
    return minutes === 0 ? hours : t('sla.span.and', { a: hours, b: unit('minutes', minutes) });
  }
  const hours = Math.floor((s % DAY) / HOUR);
  const days = unit('days', Math.floor(s / DAY));
  return hours === 0 ? days : t('sla.span.and', { a: days, b: unit('hours', hours) });
}

/** How a target stands now. */
export type TargetState =
  | 'met'
  | 'met_late'
  | 'breached'
  | 'stopped'
  | 'paused'
  | 'overdue'
  | 'due_soon'
  | 'running';

/**
 * A target's state at `now`. Breached comes from the server (`breachedAt`); a deadline passed
 * that the server has not marked yet reads `overdue`. `due_soon`: within `soonSeconds`.
 */
export function targetState(target: SlaTarget, now: number, soonSeconds = 15 * MINUTE): TargetState {
  if (target.metAt) return target.breachedAt ? 'met_late' : 'met';
  if (target.breachedAt) return 'breached';
  if (target.stoppedAt) return 'stopped';
  if (target.paused || !target.dueAt) return 'paused';
  const left = (Date.parse(target.dueAt) - now) / 1000;
  if (left <= 0) return 'overdue';
  return left <= soonSeconds ? 'due_soon' : 'running';
}

const KIND_ORDER: Record<SlaTargetKind, number> = { first_response: 0, next_response: 1, resolution: 2 };

/**
 * The targets worth showing first: of the latest cycle, the newest of each kind (next response
 * starts anew at each wait), in the order first response, next response, resolution.
 */
export function currentTargets(targets: readonly SlaTarget[]): SlaTarget[] {
  if (targets.length === 0) return [];
  const cycle = Math.max(...targets.map((x) => x.cycle));
  const newest = new Map<SlaTargetKind, SlaTarget>();
  for (const target of targets) {
    if (target.cycle !== cycle) continue;
    const held = newest.get(target.kind);
    if (!held || held.startedAt < target.startedAt) newest.set(target.kind, target);
  }
  return [...newest.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/**
 * The list row's SLA badge from the ticket's nearest clock: missed (`breached`, or `overdue`
 * before the server marked it) or `due_soon`; nothing while it runs with time to spare or waits.
 */
export function listBadge(
  sla: SupportTicket['sla'],
  now: number,
  soonSeconds = 15 * MINUTE,
): 'breached' | 'overdue' | 'due_soon' | null {
  if (!sla) return null;
  if (sla.breachedAt) return 'breached';
  if (sla.paused || !sla.dueAt) return null;
  const left = (Date.parse(sla.dueAt) - now) / 1000;
  if (left <= 0) return 'overdue';
  return left <= soonSeconds ? 'due_soon' : null;
}
