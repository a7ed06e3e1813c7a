import type { FormerMember, MemberRole } from '@abrik/protocol';
import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { users } from '../identity/tables.js';
import { type ConversationRow, conversations, formerMembers, type MemberRow, members } from './tables.js';

export interface MemberWithName extends MemberRow {
  name: string | null;
  /** Their profile photo (users.avatar_file_id), if any. */
  avatarId?: string | null;
}

export interface ConversationListRow {
  conversation: ConversationRow;
  membership: Pick<MemberRow, 'role' | 'lastReadSeq' | 'muted'>;
  unreadCount: number;
  lastMessageId: string | null;
}

export interface ListCursor {
  lastMessageAt: Date;
  id: string;
}

export class ConversationRepository {
  constructor(private readonly db: Executor) {}

  async getById(id: string, db: Executor = this.db): Promise<ConversationRow | undefined> {
    const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
    return row;
  }

  async getByDirectKey(directKey: string, db: Executor = this.db): Promise<ConversationRow | undefined> {
    const [row] = await db.select().from(conversations).where(eq(conversations.directKey, directKey));
    return row;
  }

  /** Inserts a conversation; for a direct one whose pair exists already, returns undefined. */
  async insert(
    values: Pick<ConversationRow, 'kind'> & Partial<Omit<ConversationRow, 'id' | 'kind'>>,
    db: Executor = this.db,
  ): Promise<ConversationRow | undefined> {
    const [row] = await db.insert(conversations).values(values).onConflictDoNothing().returning();
    return row;
  }

  /** Adds members, skipping those already in; returns the ids that were added. */
  async addMembers(
    conversationId: string,
    rows: { userId: string; role: MemberRole }[],
    db: Executor = this.db,
  ): Promise<string[]> {
    if (rows.length === 0) return [];
    // Someone added back is a member again, their read marker where they left it.
    const inserted = await queryRows<{ user_id: string }>(
      db,
      sql`with input as (
            select * from unnest(${sql.param(rows.map((r) => r.userId))}::uuid[],
                                 ${sql.param(rows.map((r) => r.role))}::text[]) as t(user_id, role)
          ),
          added as (
            insert into ${members} (conversation_id, user_id, role, last_read_seq)
            select ${conversationId}::uuid, i.user_id, i.role, coalesce(f.last_read_seq, 0)
            from input i
            left join ${formerMembers} f on f.conversation_id = ${conversationId}::uuid and f.user_id = i.user_id
            on conflict do nothing
            returning user_id
          ),
          back as (
            delete from ${formerMembers}
            where conversation_id = ${conversationId}::uuid and user_id in (select user_id from added)
          )
          select user_id from added`,
    );
    return inserted.map((r) => r.user_id);
  }

  /**
   * Takes a member out; they become a former member (their name stays on their messages, their
   * read marker on the receipts). `removedBy` null: they left.
   */
  async removeMember(
    conversationId: string,
    userId: string,
    db: Executor = this.db,
    removedBy: string | null = null,
  ): Promise<boolean> {
    const rows = await queryRows<{ user_id: string }>(
      db,
      sql`with gone as (
            delete from ${members} where conversation_id = ${conversationId} and user_id = ${userId}
            returning conversation_id, user_id, role, last_read_seq
          ),
          kept as (
            insert into ${formerMembers} (conversation_id, user_id, role, last_read_seq, removed_by, left_at)
            select conversation_id, user_id, role, last_read_seq, ${removedBy}::uuid, now() from gone
            on conflict (conversation_id, user_id) do update
              set role = excluded.role, last_read_seq = excluded.last_read_seq,
                  removed_by = excluded.removed_by, left_at = excluded.left_at
          )
          select user_id from gone`,
    );
    return rows.length > 0;
  }

  /** People who left or were removed, with their names, most recent first. */
  async listFormerMembers(conversationId: string): Promise<FormerMember[]> {
    const rows = await this.db
      .select({ former: formerMembers, name: users.name })
      .from(formerMembers)
      .innerJoin(users, eq(users.id, formerMembers.userId))
      .where(eq(formerMembers.conversationId, conversationId))
      .orderBy(desc(formerMembers.leftAt));
    return rows.map((r) => ({
      userId: r.former.userId,
      name: r.name,
      lastReadSeq: r.former.lastReadSeq,
      leftAt: r.former.leftAt.toISOString(),
    }));
  }

  /** Whether the user was a member and left or was removed. */
  async wasMember(conversationId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ userId: formerMembers.userId })
      .from(formerMembers)
      .where(and(eq(formerMembers.conversationId, conversationId), eq(formerMembers.userId, userId)));
    return row !== undefined;
  }

  /** Sets a group's title and/or description. */
  async update(
    conversationId: string,
    values: { title?: string | undefined; description?: string | null | undefined },
  ): Promise<ConversationRow | undefined> {
    const [row] = await this.db
      .update(conversations)
      .set(values)
      .where(eq(conversations.id, conversationId))
      .returning();
    return row;
  }

  async setMemberRole(
    conversationId: string,
    userId: string,
    role: MemberRole,
    db: Executor = this.db,
  ): Promise<void> {
    await db
      .update(members)
      .set({ role })
      .where(and(eq(members.conversationId, conversationId), eq(members.userId, userId)));
  }

  async getMembership(
    conversationId: string,
    userId: string,
    db: Executor = this.db,
  ): Promise<MemberRow | undefined> {
    const [row] = await db
      .select()
      .from(members)
      .where(and(eq(members.conversationId, conversationId), eq(members.userId, userId)));
    return row;
  }

  async listMembers(conversationIds: string[], db: Executor = this.db): Promise<MemberWithName[]> {
    if (conversationIds.length === 0) return [];
    const rows = await db
      .select({ member: members, name: users.name, avatarId: users.avatarFileId })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(inArray(members.conversationId, conversationIds))
      .orderBy(asc(members.joinedAt), asc(members.userId));
    return rows.map((r) => ({ ...r.member, name: r.name, avatarId: r.avatarId }));
  }

  /** Sets the member's mute flag; false for a non-member. */
  async setMuted(conversationId: string, userId: string, muted: boolean): Promise<boolean> {
    const rows = await this.db
      .update(members)
      .set({ muted })
      .where(and(eq(members.conversationId, conversationId), eq(members.userId, userId)))
      .returning({ userId: members.userId });
    return rows.length > 0;
  }

  async countMembers(conversationId: string, db: Executor = this.db): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(members)
      .where(eq(members.conversationId, conversationId));
    return Number(row?.n ?? 0);
  }

  async countMembersOf(conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: members.conversationId, n: sql<number>`count(*)::int` })
      .from(members)
      .where(inArray(members.conversationId, conversationIds))
      .groupBy(members.conversationId);
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  /** The user's conversations, most recently active first, with unread counts and last message id. */
  async listForUser(
    userId: string,
    options: { kind?: ConversationRow['kind'] | undefined; limit: number; before?: ListCursor | undefined },
  ): Promise<ConversationListRow[]> {
    const c = conversations;
    const m = members;
    const rows = await this.db
      .select({
        conversation: c,
        membership: { role: m.role, lastReadSeq: m.lastReadSeq, muted: m.muted },
        unreadCount: sql<number>`(
          select count(*)::int from messages x
          where x.conversation_id = ${c.id} and x.seq > ${m.lastReadSeq}
            and x.deleted_at is null and x.sender_id is distinct from ${userId}::uuid)`,
        lastMessageId: sql<string | null>`(
          select x.id from messages x where x.conversation_id = ${c.id} order by x.seq desc limit 1)`,
      })
      .from(m)
      .innerJoin(c, eq(c.id, m.conversationId))
      .where(
        and(
          eq(m.userId, userId),
          // Notes sit beside their support conversation, never in a list of their own.
          options.kind ? eq(c.kind, options.kind) : ne(c.kind, 'notes'),
          options.before
            ? sql`(${c.lastMessageAt}, ${c.id}) < (${options.before.lastMessageAt.toISOString()}::timestamptz, ${options.before.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(sql`${c.lastMessageAt} desc, ${c.id} desc`)
      .limit(options.limit);
    return rows.map((r) => ({ ...r, unreadCount: Number(r.unreadCount) }));
  }

  async conversationIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: members.conversationId })
      .from(members)
      .where(eq(members.userId, userId));
    return rows.map((r) => r.id);
  }

  /**
   * Everyone who shares a direct or support conversation with the user, or a group of at most
   * `groupLimit` members (in bigger groups presence is asked for, not broadcast: a reconnect
   * storm in a group of n would otherwise send n² events).
   */
  async contactsOf(userId: string, groupLimit: number): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      this.db,
      sql`select distinct other.user_id from members mine
        join conversations c on c.id = mine.conversation_id
        join members other on other.conversation_id = mine.conversation_id
        where mine.user_id = ${userId} and other.user_id <> ${userId}
          and (c.kind <> 'group'
            or (select count(*) from members m where m.conversation_id = c.id) <= ${groupLimit})`,
    );
    return rows.map((r) => r.user_id);
  }

  /** Of the given users, those who share a conversation with the user. */
  async sharedWith(userId: string, others: string[]): Promise<string[]> {
    if (others.length === 0) return [];
    const rows = await queryRows<{ user_id: string }>(
      this.db,
      sql`select distinct other.user_id from members mine
        join members other on other.conversation_id = mine.conversation_id
        where mine.user_id = ${userId} and other.user_id in ${others}`,
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * Moves the member's read marker forward to `seq` (never back, never past the last message).
   * Returns the marker after the update and whether it moved, or undefined for a non-member.
   */
  async markRead(
    conversationId: string,
    userId: string,
    seq: number,
  ): Promise<{ lastReadSeq: number; advanced: boolean } | undefined> {
    const [row] = await queryRows<{ last_read_seq: string | number; previous: string | number }>(
      this.db,
      sql`
      with prev as (
        select last_read_seq from members where conversation_id = ${conversationId} and user_id = ${userId}
      )
      update members set last_read_seq = greatest(members.last_read_seq,
        least(${seq}::bigint, (select last_seq from conversations where id = ${conversationId})))
      where conversation_id = ${conversationId} and user_id = ${userId}
      returning members.last_read_seq, (select last_read_seq from prev) as previous`,
    );
    if (!row) return undefined;
    const lastReadSeq = Number(row.last_read_seq);
    return { lastReadSeq, advanced: lastReadSeq > Number(row.previous) };
  }

  /** For each of the user's conversations: its last seq and the user's read marker. */
  async syncState(
    userId: string,
  ): Promise<{ conversationId: string; lastSeq: number; lastReadSeq: number }[]> {
    const rows = await this.db
      .select({
        conversationId: members.conversationId,
        lastSeq: conversations.lastSeq,
        lastReadSeq: members.lastReadSeq,
      })
      .from(members)
      .innerJoin(conversations, eq(conversations.id, members.conversationId))
      .where(eq(members.userId, userId));
    return rows;
  }
}
