import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../platform/db/client.js';

/** Serialises sweeps across instances (pg_try_advisory_xact_lock key): one indexes, the rest skip. */
const SWEEP_LOCK_KEY = 7_241_918;

/**
 * A watermark older than this many transactions is not trusted (age() wraps at 2^31): the sweep
 * checks every conversation instead.
 */
const STALE_WATERMARK_AGE = 1_000_000_000;

/** What one sweep did. */
export interface SweepResult {
  /** Conversations it read (a full sweep, `conversations` of them, leaves more behind). */
  conversations: number;
  /**
   * Set when the sweep left nothing behind that it could see: the `changedSince` of the next
   * sweep (an xid, the sweep's snapshot xmin). Null after a sweep that stopped at a limit.
   */
  caughtUpTo: string | null;
}

/** A message found, as the search query reads it. */
export interface SearchRow {
  messageId: string;
  conversationId: string;
  seq: number;
  senderId: string | null;
  senderName: string | null;
  createdAt: Date;
  body: string;
}

/** Where a page of results continues: after this message, in the order of the results. */
export interface SearchPosition {
  createdAt: Date;
  conversationId: string;
  seq: number;
}

/** The search index (message_search) and how far it has read (message_search_progress). */
export class SearchRepository {
  constructor(private readonly db: Db) {}

  /**
   * One sweep of the indexer: indexes the next messages (up to `perConversation` each) of up to
   * `conversations` conversations whose last_seq is past their progress, and moves the progress.
   * With `changedSince` (a `caughtUpTo` of an earlier sweep) it looks only at the conversations
   * changed after that sweep. Answers how many conversations it read and, when it left nothing
   * behind, the `changedSince` of the next sweep; null when another instance is sweeping. A
   * message indexed already (an edit's re-index came first) is left as it is: the edit's text is newer.
   */
  async sweep(limits: {
    conversations: number;
    perConversation: number;
    changedSince?: string | undefined;
  }): Promise<SweepResult | null> {
    return this.db.transaction(async (tx) => {
      const [lock] = await queryRows<{ locked: boolean }>(
        tx,
        sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as locked`,
      );
      if (!lock?.locked) return null;
      // Every message updates its conversation's row, so the row's xmin is the transaction that
      // last wrote it. A transaction an earlier sweep did not see has an xid at or past that
      // sweep's snapshot xmin (wraparound-safe through age()), so the rows changed since then are
      // found without an index: last_seq and last_message_at may not have one (tables.ts, HOT
      // updates). A watermark that is in the future (a restored database) or very old checks all.
      const changed = limits.changedSince
        ? sql`and (age(${limits.changedSince}::xid) not between 0 and ${STALE_WATERMARK_AGE}
                   or age(c.xmin) <= age(${limits.changedSince}::xid))`
        : sql``;
      // One statement, one snapshot: a conversation's last_seq and its messages up to it were
      // committed together, so every message up to to_seq is visible here. The candidates are
      // filtered first and their progress probed one by one ("offset 0"), so that a sweep reads
      // the progress of the changed conversations only.
      const [row] = await queryRows<{ conversations: number; behind: boolean | null; watermark: string }>(
        tx,
        sql`
          with changed as materialized (
            select c.id, c.last_seq from conversations c
            where c.kind <> 'notes' ${changed}
          ),
          work as (
            select c.id, c.last_seq, p.from_seq,
                   least(c.last_seq, p.from_seq + ${limits.perConversation}) as to_seq
            from changed c
            cross join lateral (
              select coalesce((select indexed_seq from message_search_progress
                               where conversation_id = c.id offset 0), 0) as from_seq
              offset 0
            ) p
            where c.last_seq > p.from_seq
            limit ${limits.conversations}
          ),
          indexed as (
            insert into message_search (message_id, conversation_id, seq, document)
            select m.id, m.conversation_id, m.seq, to_tsvector('simple', abrik_search_normalize(m.body))
            from work w
            join messages m on m.conversation_id = w.id and m.seq > w.from_seq and m.seq <= w.to_seq
            where m.kind = 'text' and m.body is not null and m.deleted_at is null
            on conflict (message_id) do nothing
            returning 1
          ),
          progressed as (
            insert into message_search_progress (conversation_id, indexed_seq)
            select id, to_seq from work
            on conflict (conversation_id) do update
              set indexed_seq = greatest(message_search_progress.indexed_seq, excluded.indexed_seq)
            returning 1
          )
          select (select count(*) from progressed)::int as conversations,
                 (select count(*) from indexed)::int as messages,
                 (select bool_or(to_seq < last_seq) from work) as behind,
                 (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text as watermark`,
      );
      const read = row?.conversations ?? 0;
      const caughtUp = read < limits.conversations && row?.behind !== true;
      return { conversations: read, caughtUpTo: caughtUp ? (row?.watermark ?? null) : null };
    });
  }

  /**
   * Writes one message's entry again from its current row (an edit), or removes it when the
   * message is no longer searchable (deleted, not text, in a notes conversation).
   */
  async reindex(messageId: string): Promise<void> {
    await this.db.execute(sql`
      with current as (
        select m.id, m.conversation_id, m.seq, m.body
        from messages m join conversations c on c.id = m.conversation_id
        where m.id = ${messageId} and m.kind = 'text' and m.body is not null
          and m.deleted_at is null and c.kind <> 'notes'
      ),
      removed as (
        delete from message_search s
        where s.message_id = ${messageId} and not exists (select 1 from current)
      )
      insert into message_search (message_id, conversation_id, seq, document)
      select id, conversation_id, seq, to_tsvector('simple', abrik_search_normalize(body)) from current
      on conflict (message_id) do update set document = excluded.document`);
  }

  /** Removes one message's entry (deleted). */
  async remove(messageId: string): Promise<void> {
    await this.db.execute(sql`delete from message_search where message_id = ${messageId}`);
  }

  /** Whether `userId` is a member of the conversation now. */
  async isMember(userId: string, conversationId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.db,
      sql`select 1 as one from members where conversation_id = ${conversationId} and user_id = ${userId}`,
    );
    return rows.length > 0;
  }

  /**
   * Messages matching `words` (each a word prefix, all of them) in the conversations `userId` is a
   * member of now (or in `conversationId` only), newest first, older than `before`: live text
   * messages the user has not hidden for themselves, never in notes conversations.
   */
  async search(input: {
    userId: string;
    words: string[];
    conversationId?: string | undefined;
    before?: SearchPosition | undefined;
    limit: number;
  }): Promise<SearchRow[]> {
    const query = toPrefixQuery(input.words);
    const inConversation = input.conversationId
      ? sql`and s.conversation_id = ${input.conversationId}`
      : sql``;
    const older = input.before
      ? sql`and (m.created_at, m.conversation_id, m.seq) < (${input.before.createdAt.toISOString()}::timestamptz, ${input.before.conversationId}::uuid, ${input.before.seq}::bigint)`
      : sql``;
    const rows = await queryRows<{
      message_id: string;
      conversation_id: string;
      seq: string | number;
      sender_id: string | null;
      sender_name: string | null;
      created_at: string | Date;
      body: string;
    }>(
      this.db,
      sql`
        select m.id as message_id, m.conversation_id, m.seq, m.sender_id, u.name as sender_name,
               m.created_at, m.body
        from message_search s
        join members mb on mb.conversation_id = s.conversation_id and mb.user_id = ${input.userId}
        join conversations c on c.id = s.conversation_id and c.kind <> 'notes'
        join messages m on m.id = s.message_id
        left join users u on u.id = m.sender_id
        where s.document @@ to_tsquery('simple', abrik_search_normalize(${query}))
          and m.deleted_at is null and m.kind = 'text' and m.body is not null
          and not exists (
            select 1 from hidden_messages h where h.user_id = ${input.userId} and h.message_id = m.id
          )
          ${inConversation}
          ${older}
        order by m.created_at desc, m.conversation_id desc, m.seq desc
        limit ${input.limit}`,
    );
    return rows.map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      seq: Number(r.seq),
      senderId: r.sender_id,
      senderName: r.sender_name,
      createdAt: new Date(r.created_at),
      body: r.body,
    }));
  }
}

/**
 * A tsquery text of prefix terms ANDed: `'w1':* & 'w2':*`. Each word is quoted with its quotes
 * doubled and backslashes escaped, so nothing a user types is read as tsquery syntax.
 */
export function toPrefixQuery(words: readonly string[]): string {
  return words.map((w) => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "''")}':*`).join(' & ');
}
