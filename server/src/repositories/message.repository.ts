import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Executor, queryRows, queryTextPrepared } from '../db/client.js';
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
    const n = inputs.length;
    const conversationIds = new Array<string>(n);
    const senderIds = new Array<string>(n);
    const clientMsgIds = new Array<string>(n);
    const bodies = new Array<string>(n);
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const input = inputs[i]!;
      conversationIds[i] = input.conversationId;
      senderIds[i] = input.senderId;
      clientMsgIds[i] = input.clientMsgId;
      bodies[i] = input.body;
      order[i] = i;
    }
    const statement = this.batchStatement(andThen);
    const rows = await queryTextPrepared<Record<string, unknown>>(tx, statement.name, statement.text, [
      conversationIds,
      senderIds,
      clientMsgIds,
      bodies,
      order,
    ]);
    return rows.map(rowToMessage);
  }

  /**
   * The group commit's text, built once per follow-up statement (its parameters are arrays). A
   * process has one follow-up (the notification job), so one name per flavour is enough.
   */
  private batchStatement(andThen?: (inserted: string) => string): { name: string; text: string } {
    let statement = this.statements.get(andThen);
    if (!statement) {
      statement = andThen
        ? { name: 'abrik_insert_batch_notify', text: batchText(`, then_run as (${andThen('inserted')})`) }
        : { name: 'abrik_insert_batch', text: batchText('') };
      this.statements.set(andThen, statement);
    }
    return statement;
  }

  private readonly statements = new Map<
    ((inserted: string) => string) | undefined,
    { name: string; text: string }
  >();

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

  /** The live messages among `ids` that belong to support conversations, in seq order. */
  async liveInSupport(ids: string[]): Promise<MessageRow[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select msg.* from ${messages} msg join ${conversations} c on c.id = msg.conversation_id
          where msg.id = any(${sql.param(ids)}::uuid[]) and c.kind = 'support' and msg.deleted_at is null
          order by msg.conversation_id, msg.seq`,
    );
    return rows.map(rowToMessage);
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

/**
 * The group commit as one statement over five parallel arrays ($1 conversation ids, $2 senders,
 * $3 client ids, $4 bodies, $5 input order); `then` adds CTEs run on the `inserted` rows.
 *
 * Every step is linear in the batch's size: the conversations are reached through their primary
 * key, and the inserted rows find their conversation's base seq in a jsonb map (one row) rather
 * than by joining two CTEs — the planner, which cannot see how many rows a CTE holds, nested
 * those joins, and at 64 messages a batch half of the statement's time went to comparing every
 * message with every conversation.
 */
function batchText(then: string): string {
  return `with input as (
      select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[])
        as t(conversation_id, sender_id, client_msg_id, body, ord)
    ),
    allowed as (
      -- Both checks are index probes per message ("offset 0" keeps them subplans): as joins,
      -- a plan made while the tables were small hashed all of messages at every batch, and
      -- a prepared statement keeps its plan as the table grows.
      select i.* from input i
      where exists (select 1 from members m
                    where m.conversation_id = i.conversation_id and m.user_id = i.sender_id offset 0)
        and not exists (select 1 from messages x
                        where x.sender_id = i.sender_id and x.client_msg_id = i.client_msg_id offset 0)
    ),
    locked as materialized (
      -- The batch's conversations locked in id order: batches written at once that share
      -- conversations queue behind each other instead of deadlocking.
      select c.id, x.k from conversations c
      join (select conversation_id, count(*) as k from allowed group by conversation_id) x on x.conversation_id = c.id
      order by c.id
      for update of c
    ),
    bumped as (
      update conversations c
      set last_seq = c.last_seq + l.k, last_message_at = date_trunc('milliseconds', now())
      from locked l
      where c.id = l.id
      returning c.id, c.last_seq - l.k as base
    ),
    bases as materialized (
      select jsonb_object_agg(id, base) as seq from bumped
    ),
    inserted as (
      insert into messages (conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
      select a.conversation_id,
             (b.seq ->> a.conversation_id::text)::bigint
               + row_number() over (partition by a.conversation_id order by a.ord),
             a.sender_id, a.client_msg_id, 'text', a.body, date_trunc('milliseconds', now())
      from allowed a, bases b
      where b.seq ? a.conversation_id::text
      order by a.ord
      returning *
    )${then}
    select * from inserted`;
}
