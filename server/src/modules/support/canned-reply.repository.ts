import { and, asc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { pgErrorCode } from '../../platform/errors.js';
import { type CannedReplyRow, supportCannedReplies } from './tables.js';

/** Canned replies: personal, a team's, or shared by everyone. */
export class CannedReplyRepository {
  constructor(private readonly db: Executor) {}

  /** The replies a user may use: their own, their teams', the shared ones. */
  async visibleTo(
    userId: string,
    /** Their teams; `all` for an admin, who manages every team's. */
    teamIds: string[] | 'all',
    filter: { keyPrefix?: string | undefined; q?: string | undefined } = {},
  ): Promise<CannedReplyRow[]> {
    const r = supportCannedReplies;
    const scope = or(
      and(eq(r.scope, 'personal'), eq(r.ownerId, userId)),
      teamIds === 'all'
        ? eq(r.scope, 'team')
        : teamIds.length > 0
          ? and(eq(r.scope, 'team'), inArray(r.teamId, teamIds))
          : undefined,
      eq(r.scope, 'shared'),
    );
    const where: (SQL | undefined)[] = [scope];
    if (filter.keyPrefix !== undefined) {
      where.push(sql`starts_with(${r.shortcutKey}, ${filter.keyPrefix})`);
    }
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(or(ilike(r.title, like), ilike(r.body, like), ilike(r.shortcut, like)));
    }
    return this.db
      .select()
      .from(r)
      .where(and(...where))
      .orderBy(asc(r.shortcutKey))
      .limit(200);
  }

  async get(id: string): Promise<CannedReplyRow | undefined> {
    const [row] = await this.db.select().from(supportCannedReplies).where(eq(supportCannedReplies.id, id));
    return row;
  }

  /** Inserts a reply; undefined when its shortcut is taken in its scope. */
  async insert(values: typeof supportCannedReplies.$inferInsert): Promise<CannedReplyRow | undefined> {
    const [row] = await this.db.insert(supportCannedReplies).values(values).onConflictDoNothing().returning();
    return row;
  }

  /** Updates a reply; undefined when the new shortcut is taken in its scope. */
  async update(
    id: string,
    patch: Partial<Pick<CannedReplyRow, 'shortcut' | 'shortcutKey' | 'title' | 'body'>>,
  ): Promise<CannedReplyRow | undefined> {
    try {
      const [row] = await this.db
        .update(supportCannedReplies)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(supportCannedReplies.id, id))
        .returning();
      return row;
    } catch (error) {
      if (pgErrorCode(error) === '23505') return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db
      .delete(supportCannedReplies)
      .where(eq(supportCannedReplies.id, id))
      .returning({ id: supportCannedReplies.id });
    return rows.length > 0;
  }
}
