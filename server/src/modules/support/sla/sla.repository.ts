import type { Priority } from '@abrik/protocol';
import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { type Db, type Executor, queryRows } from '../../../platform/db/client.js';
import { supportTickets } from '../tables.js';
import type { NewTarget, TargetPatch } from './sla-plan.js';
import { type SlaPolicyRow, type SlaTargetRow, supportSlaPolicies, supportSlaTargets } from './tables.js';

export type NewSlaPolicy = Omit<SlaPolicyRow, 'id' | 'createdAt' | 'updatedAt'>;

const live = () => and(isNull(supportSlaTargets.metAt), isNull(supportSlaTargets.stoppedAt));

export class SlaRepository {
  constructor(private readonly db: Db) {}

  async listPolicies(): Promise<SlaPolicyRow[]> {
    return this.db
      .select()
      .from(supportSlaPolicies)
      .orderBy(
        sql`${supportSlaPolicies.inboxId} is null`,
        sql`${supportSlaPolicies.priority} is null`,
        asc(supportSlaPolicies.createdAt),
      );
  }

  async getPolicy(id: string): Promise<SlaPolicyRow | undefined> {
    const [row] = await this.db.select().from(supportSlaPolicies).where(eq(supportSlaPolicies.id, id));
    return row;
  }

  /** The most specific policy: inbox and priority, the inbox's, the priority's, then the catch-all. */
  async policyFor(inboxId: string, priority: Priority): Promise<SlaPolicyRow | undefined> {
    const [row] = await this.db
      .select()
      .from(supportSlaPolicies)
      .where(
        and(
          or(eq(supportSlaPolicies.inboxId, inboxId), isNull(supportSlaPolicies.inboxId)),
          or(eq(supportSlaPolicies.priority, priority), isNull(supportSlaPolicies.priority)),
        ),
      )
      .orderBy(sql`${supportSlaPolicies.inboxId} is null`, sql`${supportSlaPolicies.priority} is null`)
      .limit(1);
    return row;
  }

  async insertPolicy(values: NewSlaPolicy, tx: Executor): Promise<SlaPolicyRow> {
    const [row] = await tx.insert(supportSlaPolicies).values(values).returning();
    return row!;
  }

  async updatePolicy(
    id: string,
    values: Partial<NewSlaPolicy>,
    tx: Executor,
  ): Promise<SlaPolicyRow | undefined> {
    const [row] = await tx
      .update(supportSlaPolicies)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(supportSlaPolicies.id, id))
      .returning();
    return row;
  }

  async deletePolicy(id: string, tx: Executor): Promise<boolean> {
    const rows = await tx.delete(supportSlaPolicies).where(eq(supportSlaPolicies.id, id)).returning();
    return rows.length > 0;
  }

  /** The conversation's live targets and every target of `cycle`. */
  async targetsOf(conversationId: string, cycle: number): Promise<SlaTargetRow[]> {
    return this.db
      .select()
      .from(supportSlaTargets)
      .where(
        and(
          eq(supportSlaTargets.conversationId, conversationId),
          or(eq(supportSlaTargets.cycle, cycle), live()),
        ),
      )
      .orderBy(asc(supportSlaTargets.id));
  }

  async listByConversation(conversationId: string): Promise<SlaTargetRow[]> {
    return this.db
      .select()
      .from(supportSlaTargets)
      .where(eq(supportSlaTargets.conversationId, conversationId))
      .orderBy(asc(supportSlaTargets.cycle), asc(supportSlaTargets.id));
  }

  /** The nearest live deadline of each conversation (the console's countdown). */
  async nextDue(conversationIds: string[]): Promise<Map<string, SlaTargetRow>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .selectDistinctOn([supportSlaTargets.conversationId])
      .from(supportSlaTargets)
      .where(and(inArray(supportSlaTargets.conversationId, conversationIds), live()))
      .orderBy(
        supportSlaTargets.conversationId,
        sql`${supportSlaTargets.breachedAt} is null`,
        sql`${supportSlaTargets.dueAt} asc nulls last`,
      );
    return new Map(rows.map((r) => [r.conversationId, r]));
  }

  async getTarget(id: number): Promise<SlaTargetRow | undefined> {
    const [row] = await this.db.select().from(supportSlaTargets).where(eq(supportSlaTargets.id, id));
    return row;
  }

  async insertTargets(conversationId: string, rows: NewTarget[], tx: Executor): Promise<SlaTargetRow[]> {
    if (rows.length === 0) return [];
    return tx
      .insert(supportSlaTargets)
      .values(rows.map((r) => ({ ...r, conversationId })))
      .returning();
  }

  /** A compare-and-set on the version: undefined when another change won. */
  async updateTarget(
    id: number,
    version: number,
    patch: TargetPatch & Partial<Pick<SlaTargetRow, 'warnedAt' | 'breachedAt'>>,
    tx: Executor = this.db,
  ): Promise<SlaTargetRow | undefined> {
    const [row] = await tx
      .update(supportSlaTargets)
      .set({ ...patch, version: version + 1 })
      .where(and(eq(supportSlaTargets.id, id), eq(supportSlaTargets.version, version)))
      .returning();
    return row;
  }

  /** Live, unbreached targets whose deadline is past. */
  async overdue(now: Date, limit: number): Promise<SlaTargetRow[]> {
    return this.db
      .select()
      .from(supportSlaTargets)
      .where(and(live(), isNull(supportSlaTargets.breachedAt), lte(supportSlaTargets.dueAt, now)))
      .orderBy(asc(supportSlaTargets.dueAt))
      .limit(limit);
  }

  /** Business-time clocks still running toward a deadline after `now`, of these inboxes' conversations. */
  async runningInBusinessTime(
    inboxIds: string[],
    now: Date,
  ): Promise<Array<SlaTargetRow & { inboxId: string }>> {
    if (inboxIds.length === 0) return [];
    const rows = await this.db
      .select({ target: supportSlaTargets, inboxId: supportTickets.inboxId })
      .from(supportSlaTargets)
      .innerJoin(supportTickets, eq(supportTickets.conversationId, supportSlaTargets.conversationId))
      .where(
        and(
          live(),
          isNull(supportSlaTargets.breachedAt),
          eq(supportSlaTargets.business, true),
          gt(supportSlaTargets.dueAt, now),
          inArray(supportTickets.inboxId, inboxIds),
        ),
      );
    return rows.map((r) => ({ ...r.target, inboxId: r.inboxId }));
  }

  /**
   * Conversations whose live clocks may not match their ticket: resolved or closed ones (their
   * clocks should have stopped), and pending or snoozed ones with a clock still running.
   */
  async unsettled(limit: number): Promise<string[]> {
    const rows = await queryRows<{ conversation_id: string }>(
      this.db,
      sql`select distinct s.conversation_id from support_sla_targets s
          join support_tickets t on t.conversation_id = s.conversation_id
          where s.met_at is null and s.stopped_at is null
            and (t.status in ('resolved', 'closed') or s.cycle <> t.reopen_count
                 or (t.status in ('pending', 'snoozed') and s.due_at is not null and s.breached_at is null)
                 or (t.status = 'open' and s.due_at is null))
          limit ${limit}`,
    );
    return rows.map((r) => r.conversation_id);
  }
}
