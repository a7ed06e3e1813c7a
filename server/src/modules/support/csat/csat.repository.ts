import type { CsatChannel } from '@abrik/protocol';
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../../platform/db/client.js';
import { type CsatRow, supportCsat } from './tables.js';

/** What the satisfaction figures are grouped by. */
export type CsatGrouping = 'inbox' | 'team' | 'agent';

/** One group's satisfaction over a range: surveys asked, answered, and the ratings' sum and mean. */
export interface CsatSummaryRow {
  /** The inbox, team or agent id; null for surveys without one (no team, nobody had it). */
  key: string | null;
  asked: number;
  answered: number;
  ratingSum: number;
  /** Mean rating of the answered surveys; null when none was answered. */
  mean: number | null;
}

/** The satisfaction surveys: one row per resolve cycle of a support conversation. */
export class CsatRepository {
  constructor(private readonly db: Executor) {}

  /** The survey of a cycle, unless it exists already (a listener run twice): undefined then. */
  async insertIfAbsent(
    values: typeof supportCsat.$inferInsert,
    db: Executor = this.db,
  ): Promise<CsatRow | undefined> {
    const [row] = await db
      .insert(supportCsat)
      .values(values)
      .onConflictDoNothing({ target: [supportCsat.conversationId, supportCsat.cycle] })
      .returning();
    return row;
  }

  async get(id: string): Promise<CsatRow | undefined> {
    const [row] = await this.db.select().from(supportCsat).where(eq(supportCsat.id, id));
    return row;
  }

  /** Each conversation's survey of its latest resolve cycle. */
  async latest(conversationIds: string[]): Promise<Map<string, CsatRow>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .selectDistinctOn([supportCsat.conversationId])
      .from(supportCsat)
      .where(inArray(supportCsat.conversationId, conversationIds))
      .orderBy(supportCsat.conversationId, desc(supportCsat.cycle));
    return new Map(rows.map((r) => [r.conversationId, r]));
  }

  /** Every survey of a conversation, first cycle first. */
  async listOf(conversationId: string): Promise<CsatRow[]> {
    return this.db
      .select()
      .from(supportCsat)
      .where(eq(supportCsat.conversationId, conversationId))
      .orderBy(asc(supportCsat.cycle));
  }

  async byTokenHash(hash: string): Promise<CsatRow | undefined> {
    const [row] = await this.db.select().from(supportCsat).where(eq(supportCsat.linkTokenHash, hash));
    return row;
  }

  /**
   * Records an answer (or a change of it) unless the first answer was given at or before
   * `editableAfter`; undefined then. The first answer's time is kept.
   */
  async answer(
    id: string,
    answer: { rating: number; comment: string | null; via: CsatChannel; at: Date; editableAfter: Date },
    db: Executor = this.db,
  ): Promise<CsatRow | undefined> {
    const [row] = await db
      .update(supportCsat)
      .set({
        rating: answer.rating,
        comment: answer.comment,
        via: answer.via,
        answeredAt: sql`coalesce(${supportCsat.answeredAt}, ${answer.at.toISOString()}::timestamptz)`,
        updatedAt: answer.at,
      })
      .where(
        and(
          eq(supportCsat.id, id),
          or(isNull(supportCsat.answeredAt), gte(supportCsat.answeredAt, answer.editableAfter)),
        ),
      )
      .returning();
    return row;
  }

  /** A new SMS link for the survey (its token's hash): any earlier link stops working. */
  async setLink(id: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db
      .update(supportCsat)
      .set({ linkTokenHash: tokenHash, linkExpiresAt: expiresAt })
      .where(eq(supportCsat.id, id));
  }

  async markLinkSent(id: string, at: Date): Promise<void> {
    await this.db.update(supportCsat).set({ linkSentAt: at }).where(eq(supportCsat.id, id));
  }

  /**
   * Satisfaction per inbox, team or agent (of the time of resolving) for the surveys asked in
   * [from, to): score = mean rating of those answered, response rate = answered / asked.
   */
  async summary(query: {
    from: Date;
    to: Date;
    by: CsatGrouping;
    inboxIds?: string[] | undefined;
  }): Promise<CsatSummaryRow[]> {
    const c = supportCsat;
    const key = { inbox: c.inboxId, team: c.teamId, agent: c.agentId }[query.by];
    const where: (SQL | undefined)[] = [
      gte(c.askedAt, query.from),
      lt(c.askedAt, query.to),
      query.inboxIds ? inArray(c.inboxId, query.inboxIds) : undefined,
    ];
    const rows = await this.db
      .select({
        key,
        asked: sql<number>`count(*)::int`,
        answered: sql<number>`count(${c.rating})::int`,
        ratingSum: sql<number>`coalesce(sum(${c.rating}), 0)::int`,
        mean: sql<number | null>`avg(${c.rating})::float8`,
      })
      .from(c)
      .where(and(...where))
      .groupBy(key)
      .orderBy(key);
    return rows.map((r) => ({ ...r, mean: r.mean === null ? null : Number(r.mean) }));
  }
}
