import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../db/client.js';
import { conversations, type MessageRow, members, messages } from '../db/schema.js';

export interface NewMessage {
  conversationId: string;
  senderId: string | null;
  clientMsgId: string | null;
  kind: MessageRow['kind'];
  body: string | null;
}

export class MessageRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Takes the conversation's next seq, holding its row lock until the transaction ends, so seqs
   * are gap-free and strictly increasing. With `memberId` the update happens only if that user is
   * a member: authorisation and seq allocation in one round trip. Undefined when refused.
   */
  async allocateSeq(
    tx: Executor,
    conversationId: string,
    memberId: string | null,
  ): Promise<{ seq: number; createdAt: Date } | undefined> {
    const membership = memberId
      ? sql`and exists (select 1 from ${members} where ${members.conversationId} = ${conversationId} and ${members.userId} = ${memberId})`
      : sql``;
    const [row] = await queryRows<{ last_seq: string | number; now: Date | string }>(
      tx,
      sql`
      update ${conversations} set last_seq = last_seq + 1, last_message_at = date_trunc('milliseconds', now())
      where id = ${conversationId} ${membership}
      returning last_seq, last_message_at as now`,
    );
    return row ? { seq: Number(row.last_seq), createdAt: new Date(row.now) } : undefined;
  }

  /** Inserts the message; undefined when (sender, clientMsgId) exists already. */
  async insert(
    tx: Executor,
    message: NewMessage & { seq: number; createdAt: Date },
  ): Promise<MessageRow | undefined> {
    const [row] = await tx.insert(messages).values(message).onConflictDoNothing().returning();
    return row;
  }

  async getByClientMsgId(senderId: string, clientMsgId: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(and(eq(messages.senderId, senderId), eq(messages.clientMsgId, clientMsgId)));
    return row;
  }

  async getById(conversationId: string, id: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.id, id)));
    return row;
  }

  async getByIds(ids: string[]): Promise<MessageRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(messages).where(inArray(messages.id, ids));
  }

  /** Live messages from others after the reader's marker. */
  async countUnread(conversationId: string, readerId: string, lastReadSeq: number): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          gt(messages.seq, lastReadSeq),
          isNull(messages.deletedAt),
          or(isNull(messages.senderId), ne(messages.senderId, readerId)),
        ),
      );
    return Number(row?.n ?? 0);
  }

  /** A page of history: newest first below `before`, oldest first above `after`, else the newest. */
  async listPage(
    conversationId: string,
    options: { before?: number | undefined; after?: number | undefined; limit: number },
  ): Promise<MessageRow[]> {
    const where = and(
      eq(messages.conversationId, conversationId),
      options.before !== undefined ? lt(messages.seq, options.before) : undefined,
      options.after !== undefined ? gt(messages.seq, options.after) : undefined,
    );
    const order = options.after !== undefined ? asc(messages.seq) : desc(messages.seq);
    return this.db.select().from(messages).where(where).orderBy(order).limit(options.limit);
  }

  /** Changes the body of a live message sent by `senderId`. */
  async updateBody(
    conversationId: string,
    id: string,
    senderId: string,
    body: string,
  ): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .update(messages)
      .set({ body, editedAt: sql`now()` })
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.id, id),
          eq(messages.senderId, senderId),
          isNull(messages.deletedAt),
        ),
      )
      .returning();
    return row;
  }

  /** Soft-deletes a message sent by `senderId`: the body is erased, the seq stays. */
  async softDelete(conversationId: string, id: string, senderId: string): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .update(messages)
      .set({ body: null, deletedAt: sql`now()` })
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.id, id),
          eq(messages.senderId, senderId),
          isNull(messages.deletedAt),
        ),
      )
      .returning();
    return row;
  }
}
