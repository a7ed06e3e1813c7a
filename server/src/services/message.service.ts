import type { Message, SyncConversation } from '@abrik/protocol';
import type { Db, Executor } from '../db/client.js';
import type { MessageRow } from '../db/schema.js';
import {
  AppError,
  DatabaseUnavailableError,
  ForbiddenError,
  isDatabaseUnavailable,
  NotFoundError,
} from '../errors.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import { type Actor, requireAccess, servesSupport } from './access.js';
import { toMessage } from './dto.js';
import type { DomainEvents } from './events.js';

export interface MessageMetrics {
  /** A message was stored; `seconds` is the time its transaction took. */
  persisted(seconds: number): void;
  /** A group commit stored `size` messages in one statement. */
  batched?(size: number): void;
  /** A group commit failed for a reason other than the database being down; its messages go one by one. */
  batchFailed?(error: unknown): void;
}

interface SendInput {
  conversationId: string;
  clientMsgId: string;
  body: string;
}
interface PendingSend {
  actor: Actor;
  input: SendInput;
  /** When it was queued (performance.now()). */
  at: number;
  resolve: (row: MessageRow | undefined) => void;
  reject: (error: unknown) => void;
}
/**
 * Batches written at once (each holds one writer connection) and messages per batch. A second
 * batch starts only when at least SECOND_BATCH_AT sends are waiting, or when the batch in flight
 * has taken longer than SECOND_BATCH_AFTER_MS:
 * - at moderate rates one batch at a time makes fuller commits: each statement costs ~0.35 ms of
 *   database CPU whatever its size (`npm run bench -- batch`), and `pairs` at 2,000 msg/s used
 *   0.67 cores of PostgreSQL with one, 0.91 with two and 1.04 with three at the same p99;
 * - under heavy load two keep the database busy during each other's round trips (one at a time
 *   fell behind at 10,000 msg/s with every batch full);
 * - a batch stuck on a row lock (a conversation held by a long transaction) delays the others by
 *   a few milliseconds, not for as long as it is stuck.
 */
const MAX_BATCHES_IN_FLIGHT = 2;
const SECOND_BATCH_AT = 50;
const SECOND_BATCH_AFTER_MS = 5;
const MAX_BATCH = 200;

/** Thrown inside the send transaction to roll back the seq it took when the message is a retry. */
class DuplicateMessage extends Error {}

/** The message path: storing with a gap-free seq, idempotent retries, history, edits and sync. */
export class MessageService {
  constructor(
    private readonly db: Db,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    private readonly metrics: MessageMetrics = { persisted: () => {} },
    options: {
      /** Runs inside the messages' transaction (the notification jobs are enqueued there). */
      onStored?: (tx: Executor, messages: MessageRow[]) => Promise<void>;
      /**
       * The same work as `onStored` as SQL run by the batch's own statement on the stored rows
       * (the CTE it names): the messages and their notification job in one round trip.
       */
      storedStatement?: ((inserted: string) => string) | undefined;
      /**
       * A send that waited this long for a batch to take it is refused with `db/unavailable`
       * (as one waiting this long for a pooled connection is), so an overloaded database sheds
       * load instead of queueing without bound. Default 2000.
       */
      maxQueueWaitMs?: number;
      /** Where batches are written (the database's writer connections); default `db`. */
      writer?: Db;
    } = {},
  ) {
    this.writer = options.writer ?? db;
    this.onStored = options.onStored ?? (async () => {});
    this.storedStatement = options.storedStatement;
    this.maxQueueWaitMs = options.maxQueueWaitMs ?? 2000;
  }

  private readonly onStored: (tx: Executor, messages: MessageRow[]) => Promise<void>;
  private readonly storedStatement: ((inserted: string) => string) | undefined;
  private readonly maxQueueWaitMs: number;
  private readonly writer: Db;

  private pending: PendingSend[] = [];
  private inFlight = 0;
  /** Conversations the batches in flight are writing. */
  private readonly writing = new Set<string>();

  /**
   * Stores a message and returns its ack. The same (sender, clientMsgId) sent again returns the
   * first message with `duplicate: true` and stores nothing. Resolves only after commit.
   */
  async send(
    actor: Actor,
    input: { conversationId: string; clientMsgId: string; body: string },
    /** The socket it came from: its ack carries the message, so the broadcast skips it. */
    origin?: string,
  ): Promise<{ message: Message; duplicate: boolean }> {
    const started = performance.now();
    let stored: MessageRow | undefined;
    try {
      // Most sends are stored by the group commit; what it could not store (a retry, a
      // non-member, a race) takes the one-by-one path below, which knows every case.
      stored = await this.groupCommit(actor, input);
      if (!stored) stored = await this.insert(actor, input);
      if (!stored) {
        // Not a member. Agents and admins may answer any support conversation: they join it.
        const { conversation, membership } = await requireAccess(
          this.conversations,
          actor,
          input.conversationId,
        );
        if (!membership && servesSupport(actor, conversation)) {
          await this.conversations.addMembers(this.db, conversation.id, [
            { userId: actor.id, role: 'agent' },
          ]);
          this.events.publish('members.added', { conversationId: conversation.id, userIds: [actor.id] });
          stored = await this.insert(actor, input);
        }
        if (!stored) throw new NotFoundError('conversation/not_found');
      }
    } catch (error) {
      if (!(error instanceof DuplicateMessage)) throw error;
      const first = await this.messages.getByClientMsgId(actor.id, input.clientMsgId);
      // A retry answers with the first ack; the same id reused for another conversation is a
      // client bug, refused loudly rather than answered with a message from elsewhere.
      if (!first || first.conversationId !== input.conversationId) {
        throw new AppError(409, 'message/client_id_conflict');
      }
      return { message: toMessage(first), duplicate: true };
    }
    this.metrics.persisted((performance.now() - started) / 1000);
    this.events.publish('message.created', { message: stored, origin });
    return { message: toMessage(stored), duplicate: false };
  }

  /** One transaction: membership check + next seq, then the row. Undefined when not a member. */
  private insert(actor: Actor, input: { conversationId: string; clientMsgId: string; body: string }) {
    return this.db.transaction(async (tx) => {
      const slot = await this.messages.allocateSeq(tx, input.conversationId, actor.id);
      if (!slot) return undefined;
      const row = await this.messages.insert(tx, {
        conversationId: input.conversationId,
        senderId: actor.id,
        clientMsgId: input.clientMsgId,
        kind: 'text',
        body: input.body,
        seq: slot.seq,
        createdAt: slot.createdAt,
      });
      if (!row) throw new DuplicateMessage();
      await this.onStored(tx, [row]);
      return row;
    });
  }

  /**
   * Group commit: sends that arrive while earlier batches are being written wait and are stored
   * together — one statement (the messages and their notification job), one WAL flush for the
   * lot. An idle server writes a batch of one at once, so latency does not grow at low load.
   * Resolves with the stored row, or undefined when the batch did not store this message (the
   * caller then takes the single path, which answers retries, non-members and races as before).
   */
  private groupCommit(actor: Actor, input: SendInput): Promise<MessageRow | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ actor, input, at: performance.now(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight < MAX_BATCHES_IN_FLIGHT) this.shedStale();
    while (this.inFlight < MAX_BATCHES_IN_FLIGHT && this.pending.length > 0) {
      if (this.inFlight > 0 && this.pending.length < SECOND_BATCH_AT) {
        const late = this.firstStartedAt + SECOND_BATCH_AFTER_MS - performance.now();
        if (late > 0) {
          // Not worth a second statement yet; look again when the first has taken too long.
          this.secondLaneTimer ??= setTimeout(() => {
            this.secondLaneTimer = undefined;
            this.pump();
          }, Math.ceil(late));
          return;
        }
      }
      const batch = this.takeBatch();
      // Every waiting send is for a conversation a batch is writing: the next to finish pumps.
      if (batch.length === 0) return;
      const conversations = new Set(batch.map((p) => p.input.conversationId));
      for (const id of conversations) this.writing.add(id);
      const startedAt = performance.now();
      this.started.push(startedAt);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        for (const id of conversations) this.writing.delete(id);
        this.started.splice(this.started.indexOf(startedAt), 1);
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** When the oldest batch in flight started (performance.now()); now when none is. */
  private get firstStartedAt(): number {
    return this.started.length > 0 ? Math.min(...this.started) : performance.now();
  }

  /** When each batch in flight started. */
  private readonly started: number[] = [];
  private secondLaneTimer: NodeJS.Timeout | undefined;

  /**
   * Up to MAX_BATCH waiting sends, in arrival order, whose conversations no batch in flight is
   * writing: batches written at once never wait for each other's row locks (they took turns
   * when they shared conversations), and a conversation's messages are numbered in the order
   * they arrived.
   */
  private takeBatch(): PendingSend[] {
    if (this.writing.size === 0) return this.pending.splice(0, MAX_BATCH);
    const batch: PendingSend[] = [];
    const rest: PendingSend[] = [];
    for (const p of this.pending) {
      if (batch.length < MAX_BATCH && !this.writing.has(p.input.conversationId)) batch.push(p);
      else rest.push(p);
    }
    this.pending = rest;
    return batch;
  }

  /** Refuses the sends that waited too long for a batch: the database is not keeping up. */
  private shedStale(): void {
    const oldest = this.pending[0];
    if (!oldest || performance.now() - oldest.at <= this.maxQueueWaitMs) return;
    const cutoff = performance.now() - this.maxQueueWaitMs;
    const stale = this.pending.findIndex((p) => p.at > cutoff);
    const shed = this.pending.splice(0, stale === -1 ? this.pending.length : stale);
    for (const p of shed) p.reject(new DatabaseUnavailableError());
  }

  private async writeBatch(batch: PendingSend[]): Promise<void> {
    // The same (sender, clientMsgId) twice in one batch: only the first goes in; the others are
    // retries and get the first one's ack through the single path.
    const seen = new Set<string>();
    const first = batch.filter((p) => {
      const key = `${p.actor.id}:${p.input.clientMsgId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const inputs = first.map((p) => ({ ...p.input, senderId: p.actor.id }));
    let rows: MessageRow[];
    try {
      // With the job in the statement itself, one autocommitted statement is the whole batch:
      // one round trip instead of three (BEGIN, statement, COMMIT), which at 2,000 msg/s halved
      // p99 and raised the sustained rate from 4,000 to 5,000 msg/s. Its cost: should the
      // database stall after receiving the statement and this side give up (answering
      // `db/unavailable`), the statement still commits when the database resumes — a send
      // answered as failed may be stored. Clients retry `db/unavailable` with the same
      // clientMsgId and get the stored message (`duplicate: true`), so it is neither lost nor
      // doubled; the same ambiguity exists for any COMMIT whose answer is lost.
      rows = this.storedStatement
        ? await this.messages.insertBatch(this.writer, inputs, this.storedStatement)
        : await this.db.transaction(async (tx) => {
            const stored = await this.messages.insertBatch(tx, inputs);
            await this.onStored(tx, stored);
            return stored;
          });
    } catch (error) {
      // The database is down: every send fails as it would alone. Anything else (a concurrent
      // duplicate, say): let each message take the single path.
      if (isDatabaseUnavailable(error)) for (const p of batch) p.reject(error);
      else {
        this.metrics.batchFailed?.(error);
        for (const p of batch) p.resolve(undefined);
      }
      return;
    }
    if (rows.length > 0) this.metrics.batched?.(rows.length);
    const byKey = new Map(rows.map((r) => [`${r.senderId}:${r.clientMsgId}`, r]));
    const firsts = new Set(first);
    for (const p of batch) {
      const row = byKey.get(`${p.actor.id}:${p.input.clientMsgId}`);
      // A duplicate within the batch resolves undefined (single path answers it as a retry).
      p.resolve(row && firsts.has(p) ? row : undefined);
    }
  }

  /**
   * A page of history. Without `after`: the newest messages (below `before` when given) and a
   * cursor to pass as `before` for older ones. With `after`: the messages following that seq and
   * a cursor to pass as `after`. Items are always in ascending seq order.
   */
  async history(
    actor: Actor,
    conversationId: string,
    query: { before?: number | undefined; after?: number | undefined; limit: number },
  ): Promise<{ items: Message[]; nextCursor: number | null }> {
    await requireAccess(this.conversations, actor, conversationId);
    const rows = await this.messages.listPage(conversationId, query);
    const items = (query.after !== undefined ? rows : rows.reverse()).map(toMessage);
    const full = rows.length === query.limit;
    const nextCursor = !full ? null : query.after !== undefined ? items.at(-1)!.seq : items[0]!.seq;
    return { items, nextCursor };
  }

  async edit(actor: Actor, conversationId: string, messageId: string, body: string): Promise<Message> {
    await requireAccess(this.conversations, actor, conversationId);
    const row = await this.messages.updateBody(conversationId, messageId, actor.id, body);
    if (!row) throw await this.whyNotChangeable(actor, conversationId, messageId);
    this.events.publish('message.updated', { message: row });
    return toMessage(row);
  }

  /** Soft-deletes an own message; deleting it again is a no-op. */
  async delete(actor: Actor, conversationId: string, messageId: string): Promise<void> {
    await requireAccess(this.conversations, actor, conversationId);
    const row = await this.messages.softDelete(conversationId, messageId, actor.id);
    if (row) {
      this.events.publish('message.deleted', { message: row });
      return;
    }
    const error = await this.whyNotChangeable(actor, conversationId, messageId);
    if (!(error instanceof AppError && error.code === 'message/deleted')) throw error;
  }

  /**
   * What a reconnecting client missed: for each of its conversations with messages after the seq
   * it holds, up to `limit` of them. `removed` lists conversations it asked about and may no
   * longer see.
   */
  async sync(
    actor: Actor,
    since: Record<string, number>,
    limit: number,
  ): Promise<{ conversations: SyncConversation[]; removed: string[] }> {
    const state = await this.conversations.syncState(actor.id);
    const mine = new Set(state.map((s) => s.conversationId));
    const removed = Object.keys(since).filter((id) => !mine.has(id));
    const behind = state.filter((s) => s.lastSeq > (since[s.conversationId] ?? 0));
    const conversations = await Promise.all(
      behind.map(async (s) => {
        const rows = await this.messages.listPage(s.conversationId, {
          after: since[s.conversationId] ?? 0,
          limit: limit + 1,
        });
        return {
          conversationId: s.conversationId,
          messages: rows.slice(0, limit).map(toMessage),
          hasMore: rows.length > limit,
          lastReadSeq: s.lastReadSeq,
        };
      }),
    );
    return { conversations, removed };
  }

  private async whyNotChangeable(actor: Actor, conversationId: string, messageId: string): Promise<AppError> {
    const existing = await this.messages.getById(conversationId, messageId);
    if (!existing) return new NotFoundError('message/not_found');
    if (existing.senderId !== actor.id) return new ForbiddenError('message/forbidden');
    return new AppError(409, 'message/deleted');
  }
}
