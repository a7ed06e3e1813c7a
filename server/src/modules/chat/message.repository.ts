import type { MessageMeta, Pin, Reaction, ReplyPreview } from '@abrik/protocol';
import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Executor, queryRows, queryTextPrepared } from '../../platform/db/client.js';
import {
  conversationPins,
  conversations,
  hiddenMessages,
  type MessageRow,
  messageReactions,
  messages,
} from './tables.js';

/** What a page of messages shows besides the rows: quoted messages, reactions, what the reader hid. */
export interface MessageExtras {
  replies: Map<number, ReplyPreview>;
  reactions: Map<string, Reaction[]>;
  hidden: Set<string>;
}

/** How much of a quoted message's text a reply carries. */
const REPLY_PREVIEW_CHARS = 200;
/** Reacting users named per emoji. */
const REACTION_USERS = 50;

/** One send for the group commit. */
export interface BatchInput {
  conversationId: string;
  senderId: string;
  clientMsgId: string;
  body: string;
  /** The message it answers (checked by the caller: a seq of the same conversation). */
  replyToSeq?: number | null | undefined;
  /** An attachment or a forward's origin. */
  meta?: MessageMeta | null | undefined;
}

/**
 * What the group commit did with each input: `stored`; `duplicate`, the (sender, clientMsgId)
 * was stored before (`first` is that message); `not_member`, refused.
 */
export type BatchOutcome =
  | { outcome: 'stored'; message: MessageRow }
  | { outcome: 'duplicate'; first: MessageRow }
  | { outcome: 'not_member' };

/**
 * SQL run by the group commit's own statement on the rows it stored (the CTE whose name it is
 * given): the messages' notify job, so they and their job commit in one round trip.
 */
export type StoredMessagesJob = (inserted: string) => string;

export class MessageRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Stores a batch of messages in one statement (group commit): checks membership, skips
   * (sender, clientMsgId) pairs stored before, gives each conversation's messages the next seqs
   * in input order under the conversation's row lock, inserts them and runs `job` on them.
   * Answers an outcome per input, in input order. A concurrent insert of the same pair makes the
   * whole statement fail (unique violation): the caller then writes its inputs one at a time.
   */
  async insertBatch(
    inputs: BatchInput[],
    job?: StoredMessagesJob,
    db: Executor = this.db,
  ): Promise<BatchOutcome[]> {
    if (inputs.length === 0) return [];
    const n = inputs.length;
    const conversationIds = new Array<string>(n);
    const senderIds = new Array<string>(n);
    const clientMsgIds = new Array<string>(n);
    const bodies = new Array<string>(n);
    const order = new Array<number>(n);
    const replies = new Array<number | null>(n);
    const metas = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const input = inputs[i]!;
      conversationIds[i] = input.conversationId;
      senderIds[i] = input.senderId;
      clientMsgIds[i] = input.clientMsgId;
      bodies[i] = input.body;
      order[i] = i;
      replies[i] = input.replyToSeq ?? null;
      metas[i] = input.meta ? JSON.stringify(input.meta) : null;
    }
    const statement = this.batchStatement(job);
    const rows = await queryTextPrepared<Record<string, unknown>>(db, statement.name, statement.text, [
      conversationIds,
      senderIds,
      clientMsgIds,
      bodies,
      order,
      replies,
      metas,
    ]);
    const outcomes = new Array<BatchOutcome | undefined>(n);
    const stored = new Map<string, MessageRow>();
    for (const row of rows) {
      if (row.outcome === 'stored') {
        const message = rowToMessage(row);
        stored.set(`${message.senderId}:${message.clientMsgId}`, message);
      } else {
        outcomes[Number(row.ord)] =
          row.outcome === 'duplicate'
            ? { outcome: 'duplicate', first: rowToMessage(row) }
            : { outcome: 'not_member' };
      }
    }
    return inputs.map((input, i) => {
      const message = stored.get(`${input.senderId}:${input.clientMsgId}`);
      // An input missing from every list would be a bug in the statement: refuse it loudly.
      const outcome = outcomes[i] ?? (message ? { outcome: 'stored' as const, message } : undefined);
      if (!outcome) throw new Error(`group commit gave no outcome for input ${i}`);
      return outcome;
    });
  }

  /** The statement's text, built once per job (its parameters are arrays). */
  private batchStatement(job?: StoredMessagesJob): { name: string; text: string } {
    let statement = this.statements.get(job);
    if (!statement) {
      statement = job
        ? { name: 'abrik_write_batch_job', text: batchText(`, job as (${job('inserted')})`) }
        : { name: 'abrik_write_batch', text: batchText('') };
      this.statements.set(job, statement);
    }
    return statement;
  }

  private readonly statements = new Map<StoredMessagesJob | undefined, { name: string; text: string }>();

  /** Stores a system message (no sender) as the conversation's next seq, in one statement. */
  async insertSystem(
    conversationId: string,
    body: string | null,
    db: Executor = this.db,
    meta: MessageMeta | null = null,
  ): Promise<MessageRow | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      db,
      sql`with bumped as (
            update conversations set last_seq = last_seq + 1, last_message_at = date_trunc('milliseconds', now())
            where id = ${conversationId} returning id, last_seq, last_message_at)
          insert into messages (conversation_id, seq, sender_id, kind, body, meta, created_at)
          select id, last_seq, null, 'system', ${body}, ${meta ? JSON.stringify(meta) : null}::jsonb, last_message_at
          from bumped
          returning *`,
    );
    return row ? rowToMessage(row) : undefined;
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

  /** Live unread messages of the user over all their conversations (the app badge). */
  async countUnreadOfUser(userId: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(*)::int as n from members m join messages x on x.conversation_id = m.conversation_id
          where m.user_id = ${userId} and x.seq > m.last_read_seq and x.deleted_at is null
            and x.sender_id is distinct from ${userId}::uuid`,
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

  async getBySeq(conversationId: string, seq: number): Promise<MessageRow | undefined> {
    const [row] = await this.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.seq, seq)));
    return row;
  }

  /**
   * The quoted messages, reactions and (for `readerId`) hidden messages of `rows` — a query for
   * each that has anything to find; a page of plain texts nobody reacted to costs one or two.
   */
  async extras(
    conversationId: string,
    rows: readonly MessageRow[],
    readerId?: string,
  ): Promise<MessageExtras> {
    const extras: MessageExtras = { replies: new Map(), reactions: new Map(), hidden: new Set() };
    if (rows.length === 0) return extras;
    const ids = rows.map((r) => r.id);
    const quoted = [...new Set(rows.map((r) => r.replyToSeq).filter((s): s is number => s !== null))];
    // Reactions and what the reader hid come in one statement, rows told apart by `kind`: a page
    // costs one query (two with quoted messages) even when it has neither.
    const hiddenRows =
      readerId === undefined
        ? sql``
        : sql`union all
              select 'hidden', message_id, null::text, null::int, null::uuid[], null::timestamptz
              from ${hiddenMessages}
              where user_id = ${readerId} and message_id = any(${sql.param(ids)}::uuid[])`;
    const [replies, marks] = await Promise.all([
      quoted.length > 0 ? this.replyPreviews(conversationId, quoted) : undefined,
      queryRows<ReactionRow & { kind: 'reaction' | 'hidden' }>(
        this.db,
        sql`${reactionRows(ids)} ${hiddenRows} order by kind, message_id, first_at, emoji`,
      ),
    ]);
    if (replies) extras.replies = replies;
    extras.reactions = reactionMap(marks.filter((m) => m.kind === 'reaction'));
    for (const m of marks) if (m.kind === 'hidden') extras.hidden.add(m.message_id);
    return extras;
  }

  /** Previews of the messages at `seqs` in a conversation, by seq. */
  async replyPreviews(conversationId: string, seqs: number[]): Promise<Map<number, ReplyPreview>> {
    const rows = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select id, seq, sender_id, left(body, ${REPLY_PREVIEW_CHARS}) as body, deleted_at,
                 meta -> 'attachment' ->> 'kind' as attachment_kind
          from ${messages}
          where conversation_id = ${conversationId} and seq = any(${sql.param(seqs)}::bigint[])`,
    );
    return new Map(
      rows.map((r) => {
        const deleted = r.deleted_at !== null && r.deleted_at !== undefined;
        return [
          Number(r.seq),
          {
            seq: Number(r.seq),
            id: r.id as string,
            senderId: (r.sender_id as string | null) ?? null,
            body: deleted ? null : ((r.body as string | null) ?? null) || null,
            attachmentKind: deleted ? null : ((r.attachment_kind as ReplyPreview['attachmentKind']) ?? null),
            deleted,
          },
        ];
      }),
    );
  }

  /** The reactions on these messages: per message, per emoji, a count and the first people. */
  async reactionsOf(messageIds: string[]): Promise<Map<string, Reaction[]>> {
    if (messageIds.length === 0) return new Map();
    const rows = await queryRows<ReactionRow>(
      this.db,
      sql`${reactionRows(messageIds)} order by message_id, first_at, emoji`,
    );
    return reactionMap(rows);
  }

  /** Sets the user's reaction to a message (one per person), or takes it back (`null`). */
  async setReaction(messageId: string, userId: string, emoji: string | null): Promise<void> {
    if (emoji === null) {
      await this.db
        .delete(messageReactions)
        .where(and(eq(messageReactions.messageId, messageId), eq(messageReactions.userId, userId)));
      return;
    }
    await this.db
      .insert(messageReactions)
      .values({ messageId, userId, emoji })
      .onConflictDoUpdate({
        target: [messageReactions.messageId, messageReactions.userId],
        set: { emoji, createdAt: sql`now()` },
        setWhere: sql`${messageReactions.emoji} <> excluded.emoji`,
      });
  }

  /** Hides a message from one person's history ("delete for me"); answers whether it was new. */
  async hide(userId: string, conversationId: string, messageId: string): Promise<boolean> {
    const rows = await this.db
      .insert(hiddenMessages)
      .values({ userId, conversationId, messageId })
      .onConflictDoNothing()
      .returning({ id: hiddenMessages.messageId });
    return rows.length > 0;
  }

  async pins(conversationId: string): Promise<Pin[]> {
    const rows = await this.db
      .select({
        messageId: conversationPins.messageId,
        seq: messages.seq,
        pinnedBy: conversationPins.pinnedBy,
        pinnedAt: conversationPins.pinnedAt,
      })
      .from(conversationPins)
      .innerJoin(messages, eq(messages.id, conversationPins.messageId))
      .where(and(eq(conversationPins.conversationId, conversationId), isNull(messages.deletedAt)))
      .orderBy(desc(conversationPins.pinnedAt), desc(messages.seq));
    return rows.map((r) => ({ ...r, pinnedAt: r.pinnedAt.toISOString() }));
  }

  /** Pins a message; answers whether it was not pinned before. */
  async pin(conversationId: string, messageId: string, userId: string): Promise<boolean> {
    const rows = await this.db
      .insert(conversationPins)
      .values({ conversationId, messageId, pinnedBy: userId })
      .onConflictDoNothing()
      .returning({ id: conversationPins.messageId });
    return rows.length > 0;
  }

  /** Unpins a message; answers whether it was pinned. */
  async unpin(conversationId: string, messageId: string): Promise<boolean> {
    const rows = await this.db
      .delete(conversationPins)
      .where(
        and(eq(conversationPins.conversationId, conversationId), eq(conversationPins.messageId, messageId)),
      )
      .returning({ id: conversationPins.messageId });
    return rows.length > 0;
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
    replyToSeq: r.reply_to_seq === null || r.reply_to_seq === undefined ? null : Number(r.reply_to_seq),
    meta: (r.meta as MessageRow['meta']) ?? null,
    createdAt: date(r.created_at)!,
    editedAt: date(r.edited_at),
    deletedAt: date(r.deleted_at),
  };
}

/** A row of reactionRows: one emoji on one message. */
interface ReactionRow {
  message_id: string;
  emoji: string;
  count: number;
  user_ids: string[];
  first_at: Date | string;
}

/**
 * The reactions on these messages, one row per message and emoji (kind 'reaction'), with when
 * the emoji was first given: order by message_id, first_at, emoji for reactionMap.
 */
function reactionRows(messageIds: string[]) {
  return sql`select 'reaction' as kind, message_id, emoji, count(*)::int as count,
                    (array_agg(user_id order by created_at, user_id))[1:${REACTION_USERS}] as user_ids,
                    min(created_at) as first_at
             from ${messageReactions}
             where message_id = any(${sql.param(messageIds)}::uuid[])
             group by message_id, emoji`;
}

/** Reaction rows, in the order reactionRows gives, as each message's list. */
function reactionMap(rows: readonly ReactionRow[]): Map<string, Reaction[]> {
  const map = new Map<string, Reaction[]>();
  for (const r of rows) {
    const list = map.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji as Reaction['emoji'], count: Number(r.count), userIds: r.user_ids });
    map.set(r.message_id, list);
  }
  return map;
}

/**
 * The group commit as one statement over seven parallel arrays ($1 conversation ids, $2 senders,
 * $3 client ids, $4 bodies, $5 input order, $6 replied-to seqs, $7 meta as JSON text); `then` adds CTEs run on the `inserted` rows. It
 * answers the stored rows, then one row per refused or duplicate input (with its order).
 *
 * Every step is linear in the batch's size (docs/performance.md, "The group commit"): the
 * conversations are reached by primary key, and the stored rows find their conversation's base
 * seq in a one-row jsonb map, not by joining two CTEs (which the planner nested).
 */
function batchText(then: string): string {
  return `with input as (
      select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[])
        as t(conversation_id, sender_id, client_msg_id, body, ord, reply_to_seq, meta)
    ),
    checked as materialized (
      -- Both checks are index probes per message ("offset 0" keeps them subplans): a prepared
      -- statement keeps its plan as the tables grow, and a join planned on small tables hashed all.
      select i.*,
        exists (select 1 from members m
                where m.conversation_id = i.conversation_id and m.user_id = i.sender_id offset 0) as member,
        (select x.id from messages x
         where x.sender_id = i.sender_id and x.client_msg_id = i.client_msg_id offset 0) as first_id
      from input i
    ),
    allowed as (
      select * from checked where member and first_id is null
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
      insert into messages (conversation_id, seq, sender_id, client_msg_id, kind, body, reply_to_seq, meta, created_at)
      select a.conversation_id,
             (b.seq ->> a.conversation_id::text)::bigint
               + row_number() over (partition by a.conversation_id order by a.ord),
             a.sender_id, a.client_msg_id, 'text', a.body, a.reply_to_seq, a.meta::jsonb,
             date_trunc('milliseconds', now())
      from allowed a, bases b
      where b.seq ? a.conversation_id::text
      order by a.ord
      returning *
    )${then}
    select 'stored' as outcome, null::int as ord, inserted.* from inserted
    union all
    select case when c.member then 'duplicate' else 'not_member' end, c.ord, x.*
    from checked c left join messages x on x.id = c.first_id and c.member
    where not c.member or c.first_id is not null`;
}
