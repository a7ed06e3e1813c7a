import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Executor, queryRows, queryRowsPrepared } from '../db/client.js';
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

  /**
   * Stores a batch of messages in one statement (group commit): checks membership, skips
   * (sender, clientMsgId) pairs already stored, gives each conversation's messages the next seqs
   * in input order under the conversation's row lock, and inserts them. Returns the stored rows;
   * inputs missing from it were refused (not a member) or are retries. A concurrent insert of the
   * same pair makes the statement fail: the caller then stores the batch one by one.
   */
  async insertBatch(
    tx: Executor,
    inputs: { conversationId: string; senderId: string; clientMsgId: string; body: string }[],
    /** A statement run by the same statement on the stored rows (the CTE named by its argument). */
    andThen?: (inserted: string) => string,
  ): Promise<MessageRow[]> {
    if (inputs.length === 0) return [];
    const param = <T>(values: T[]) => sql.param(values);
    const rows = await queryRowsPrepared<Record<string, unknown>>(
      tx,
      andThen ? 'abrik_insert_batch_notify' : 'abrik_insert_batch',
      sql`with input as (
            select * from unnest(
              ${param(inputs.map((i) => i.conversationId))}::uuid[],
              ${param(inputs.map((i) => i.senderId))}::uuid[],
              ${param(inputs.map((i) => i.clientMsgId))}::text[],
              ${param(inputs.map((i) => i.body))}::text[],
              ${param(inputs.map((_, n) => n))}::int[]
            ) as t(conversation_id, sender_id, client_msg_id, body, ord)
          ),
          allowed as (
            select i.* from input i
            where exists (select 1 from members m where m.conversation_id = i.conversation_id and m.user_id = i.sender_id)
              and not exists (select 1 from messages x where x.sender_id = i.sender_id and x.client_msg_id = i.client_msg_id)
          ),
          numbered as (
            select a.*, row_number() over (partition by a.conversation_id order by a.ord) as n,
                   count(*) over (partition by a.conversation_id) as k
            from allowed a
          ),
          locked as materialized (
            -- The batch's conversations locked in id order: batches written at once that share
            -- conversations queue behind each other instead of deadlocking.
            select c.id from conversations c
            where c.id in (select conversation_id from numbered)
            order by c.id
            for update
          ),
          bumped as (
            update conversations c
            set last_seq = c.last_seq + x.k, last_message_at = date_trunc('milliseconds', now())
            from (select distinct conversation_id, k from numbered) x, locked l
            where c.id = x.conversation_id and l.id = c.id
            returning c.id, c.last_seq - x.k as base, c.last_message_at
          ),
          inserted as (
            insert into messages (conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
            select n.conversation_id, b.base + n.n, n.sender_id, n.client_msg_id, 'text', n.body, b.last_message_at
            from numbered n join bumped b on b.id = n.conversation_id
            order by n.ord
            returning *
          )${andThen ? sql.raw(`, then_run as (${andThen('inserted')})`) : sql``}
          select * from inserted`,
    );
    return rows.map(rowToMessage);
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

/** A raw `messages` row (snake_case, bigint as text) as the Drizzle row type. */
function rowToMessage(r: Record<string, unknown>): MessageRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date));
  return {
    id: r.id as string,
    conversationId: r.conversation_id as string,
    seq: Number(r.seq),
    senderId: (r.sender_id as string | null) ?? null,
    clientMsgId: (r.client_msg_id as string | null) ?? null,
    kind: r.kind as MessageRow['kind'],
    body: (r.body as string | null) ?? null,
    createdAt: date(r.created_at)!,
    editedAt: date(r.edited_at),
    deletedAt: date(r.deleted_at),
  };
}
