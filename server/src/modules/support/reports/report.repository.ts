import { REPORT_EVENT_KINDS, type ReportGroupBy, type SlaTargetKind } from '@abrik/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../../platform/db/client.js';
import type { Viewer } from '../ticket.repository.js';

/** What one report reads: the range, its buckets' first instants, the grouping and the filters. */
export interface ReportScope {
  from: Date;
  to: Date;
  /** The first instant of each bucket, ascending; the first is `from`. */
  thresholds: Date[];
  groupBy: ReportGroupBy;
  inboxId?: string | undefined;
  teamId?: string | undefined;
  agentId?: string | undefined;
  viewer: Viewer;
}

/**
 * Rows of a grouping set: `bucket` null is every bucket of the range, `group` the inbox, team or
 * agent (null: none, or every group when `allGroups`).
 */
interface Cell {
  bucket: number | null;
  group: string | null;
  allGroups: boolean;
}

/** The time metrics read from the report events, each with its own crediting (docs/support.md). */
export type TimeMetric = 'first_response' | 'first_response_assignee' | 'reply' | 'resolution';
export type CountMetric = 'opened' | 'reopened';

export interface TimeCell extends Cell {
  metric: TimeMetric | CountMetric;
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  businessMean: number | null;
  businessMedian: number | null;
  businessP90: number | null;
}

export interface CsatCell extends Cell {
  asked: number;
  answered: number;
  score: number | null;
}

export interface SlaCell extends Cell {
  kind: SlaTargetKind;
  met: number;
  breached: number;
}

/**
 * The reports' SQL. Every figure is computed in PostgreSQL over the raw values of its bucket,
 * group and range — `percentile_cont` over GROUPING SETS (bucket × group, group, bucket, all) —
 * never from smaller buckets. Buckets are the caller's instants (Jalali, in the organisation's
 * zone) given to `width_bucket`.
 */
export class ReportRepository {
  constructor(private readonly db: Executor) {}

  /** Opened, reopened and the four time metrics, from `support_report_events`. */
  async times(scope: ReportScope): Promise<TimeCell[]> {
    const where = [
      // Every kind named, so the (kind, at) index serves the range.
      sql`e.kind = any(${sql.param([...REPORT_EVENT_KINDS])}::text[])`,
      sql`e.at >= ${scope.from.toISOString()}::timestamptz and e.at < ${scope.to.toISOString()}::timestamptz`,
      ...placeFilters(scope, sql`e.inbox_id`, sql`e.team_id`),
    ];
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`with ev as (
            select e.kind, e.cycle, e.inbox_id, e.team_id, e.agent_id, e.assignee_id,
                   e.value_seconds as v, e.business_seconds as bv,
                   width_bucket(e.at, ${thresholds(scope)}) as b
            from support_report_events e
            where ${sql.join(where, sql` and `)}
          ), facts as (
            select 'opened' as metric, b, inbox_id, team_id, assignee_id as agent, v, bv
              from ev where kind = 'opened' and cycle = 0
            union all
            select 'reopened', b, inbox_id, team_id, assignee_id, v, bv
              from ev where kind = 'opened' and cycle > 0
            union all
            select 'first_response', b, inbox_id, team_id, agent_id, v, bv from ev where kind = 'first_response'
            union all
            select 'first_response_assignee', b, inbox_id, team_id, assignee_id, v, bv
              from ev where kind = 'first_response'
            union all
            select 'reply', b, inbox_id, team_id, agent_id, v, bv from ev where kind = 'reply'
            union all
            select 'resolution', b, inbox_id, team_id, coalesce(assignee_id, agent_id), v, bv
              from ev where kind = 'resolved'
          ), f as (
            select metric, b, v, bv, ${groupKey(scope.groupBy, sql`inbox_id`, sql`team_id`, sql`agent`)} as g
            from facts ${agentFilter(scope, sql`agent`)}
          )
          select metric, b, g, grouping(b) as all_buckets, grouping(g) as all_groups,
                 count(*)::int as n,
                 avg(v)::float8 as mean,
                 percentile_cont(0.5) within group (order by v) as median,
                 percentile_cont(0.9) within group (order by v) as p90,
                 avg(bv)::float8 as b_mean,
                 percentile_cont(0.5) within group (order by bv) as b_median,
                 percentile_cont(0.9) within group (order by bv) as b_p90
          from f
          group by metric, grouping sets ((b, g), (g), (b), ())`,
    );
    return rows.map((r) => ({
      ...cell(r),
      metric: r.metric as TimeCell['metric'],
      count: Number(r.n),
      mean: num(r.mean),
      median: num(r.median),
      p90: num(r.p90),
      businessMean: num(r.b_mean),
      businessMedian: num(r.b_median),
      businessP90: num(r.b_p90),
    }));
  }

  /** Satisfaction surveys asked in the range (by when they were asked: the resolve). */
  async csat(scope: ReportScope): Promise<CsatCell[]> {
    const where = [
      sql`c.asked_at >= ${scope.from.toISOString()}::timestamptz and c.asked_at < ${scope.to.toISOString()}::timestamptz`,
      ...placeFilters(scope, sql`c.inbox_id`, sql`c.team_id`),
      ...(scope.agentId ? [sql`c.agent_id = ${scope.agentId}::uuid`] : []),
    ];
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`with f as (
            select c.rating, width_bucket(c.asked_at, ${thresholds(scope)}) as b,
                   ${groupKey(scope.groupBy, sql`c.inbox_id`, sql`c.team_id`, sql`c.agent_id`)} as g
            from support_csat c
            where ${sql.join(where, sql` and `)}
          )
          select b, g, grouping(b) as all_buckets, grouping(g) as all_groups,
                 count(*)::int as asked,
                 count(rating)::int as answered,
                 avg(rating)::float8 as score
          from f
          group by grouping sets ((b, g), (g), (b), ())`,
    );
    return rows.map((r) => ({
      ...cell(r),
      asked: Number(r.asked),
      answered: Number(r.answered),
      score: num(r.score),
    }));
  }

  /**
   * SLA targets decided in the range: met on time (at `met_at`) or breached (at `breached_at`,
   * or at `due_at` for one met late before the breach was marked). Stopped targets and those
   * still running are not decided. Placed by the conversation's ticket as it is now (targets do
   * not keep their inbox, team or assignee); the agent is who met it, else the assignee now.
   */
  async sla(scope: ReportScope): Promise<SlaCell[]> {
    const onTime = sql`(s.met_at is not null and s.breached_at is null and (s.due_at is null or s.met_at <= s.due_at))`;
    const late = sql`(s.breached_at is not null or (s.met_at is not null and s.due_at is not null and s.met_at > s.due_at))`;
    const where = [
      sql`d.decided_at >= ${scope.from.toISOString()}::timestamptz and d.decided_at < ${scope.to.toISOString()}::timestamptz`,
      ...placeFilters(scope, sql`d.inbox_id`, sql`d.team_id`),
      ...(scope.agentId ? [sql`d.agent = ${scope.agentId}::uuid`] : []),
    ];
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`with d as (
            select s.kind, t.inbox_id, t.team_id, coalesce(s.met_by, t.assignee_id) as agent,
                   ${onTime} as on_time,
                   case when ${onTime} then s.met_at else coalesce(s.breached_at, s.due_at) end as decided_at
            from support_sla_targets s join support_tickets t on t.conversation_id = s.conversation_id
            where ${onTime} or ${late}
          ), f as (
            select d.kind, d.on_time, width_bucket(d.decided_at, ${thresholds(scope)}) as b,
                   ${groupKey(scope.groupBy, sql`d.inbox_id`, sql`d.team_id`, sql`d.agent`)} as g
            from d
            where ${sql.join(where, sql` and `)}
          )
          select kind, b, g, grouping(b) as all_buckets, grouping(g) as all_groups,
                 count(*) filter (where on_time)::int as met,
                 count(*) filter (where not on_time)::int as breached
          from f
          group by kind, grouping sets ((b, g), (g), (b), ())`,
    );
    return rows.map((r) => ({
      ...cell(r),
      kind: r.kind as SlaTargetKind,
      met: Number(r.met),
      breached: Number(r.breached),
    }));
  }

  /** Display names of the groups: inboxes, teams or users. */
  async names(groupBy: ReportGroupBy, ids: string[]): Promise<Map<string, string | null>> {
    if (groupBy === 'none' || ids.length === 0) return new Map();
    const table = {
      inbox: sql.raw('support_inboxes'),
      team: sql.raw('support_teams'),
      agent: sql.raw('users'),
    }[groupBy];
    const rows = await queryRows<{ id: string; name: string | null }>(
      this.db,
      sql`select id, name from ${table} where id = any(${sql.param(ids)}::uuid[])`,
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}

const thresholds = (scope: ReportScope): SQL =>
  sql`${sql.param(scope.thresholds.map((t) => t.toISOString()))}::timestamptz[]`;

function groupKey(groupBy: ReportGroupBy, inbox: SQL, team: SQL, agent: SQL): SQL {
  if (groupBy === 'inbox') return sql`${inbox}::text`;
  if (groupBy === 'team') return sql`${team}::text`;
  if (groupBy === 'agent') return sql`${agent}::text`;
  return sql`null::text`;
}

function agentFilter(scope: ReportScope, agent: SQL): SQL {
  return scope.agentId ? sql`where ${agent} = ${scope.agentId}::uuid` : sql``;
}

/** The inbox and team filters, and what a non-admin may read (reportVisibleTo). */
function placeFilters(scope: ReportScope, inbox: SQL, team: SQL): SQL[] {
  return [
    ...(scope.inboxId ? [sql`${inbox} = ${scope.inboxId}::uuid`] : []),
    ...(scope.teamId ? [sql`${team} = ${scope.teamId}::uuid`] : []),
    reportVisibleTo(scope.viewer, inbox, team),
  ];
}

/**
 * What a supervisor's reports hold, by the inbox and team a fact was recorded with: their teams'
 * own, and a teamless fact of an inbox one of their teams serves (or no team serves) — the team
 * part of the tickets' `visibleTo`, without "assigned to me". Admins read everything.
 */
export function reportVisibleTo(viewer: Viewer, inbox: SQL, team: SQL): SQL {
  if (viewer.admin) return sql`true`;
  return sql`((${team} is not null and exists (
      select 1 from support_team_members tm where tm.team_id = ${team} and tm.user_id = ${viewer.id}::uuid))
    or (${team} is null and (
      exists (select 1 from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
              where it.inbox_id = ${inbox} and tm.user_id = ${viewer.id}::uuid)
      or not exists (select 1 from support_inbox_teams it where it.inbox_id = ${inbox}))))`;
}

function cell(r: Record<string, unknown>): Cell {
  return {
    bucket: Number(r.all_buckets) === 1 ? null : Number(r.b),
    group: (r.g as string | null) ?? null,
    allGroups: Number(r.all_groups) === 1,
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
