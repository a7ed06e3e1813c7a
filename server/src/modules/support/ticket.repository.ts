import { foldPersian, STAFF_ROLES } from '@abrik/protocol';
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { conversations } from '../chat/tables.js';
import { users } from '../identity/tables.js';
import {
  type AssignmentRow,
  supportAgents,
  supportAssignments,
  supportTickets,
  type TicketRow,
} from './tables.js';

export type TicketPatch = Partial<
  Omit<TicketRow, 'conversationId' | 'notesConversationId' | 'version' | 'createdAt'>
>;

/** Whose view of the desk: an admin sees every ticket; others what their teams serve (policies.ts). */
export interface Viewer {
  id: string;
  admin: boolean;
}

export interface TicketListFilter {
  /** `teams`: only what the viewer's teams (and unteamed inboxes) hold, even for an admin. */
  scope?: 'all' | 'teams' | undefined;
  statuses?: string[] | undefined;
  assignee?: 'me' | 'none' | string | undefined;
  teamId?: string | undefined;
  inboxId?: string | undefined;
  label?: string | undefined;
  priorities?: string[] | undefined;
  q?: string | undefined;
  limit: number;
  before?: { at: Date; id: string } | undefined;
}

export interface TicketListRow extends TicketRow {
  subject: string | null;
  customerName: string | null;
}

const PRIORITY_RANK = sql.raw(`array_position(array['none','low','medium','high','urgent'], t.priority)`);

/**
 * Whether the viewer may see ticket `t` (alias): admins all; others the ones assigned to them,
 * those of a team they are in, and unteamed ones of an inbox one of their teams serves — or of
 * an inbox no team serves.
 */
export function visibleTo(viewer: Viewer): SQL {
  if (viewer.admin) return sql`true`;
  return sql`(t.assignee_id = ${viewer.id}::uuid
    or (t.team_id is not null and exists (
      select 1 from support_team_members tm where tm.team_id = t.team_id and tm.user_id = ${viewer.id}::uuid))
    or (t.team_id is null and (
      exists (select 1 from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
              where it.inbox_id = t.inbox_id and tm.user_id = ${viewer.id}::uuid)
      or not exists (select 1 from support_inbox_teams it where it.inbox_id = t.inbox_id))))`;
}

/** The advisory lock key of routing: the bytes of "abrik-rt", out of the way of any other. */
const ROUTING_LOCK = '7017296966491927156';
const FOLD_FROM = '\u064a\u0649\u0643۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩\u200c\u200d\u200e\u200f';
const FOLD_TO = '\u06cc\u06cc\u06a901234567890123456789';
/**
 * The agent `a` (a `support_agents` row) holds fewer open and pending conversations than their
 * capacity, and fewer of this inbox's than their limit for it, where one is set.
 */
function underCapacity(inboxId: string, defaultCapacity: number): SQL {
  return sql`((select count(*) from support_tickets t where t.assignee_id = a.user_id and t.status in ('open', 'pending'))
      < coalesce(a.max_conversations, ${defaultCapacity})
    and coalesce((select count(*) from support_tickets t where t.assignee_id = a.user_id
                  and t.status in ('open', 'pending') and t.inbox_id = ${inboxId})
           < (select l.max_conversations from support_agent_inbox_limits l
              where l.user_id = a.user_id and l.inbox_id = ${inboxId}), true))`;
}

/** `foldPersian` in SQL: the letters and digits mapped, the zero-width marks dropped. */
function foldSql(column: SQL): SQL {
  return sql`translate(lower(${column}), ${FOLD_FROM}, ${FOLD_TO})`;
}

/** Support tickets: their state, assignments, the queue and the routing's SQL. */
export class TicketRepository {
  constructor(private readonly db: Executor) {}

  async insert(values: typeof supportTickets.$inferInsert, db: Executor = this.db): Promise<TicketRow> {
    const [row] = await db.insert(supportTickets).values(values).returning();
    return row!;
  }

  async get(conversationId: string, db: Executor = this.db): Promise<TicketRow | undefined> {
    const [row] = await db
      .select()
      .from(supportTickets)
      .where(eq(supportTickets.conversationId, conversationId));
    return row;
  }

  async getMany(conversationIds: string[]): Promise<TicketRow[]> {
    if (conversationIds.length === 0) return [];
    return this.db
      .select()
      .from(supportTickets)
      .where(inArray(supportTickets.conversationId, conversationIds));
  }

  /** The ticket whose notes conversation this is. */
  async getByNotes(notesConversationId: string): Promise<TicketRow | undefined> {
    const [row] = await this.db
      .select()
      .from(supportTickets)
      .where(eq(supportTickets.notesConversationId, notesConversationId));
    return row;
  }

  /** The conversation a customer's message to this (closed) one started, if any. */
  async followUpOf(conversationId: string): Promise<string | undefined> {
    const [row] = await this.db
      .select({ id: supportTickets.conversationId })
      .from(supportTickets)
      .where(eq(supportTickets.linkedFrom, conversationId))
      .orderBy(desc(supportTickets.createdAt))
      .limit(1);
    return row?.id;
  }

  /** Compare-and-set: applies the patch only if the ticket is still at `version`; the new row, or undefined. */
  async update(
    conversationId: string,
    version: number,
    patch: TicketPatch,
    db: Executor = this.db,
  ): Promise<TicketRow | undefined> {
    const [row] = await db
      .update(supportTickets)
      .set({ ...patch, version: sql`${supportTickets.version} + 1` })
      .where(and(eq(supportTickets.conversationId, conversationId), eq(supportTickets.version, version)))
      .returning();
    return row;
  }

  async insertAssignment(
    values: typeof supportAssignments.$inferInsert,
    db: Executor = this.db,
  ): Promise<AssignmentRow> {
    const [row] = await db.insert(supportAssignments).values(values).returning();
    return row!;
  }

  async assignments(conversationId: string): Promise<AssignmentRow[]> {
    return this.db
      .select()
      .from(supportAssignments)
      .where(eq(supportAssignments.conversationId, conversationId))
      .orderBy(asc(supportAssignments.id));
  }

  /** Whether the viewer may see the ticket. */
  async isVisible(conversationId: string, viewer: Viewer): Promise<boolean> {
    const rows = await queryRows<{ ok: boolean }>(
      this.db,
      sql`select true as ok from support_tickets t where t.conversation_id = ${conversationId} and ${visibleTo(viewer)}`,
    );
    return rows.length > 0;
  }

  /** A page of the tickets the viewer may see, most recent activity first. */
  async list(viewer: Viewer, filter: TicketListFilter): Promise<TicketListRow[]> {
    const where: SQL[] = [visibleTo(viewer)];
    // "My teams": what a non-admin would see (for an admin, their teams' rather than everything).
    if (filter.scope === 'teams' && viewer.admin) where.push(visibleTo({ id: viewer.id, admin: false }));
    if (filter.statuses) where.push(sql`t.status = any(${sql.param(filter.statuses)}::text[])`);
    if (filter.assignee === 'me') where.push(sql`t.assignee_id = ${viewer.id}::uuid`);
    else if (filter.assignee === 'none') where.push(sql`t.assignee_id is null`);
    else if (filter.assignee) where.push(sql`t.assignee_id = ${filter.assignee}::uuid`);
    if (filter.teamId) where.push(sql`t.team_id = ${filter.teamId}::uuid`);
    if (filter.inboxId) where.push(sql`t.inbox_id = ${filter.inboxId}::uuid`);
    if (filter.label) where.push(sql`${filter.label} = any(t.labels)`);
    if (filter.priorities) where.push(sql`t.priority = any(${sql.param(filter.priorities)}::text[])`);
    if (filter.q) {
      const like = `%${foldPersian(filter.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(sql`(${foldSql(sql`c.subject`)} like ${like} or ${foldSql(sql`u.name`)} like ${like})`);
    }
    if (filter.before) {
      where.push(
        sql`(t.last_activity_at, t.conversation_id) < (${filter.before.at.toISOString()}::timestamptz, ${filter.before.id}::uuid)`,
      );
    }
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select t.*, c.subject, u.name as customer_name
          from support_tickets t join conversations c on c.id = t.conversation_id
          join users u on u.id = t.customer_id
          where ${sql.join(where, sql` and `)}
          order by t.last_activity_at desc, t.conversation_id desc
          limit ${filter.limit}`,
    );
    return rows.map((r) => ({
      ...rowToTicket(r),
      subject: (r.subject as string | null) ?? null,
      customerName: (r.customer_name as string | null) ?? null,
    }));
  }

  /** Open and pending tickets in each view the viewer may see. */
  async counts(viewer: Viewer): Promise<{ mine: number; unassigned: number; teams: number; all: number }> {
    const [row] = await queryRows<{ mine: number; unassigned: number; teams: number; all: number }>(
      this.db,
      sql`select count(*) filter (where t.assignee_id = ${viewer.id}::uuid)::int as mine,
            count(*) filter (where t.assignee_id is null)::int as unassigned,
            count(*) filter (where ${visibleTo({ id: viewer.id, admin: false })})::int as teams,
            count(*)::int as "all"
          from support_tickets t
          where t.status in ('open', 'pending') and ${visibleTo(viewer)}`,
    );
    return {
      mine: Number(row?.mine ?? 0),
      unassigned: Number(row?.unassigned ?? 0),
      teams: Number(row?.teams ?? 0),
      all: Number(row?.all ?? 0),
    };
  }

  /** The tickets waiting in an inbox's queue, in the order they will be served. */
  async queue(
    inboxId: string,
    order: 'oldest' | 'priority_then_oldest',
  ): Promise<{ conversationId: string; customerId: string; queuedAt: Date }[]> {
    const rows = await queryRows<{ conversation_id: string; customer_id: string; queued_at: Date | string }>(
      this.db,
      sql`select t.conversation_id, t.customer_id, t.queued_at from support_tickets t
          where t.inbox_id = ${inboxId} and t.assignee_id is null and t.status = 'open' and t.queued_at is not null
          order by ${order === 'priority_then_oldest' ? sql`${PRIORITY_RANK} desc,` : sql``} t.queued_at, t.conversation_id`,
    );
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      customerId: r.customer_id,
      queuedAt: new Date(r.queued_at),
    }));
  }

  /** Per inbox: conversations waiting and the oldest wait. */
  async queueSizes(): Promise<{ inboxId: string; queued: number; oldest: Date | null }[]> {
    const rows = await queryRows<{ inbox_id: string; queued: number; oldest: Date | string | null }>(
      this.db,
      sql`select t.inbox_id, count(*)::int as queued, min(t.queued_at) as oldest from support_tickets t
          where t.assignee_id is null and t.status = 'open' and t.queued_at is not null group by t.inbox_id`,
    );
    return rows.map((r) => ({
      inboxId: r.inbox_id,
      queued: Number(r.queued),
      oldest: r.oldest ? new Date(r.oldest) : null,
    }));
  }

  /** Seconds from entering the queue to being assigned, of the inbox's last `limit` assignments from its queue since `since`. */
  async recentWaits(inboxId: string, since: Date, limit: number): Promise<number[]> {
    const rows = await queryRows<{ wait: number }>(
      this.db,
      sql`select extract(epoch from a.at - a.queued_at)::float as wait
          from support_assignments a join support_tickets t on t.conversation_id = a.conversation_id
          where t.inbox_id = ${inboxId} and a.queued_at is not null and a.to_id is not null
            and a.at >= ${since.toISOString()}::timestamptz
          order by a.id desc limit ${limit}`,
    );
    return rows.map((r) => Math.max(0, Number(r.wait)));
  }

  /**
   * Agents serving the inbox who are connected and `online` — those who take new work; busy
   * and away ones do not, so with only them there is no honest estimate.
   */
  async agentsOnline(inboxId: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from support_agents a join users u on u.id = a.user_id
          where a.connected and a.availability = 'online'
            and (exists (select 1 from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
                         where it.inbox_id = ${inboxId} and tm.user_id = a.user_id and tm.role = 'agent')
                 or (not exists (select 1 from support_inbox_teams it where it.inbox_id = ${inboxId}) and u.role = 'agent'))`,
    );
    return Number(row?.n ?? 0);
  }

  // ---- routing ----

  /**
   * Agents who may take a conversation of the inbox now — connected, `online`, under their
   * capacity (and the inbox's limit for them), and in a team that serves the inbox (any agent
   * when none does) — in the order the policy prefers them.
   */
  async candidates(
    inboxId: string,
    policy: 'round_robin' | 'least_loaded',
    defaultCapacity: number,
    db: Executor = this.db,
  ): Promise<string[]> {
    const order =
      policy === 'least_loaded'
        ? sql`load, a.last_assigned_at nulls first, a.user_id`
        : sql`a.last_assigned_at nulls first, a.user_id`;
    const rows = await queryRows<{ user_id: string }>(
      db,
      sql`select * from (
            select a.user_id, a.last_assigned_at,
              coalesce(a.max_conversations, ${defaultCapacity}) as capacity,
              (select count(*) from support_tickets t where t.assignee_id = a.user_id and t.status in ('open', 'pending')) as load,
              (select count(*) from support_tickets t where t.assignee_id = a.user_id and t.status in ('open', 'pending')
                 and t.inbox_id = ${inboxId}) as inbox_load,
              (select l.max_conversations from support_agent_inbox_limits l where l.user_id = a.user_id and l.inbox_id = ${inboxId}) as inbox_capacity
            from support_agents a join users u on u.id = a.user_id
            where a.connected and a.availability = 'online'
              and (exists (select 1 from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
                           where it.inbox_id = ${inboxId} and tm.user_id = a.user_id and tm.role = 'agent')
                   or (not exists (select 1 from support_inbox_teams it where it.inbox_id = ${inboxId}) and u.role = 'agent'))
          ) a
          where a.load < a.capacity and (a.inbox_capacity is null or a.inbox_load < a.inbox_capacity)
          order by ${order}`,
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * Locks the agent's profile for an assignment (skipping one another assignment holds) and
   * checks again, under the lock, that they are available and under capacity. Every assignment
   * to an agent takes this lock, so no two can push them over.
   */
  /**
   * Hand-outs from the queue, one at a time desk-wide (until the transaction ends): whoever is
   * next by the policy is chosen and assigned before the next choice is made, on every instance.
   */
  async lockRouting(tx: Executor): Promise<void> {
    await queryRows(tx, sql`select pg_advisory_xact_lock(${ROUTING_LOCK}::bigint)`);
  }

  async lockAgentWithRoom(
    agentId: string,
    inboxId: string,
    defaultCapacity: number,
    tx: Executor,
  ): Promise<boolean> {
    const rows = await queryRows<{ ok: boolean }>(
      tx,
      sql`select (${underCapacity(inboxId, defaultCapacity)} and a.connected and a.availability = 'online') as ok
          from support_agents a where a.user_id = ${agentId}
          for update of a skip locked`,
    );
    return rows[0]?.ok === true;
  }

  /** Locks the agent's profile (waiting for it), for an assignment by hand or a claim. */
  async lockAgent(agentId: string, tx: Executor): Promise<void> {
    await queryRows(tx, sql`select user_id from support_agents where user_id = ${agentId} for update`);
  }

  /** Whether the agent is under their capacity (and the inbox's limit for them); call under `lockAgent`. */
  async hasRoom(agentId: string, inboxId: string, defaultCapacity: number, tx: Executor): Promise<boolean> {
    const [row] = await queryRows<{ ok: boolean }>(
      tx,
      sql`select ${underCapacity(inboxId, defaultCapacity)} as ok
          from support_agents a where a.user_id = ${agentId}`,
    );
    return row?.ok === true;
  }

  /**
   * The next conversation of the inbox's queue the agent may take — not one they stayed silent
   * on, not escalated, of no team or of one of theirs — locked, skipping those another
   * assignment holds.
   */
  async takeQueued(
    inboxId: string,
    agentId: string,
    order: 'oldest' | 'priority_then_oldest',
    tx: Executor,
  ): Promise<TicketRow | undefined> {
    const rows = await queryRows<Record<string, unknown>>(
      tx,
      sql`select t.* from support_tickets t
          where t.inbox_id = ${inboxId} and t.assignee_id is null and t.status = 'open' and t.queued_at is not null
            and t.escalated_at is null and not (${agentId}::uuid = any(t.excluded_agent_ids))
            and (t.team_id is null or exists (select 1 from support_team_members tm
                 where tm.team_id = t.team_id and tm.user_id = ${agentId}::uuid and tm.role = 'agent'))
          order by ${order === 'priority_then_oldest' ? sql`${PRIORITY_RANK} desc,` : sql``} t.queued_at, t.conversation_id
          limit 1
          for update of t skip locked`,
    );
    return rows[0] ? rowToTicket(rows[0]) : undefined;
  }

  /** Locks one ticket (waiting for it). */
  async lock(conversationId: string, tx: Executor): Promise<TicketRow | undefined> {
    const rows = await queryRows<Record<string, unknown>>(
      tx,
      sql`select t.* from support_tickets t where t.conversation_id = ${conversationId} for update`,
    );
    return rows[0] ? rowToTicket(rows[0]) : undefined;
  }

  /** The team a conversation goes with when this agent takes it: the ticket's, else one of the agent's serving the inbox. */
  async teamFor(agentId: string, inboxId: string, tx: Executor): Promise<string | null> {
    const [row] = await queryRows<{ team_id: string }>(
      tx,
      sql`select tm.team_id from support_team_members tm join support_inbox_teams it on it.team_id = tm.team_id
          where it.inbox_id = ${inboxId} and tm.user_id = ${agentId} order by tm.team_id limit 1`,
    );
    return row?.team_id ?? null;
  }

  async markAssigned(agentId: string, tx: Executor): Promise<void> {
    await tx
      .update(supportAgents)
      .set({ lastAssignedAt: sql`now()` })
      .where(eq(supportAgents.userId, agentId));
  }

  // ---- timers' safety net ----

  /** Tickets whose state says a timer is due (the sweep's view, should a timer job be lost). */
  async due(now: Date, defaults: { reopenWindowSeconds: number; noReplySeconds: number }) {
    const at = now.toISOString();
    const rows = await queryRows<{ conversation_id: string; kind: 'snooze' | 'close' | 'no_reply' }>(
      this.db,
      sql`select t.conversation_id, 'snooze' as kind from support_tickets t
            where t.status = 'snoozed' and t.snoozed_until <= ${at}::timestamptz
          union all
          select t.conversation_id, 'close' from support_tickets t join support_inboxes i on i.id = t.inbox_id
            where t.status = 'resolved'
              and t.resolved_at + make_interval(secs => coalesce(i.reopen_window_seconds, ${defaults.reopenWindowSeconds})) <= ${at}::timestamptz
          union all
          select t.conversation_id, 'no_reply' from support_tickets t join support_inboxes i on i.id = t.inbox_id
            where t.status = 'open' and t.assignee_id is not null and t.waiting_since is not null
              and greatest(t.assigned_at, t.waiting_since)
                  + make_interval(secs => coalesce(i.reassign_no_reply_after_seconds, ${defaults.noReplySeconds})) <= ${at}::timestamptz
          limit 500`,
    );
    return rows.map((r) => ({ conversationId: r.conversation_id, kind: r.kind }));
  }

  /** Open and pending tickets assigned to the agent, with their inbox. */
  async heldBy(agentId: string): Promise<TicketRow[]> {
    return this.db
      .select()
      .from(supportTickets)
      .where(and(eq(supportTickets.assigneeId, agentId), inArray(supportTickets.status, ['open', 'pending'])))
      .orderBy(desc(supportTickets.lastActivityAt));
  }

  /** The support tickets of a customer, newest first (earlier conversations beside the one on screen). */
  async ofCustomer(customerId: string, limit: number): Promise<TicketRow[]> {
    return this.db
      .select()
      .from(supportTickets)
      .where(eq(supportTickets.customerId, customerId))
      .orderBy(desc(supportTickets.createdAt))
      .limit(limit);
  }

  /** Names of users, for replies and views. */
  async names(ids: string[]): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** A customer's name and phone, for the staff who serve them (never logged). */
  async contact(userId: string): Promise<{ name: string | null; phone: string } | undefined> {
    const [row] = await this.db
      .select({ name: users.name, phone: users.phone })
      .from(users)
      .where(eq(users.id, userId));
    return row;
  }

  /** A user's platform role (undefined: no such user), to check who may be assigned. */
  async roleOf(userId: string): Promise<string | undefined> {
    const [row] = await this.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
    return row?.role;
  }

  /** Staff who may serve the inbox's tickets of this team (or of none) — for checks and alerts. */
  async servingAgents(inboxId: string, teamId: string | null): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      teamId
        ? sql`select tm.user_id as id from support_team_members tm where tm.team_id = ${teamId} and tm.role = 'agent'`
        : sql`select u.id from users u where u.role = 'agent'
                and (not exists (select 1 from support_inbox_teams it where it.inbox_id = ${inboxId})
                     or exists (select 1 from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
                                where it.inbox_id = ${inboxId} and tm.user_id = u.id and tm.role = 'agent'))`,
    );
    return rows.map((r) => r.id);
  }

  /** Supervisors of the team (of the inbox's teams when none), for escalations. */
  async supervisorsFor(inboxId: string, teamId: string | null): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      teamId
        ? sql`select tm.user_id as id from support_team_members tm where tm.team_id = ${teamId} and tm.role = 'supervisor'`
        : sql`select distinct tm.user_id as id from support_inbox_teams it join support_team_members tm on tm.team_id = it.team_id
              where it.inbox_id = ${inboxId} and tm.role = 'supervisor'`,
    );
    if (rows.length > 0) return rows.map((r) => r.id);
    // No supervisor named: every supervisor and admin hears of it.
    const all = await this.db
      .select({ id: users.id })
      .from(users)
      .where(
        inArray(
          users.role,
          STAFF_ROLES.filter((r) => r !== 'agent'),
        ),
      );
    return all.map((r) => r.id);
  }

  /** The conversations' subjects, for views. */
  async subjects(ids: string[]): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: conversations.id, subject: conversations.subject })
      .from(conversations)
      .where(inArray(conversations.id, ids));
    return new Map(rows.map((r) => [r.id, r.subject]));
  }
}

/** A raw support_tickets row (snake_case) as the Drizzle row type. */
function rowToTicket(r: Record<string, unknown>): TicketRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date));
  return {
    conversationId: r.conversation_id as string,
    notesConversationId: r.notes_conversation_id as string,
    inboxId: r.inbox_id as string,
    teamId: (r.team_id as string | null) ?? null,
    assigneeId: (r.assignee_id as string | null) ?? null,
    customerId: r.customer_id as string,
    status: r.status as TicketRow['status'],
    priority: r.priority as TicketRow['priority'],
    labels: (r.labels as string[] | null) ?? [],
    waitingSince: date(r.waiting_since),
    queuedAt: date(r.queued_at),
    assignedAt: date(r.assigned_at),
    firstCustomerMessageAt: date(r.first_customer_message_at),
    firstAgentReplyAt: date(r.first_agent_reply_at),
    lastActivityAt: date(r.last_activity_at)!,
    resolvedAt: date(r.resolved_at),
    closedAt: date(r.closed_at),
    snoozedUntil: date(r.snoozed_until),
    snoozedUntilReply: r.snoozed_until_reply === true,
    reopenCount: Number(r.reopen_count),
    cycleStartedAt: date(r.cycle_started_at),
    cycleFirstReplyAt: date(r.cycle_first_reply_at),
    lastStaffReplyAt: date(r.last_staff_reply_at),
    lastReplyWaitedSince: date(r.last_reply_waited_since),
    autoReassigns: Number(r.auto_reassigns),
    excludedAgentIds: (r.excluded_agent_ids as string[] | null) ?? [],
    escalatedAt: date(r.escalated_at),
    previousAssigneeId: (r.previous_assignee_id as string | null) ?? null,
    linkedFrom: (r.linked_from as string | null) ?? null,
    version: Number(r.version),
    createdAt: date(r.created_at)!,
  };
}
