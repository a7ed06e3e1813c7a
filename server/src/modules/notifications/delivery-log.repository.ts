import { and, count, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { pushOutcomes, pushQuota, smsDaily } from './tables.js';

/** The notification pipeline's log: push outcomes, the daily push quota, SMS sent per user and day. */
export class DeliveryLogRepository {
  constructor(private readonly db: Executor) {}

  async recordOutcomes(
    rows: { provider: string; outcome: string; reason?: string | undefined }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insert(pushOutcomes).values(
      rows.map((r) => ({
        provider: r.provider,
        outcome: r.outcome,
        reason: r.reason?.slice(0, 200) ?? null,
      })),
    );
  }

  /** Outcomes since `since`, by provider and outcome. */
  async outcomesSince(since: Date): Promise<{ provider: string; outcome: string; n: number }[]> {
    const rows = await this.db
      .select({ provider: pushOutcomes.provider, outcome: pushOutcomes.outcome, n: count() })
      .from(pushOutcomes)
      .where(gte(pushOutcomes.createdAt, since))
      .groupBy(pushOutcomes.provider, pushOutcomes.outcome);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  async deleteOutcomesBefore(cutoff: Date): Promise<number> {
    const rows = await this.db
      .delete(pushOutcomes)
      .where(lt(pushOutcomes.createdAt, cutoff))
      .returning({ id: pushOutcomes.id });
    return rows.length;
  }

  /** Adds `n` to the day's push count; answers the new count. */
  async useQuota(day: string, n = 1): Promise<number> {
    const [row] = await this.db
      .insert(pushQuota)
      .values({ day, used: n })
      .onConflictDoUpdate({ target: pushQuota.day, set: { used: sql`${pushQuota.used} + ${n}` } })
      .returning({ used: pushQuota.used });
    return row?.used ?? 0;
  }

  async quotaUsed(day: string): Promise<number> {
    const [row] = await queryRows<{ used: number }>(
      this.db,
      sql`select used from push_quota where day = ${day}`,
    );
    return Number(row?.used ?? 0);
  }

  /** Counts one SMS for the user today if under the cap; false when the cap is reached. */
  async takeSmsAllowance(userId: string, day: string, cap: number): Promise<boolean> {
    if (cap <= 0) return false;
    const [row] = await this.db
      .insert(smsDaily)
      .values({ userId, day, count: 1 })
      .onConflictDoUpdate({
        target: [smsDaily.userId, smsDaily.day],
        set: { count: sql`${smsDaily.count} + 1` },
        setWhere: lt(smsDaily.count, cap),
      })
      .returning({ count: smsDaily.count });
    return row !== undefined;
  }

  /** Gives back an allowance taken for an SMS that was not sent after all (the provider failed). */
  async releaseSmsAllowance(userId: string, day: string): Promise<void> {
    await this.db
      .update(smsDaily)
      .set({ count: sql`${smsDaily.count} - 1` })
      .where(and(eq(smsDaily.userId, userId), eq(smsDaily.day, day), gt(smsDaily.count, 0)));
  }
}
