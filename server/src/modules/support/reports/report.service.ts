import {
  REPORT_MAX_DAYS,
  type Report,
  type ReportGroup,
  type ReportMetrics,
  type ReportQuery,
  type ReportTime,
  SLA_TARGET_KINDS,
} from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import type { Executor } from '../../../platform/db/client.js';
import { ForbiddenError, ValidationError } from '../../../platform/errors.js';
import type { DomainEvents } from '../../../platform/events/domain-events.js';
import { reportSubject } from '../events.js';
import { isAdmin, isSupervisor } from '../policies.js';
import { boundInstant, bucketsOf } from './buckets.js';
import type { ReportRepository, ReportScope, TimeCell } from './report.repository.js';

/** Reports are the supervisors' and admins': admins read everything, supervisors their teams'. */
export const mayReadReports = isSupervisor;

export interface ReportServiceDeps {
  reports: ReportRepository;
  events: Pick<DomainEvents, 'record'>;
  db: Executor;
  /** The organisation's time zone (SUPPORT_TIME_ZONE): ranges and Jalali buckets are its. */
  timeZone: string;
}

const DAY_MS = 86_400_000;
const TIME_METRICS = {
  firstResponse: 'first_response',
  firstResponseByAssignee: 'first_response_assignee',
  reply: 'reply',
  resolution: 'resolution',
} as const;

/**
 * The support reports (docs/support.md, "Reports"): volumes, response and resolution times
 * (count, mean, median, p90; wall-clock and business seconds), CSAT and SLA met %, per Jalali
 * day, week or month of the organisation's time zone, for everything or per inbox, team or
 * agent — and the same as CSV, each download recorded for the audit trail.
 */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  async report(actor: Actor, query: ReportQuery): Promise<Report> {
    if (!mayReadReports(actor)) throw new ForbiddenError('support/forbidden');
    const { timeZone } = this.deps;
    const from = boundInstant(query.from, 'from', timeZone);
    const to = boundInstant(query.to, 'to', timeZone);
    if (!(from < to)) throw invalid('to', '`to` must be after `from`');
    if (to.getTime() - from.getTime() > REPORT_MAX_DAYS * DAY_MS) {
      throw invalid('to', `a report covers at most ${REPORT_MAX_DAYS} days`);
    }
    const buckets = bucketsOf({ from, to }, query.bucket, timeZone);
    const scope: ReportScope = {
      from,
      to,
      thresholds: buckets.map((b) => b.start),
      groupBy: query.groupBy,
      inboxId: query.inboxId,
      teamId: query.teamId,
      agentId: query.agentId,
      viewer: { id: actor.id, admin: isAdmin(actor) },
    };
    const { reports } = this.deps;
    const [times, csat, sla] = await Promise.all([
      reports.times(scope),
      reports.csat(scope),
      reports.sla(scope),
    ]);

    // One metrics object per (group | all) × (bucket | total), filled from the grouping sets.
    const groups = new Map<string | null, Slot>();
    const all: Slot = slot(buckets.length);
    const slotOf = (c: { group: string | null; allGroups: boolean }) => {
      if (c.allGroups) return all;
      const found = groups.get(c.group) ?? slot(buckets.length);
      groups.set(c.group, found);
      return found;
    };
    const target = (c: { bucket: number | null; group: string | null; allGroups: boolean }) => {
      const s = slotOf(c);
      return c.bucket === null ? s.total : s.buckets[c.bucket - 1]!;
    };
    for (const c of times) {
      const m = target(c);
      if (c.metric === 'opened') m.opened = c.count;
      else if (c.metric === 'reopened') m.reopened = c.count;
      else {
        const key = timeKey(c.metric);
        m[key] = toTime(c);
        if (key === 'resolution') m.resolved = c.count;
      }
    }
    for (const c of csat) {
      target(c).csat = {
        asked: c.asked,
        answered: c.answered,
        score: c.score,
        responseRate: c.asked > 0 ? c.answered / c.asked : null,
      };
    }
    for (const c of sla) {
      target(c).sla[c.kind] = {
        met: c.met,
        breached: c.breached,
        metPercent: c.met + c.breached > 0 ? (100 * c.met) / (c.met + c.breached) : null,
      };
    }

    const ids = [...groups.keys()].filter((id): id is string => id !== null);
    const names = await reports.names(query.groupBy, ids);
    const listed: ReportGroup[] =
      query.groupBy === 'none'
        ? []
        : [...groups.entries()]
            .map(([id, s]) => ({ id, name: id === null ? null : (names.get(id) ?? null), ...s }))
            .sort(byName);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      timeZone,
      bucket: query.bucket,
      groupBy: query.groupBy,
      buckets: buckets.map((b) => ({
        label: b.label,
        start: b.start.toISOString(),
        end: b.end.toISOString(),
      })),
      groups: listed,
      all,
    };
  }

  /**
   * The report as CSV (UTF-8 with a byte order mark, so Excel reads Persian names): one row per
   * group and bucket, then each group's total. Recorded as `support.report_exported`.
   */
  async csv(actor: Actor, query: ReportQuery): Promise<{ filename: string; body: string; rows: number }> {
    const report = await this.report(actor, query);
    const lines = [CSV_COLUMNS.join(',')];
    const emit = (groupBy: string, group: { id: string | null; name: string | null }, slot: Slot) => {
      report.buckets.forEach((b, i) => {
        lines.push(
          csvRow([b.label, b.start, b.end, groupBy, group.id, group.name, ...figures(slot.buckets[i]!)]),
        );
      });
      lines.push(
        csvRow(['total', report.from, report.to, groupBy, group.id, group.name, ...figures(slot.total)]),
      );
    };
    for (const group of report.groups) emit(report.groupBy, group, group);
    emit('all', { id: null, name: null }, report.all);
    const rows = lines.length - 1;
    await this.deps.events.record(this.deps.db, {
      type: 'support.report_exported',
      actorId: actor.id,
      subject: reportSubject(query.groupBy === 'none' ? 'overview' : query.groupBy),
      payload: {
        filters: {
          from: query.from,
          to: query.to,
          bucket: query.bucket,
          groupBy: query.groupBy,
          inboxId: query.inboxId ?? null,
          teamId: query.teamId ?? null,
          agentId: query.agentId ?? null,
        },
        format: 'csv',
        rows,
      },
    });
    const label = (b: string) => b.slice(0, 10);
    return {
      filename: `abrik-report-${query.groupBy}-${query.bucket}-${label(query.from)}-${label(query.to)}.csv`,
      body: `\uFEFF${lines.join('\r\n')}\r\n`,
      rows,
    };
  }
}

interface Slot {
  buckets: ReportMetrics[];
  total: ReportMetrics;
}

const slot = (n: number): Slot => ({
  buckets: Array.from({ length: n }, emptyMetrics),
  total: emptyMetrics(),
});

const emptyFigures = () => ({ mean: null, median: null, p90: null });
const emptyTime = (): ReportTime => ({ count: 0, wall: emptyFigures(), business: emptyFigures() });

export function emptyMetrics(): ReportMetrics {
  const sla = () => ({ met: 0, breached: 0, metPercent: null });
  return {
    opened: 0,
    reopened: 0,
    resolved: 0,
    firstResponse: emptyTime(),
    firstResponseByAssignee: emptyTime(),
    reply: emptyTime(),
    resolution: emptyTime(),
    csat: { asked: 0, answered: 0, score: null, responseRate: null },
    sla: { first_response: sla(), next_response: sla(), resolution: sla() },
  };
}

function timeKey(metric: TimeCell['metric']): keyof typeof TIME_METRICS {
  const key = (Object.keys(TIME_METRICS) as Array<keyof typeof TIME_METRICS>).find(
    (k) => TIME_METRICS[k] === metric,
  );
  if (!key) throw new Error(`unknown report metric ${metric}`);
  return key;
}

const toTime = (c: TimeCell): ReportTime => ({
  count: c.count,
  wall: { mean: c.mean, median: c.median, p90: c.p90 },
  business: { mean: c.businessMean, median: c.businessMedian, p90: c.businessP90 },
});

/** Named groups by name, then the unnamed, and "none" (no team, nobody) last. */
function byName(a: ReportGroup, b: ReportGroup): number {
  if (a.id === null || b.id === null) return a.id === null ? (b.id === null ? 0 : 1) : -1;
  return (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff', 'fa') || a.id.localeCompare(b.id);
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError('validation/invalid', [{ in: 'querystring', path: [field], message }]);
}

// ---- CSV -------------------------------------------------------------------------------------

const TIME_COLUMNS = ['first_response', 'first_response_by_assignee', 'reply', 'resolution'].flatMap((m) => [
  `${m}_count`,
  `${m}_mean_s`,
  `${m}_median_s`,
  `${m}_p90_s`,
  `${m}_business_mean_s`,
  `${m}_business_median_s`,
  `${m}_business_p90_s`,
]);

/** The CSV's columns (docs/api.md): times in seconds, CSAT score 1–5, rates 0–1, SLA met in %. */
export const CSV_COLUMNS = [
  'bucket',
  'start',
  'end',
  'group_by',
  'group_id',
  'group_name',
  'opened',
  'reopened',
  'resolved',
  ...TIME_COLUMNS,
  'csat_asked',
  'csat_answered',
  'csat_score',
  'csat_response_rate',
  ...SLA_TARGET_KINDS.flatMap((k) => [`sla_${k}_met`, `sla_${k}_breached`, `sla_${k}_met_percent`]),
];

function figures(m: ReportMetrics): Array<number | null> {
  const time = (t: ReportTime) => [
    t.count,
    t.wall.mean,
    t.wall.median,
    t.wall.p90,
    t.business.mean,
    t.business.median,
    t.business.p90,
  ];
  return [
    m.opened,
    m.reopened,
    m.resolved,
    ...time(m.firstResponse),
    ...time(m.firstResponseByAssignee),
    ...time(m.reply),
    ...time(m.resolution),
    m.csat.asked,
    m.csat.answered,
    m.csat.score,
    m.csat.responseRate,
    ...SLA_TARGET_KINDS.flatMap((k) => [m.sla[k].met, m.sla[k].breached, m.sla[k].metPercent]),
  ];
}

function csvRow(values: Array<string | number | null>): string {
  return values.map(csvField).join(',');
}

/**
 * A field: numbers rounded to milliseconds' precision, nothing for null, text quoted when it
 * must be — and a name that starts like a formula (=, +, -, @) prefixed with `'`, so a
 * spreadsheet shows it instead of running it (OWASP "CSV injection").
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(Math.round(value * 1000) / 1000);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
