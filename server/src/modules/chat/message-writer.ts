import type { Executor } from '../../platform/db/client.js';
import { DatabaseUnavailableError, isDatabaseUnavailable, pgErrorCode } from '../../platform/errors.js';
import type { BatchInput, BatchOutcome, MessageRepository, StoredMessagesJob } from './message.repository.js';

export interface WriterMetrics {
  /** A message was stored; `seconds` from its arrival to its commit. */
  persisted(seconds: number): void;
  /** A group commit stored `size` messages in one statement. */
  batched(size: number): void;
  /** A group commit failed for a reason other than the database being down. */
  batchFailed(error: unknown): void;
}

/** A lone write that failed after a failed batch. */
interface Failure {
  failed: unknown;
}

interface Pending {
  input: BatchInput;
  /** When it was queued (performance.now()). */
  at: number;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches written at once (each holds one writer connection) and messages per batch. A second
 * batch starts only when SECOND_BATCH_AT sends wait or the one in flight has taken longer than
 * SECOND_BATCH_AFTER_MS: fuller commits cost PostgreSQL less, two keep it busy under heavy load,
 * and a batch stuck on a row lock delays the rest by milliseconds (docs/performance.md).
 */
const MAX_BATCHES_IN_FLIGHT = 2;
const SECOND_BATCH_AT = 50;
const SECOND_BATCH_AFTER_MS = 5;
const MAX_BATCH = 200;
/** Tries of a lone write that lost a race with a concurrent insert of the same message. */
const LONE_WRITE_TRIES = 3;
const UNIQUE_VIOLATION = '23505';

/**
 * The group commit. Sends that arrive while earlier batches are being written wait and are
 * stored together — one statement for the messages and their notify job, one WAL flush for the
 * lot; an idle server writes a batch of one at once. Each send learns what became of it (stored,
 * a duplicate of an earlier send, or refused as not a member).
 */
export class MessageWriter {
  private readonly messages: Pick<MessageRepository, 'insertBatch'>;
  private readonly writer: Executor;
  private readonly job: Promise<StoredMessagesJob | undefined>;
  private readonly maxQueueWaitMs: number;
  private readonly metrics: WriterMetrics;

  private pending: Pending[] = [];
  /** Conversations the batches in flight are writing. */
  private readonly writing = new Set<string>();
  /** When each batch in flight started (performance.now()). */
  private readonly started: number[] = [];
  private secondLaneTimer: NodeJS.Timeout | undefined;

  constructor(deps: {
    messages: Pick<MessageRepository, 'insertBatch'>;
    /** Where batches are written (the database's writer connections). */
    writer: Executor;
    /** The notify job of the stored messages, written by the same statement (ready once the queues are). */
    job?: Promise<StoredMessagesJob> | undefined;
    /**
     * A send that waited this long for a batch is refused with `db/unavailable` (as one waiting
     * this long for a pooled connection is), so an overloaded database sheds load.
     */
    maxQueueWaitMs: number;
    metrics: WriterMetrics;
  }) {
    this.messages = deps.messages;
    this.writer = deps.writer;
    this.job = deps.job ?? Promise.resolve(undefined);
    this.maxQueueWaitMs = deps.maxQueueWaitMs;
    this.metrics = deps.metrics;
  }

  /** Messages stored in the current and the previous whole second (Date.now() / 1000). */
  private counted = { second: 0, current: 0, previous: 0 };

  private count(stored: number): void {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.counted.second) {
      this.counted = {
        second,
        current: 0,
        previous: second === this.counted.second + 1 ? this.counted.current : 0,
      };
    }
    this.counted.current += stored;
  }

  /**
   * Messages this process stored in the last whole second: a probe for work that should yield
   * to the message path while it is busy (the search indexer).
   */
  recentRate(): number {
    const second = Math.floor(Date.now() / 1000);
    if (second === this.counted.second) return this.counted.previous;
    return second === this.counted.second + 1 ? this.counted.current : 0;
  }

  /** Writes one send; resolves after commit with what became of it. */
  write(input: BatchInput): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, at: performance.now(), resolve, reject });
      this.pump();
    });
  }

  private get inFlight(): number {
    return this.started.length;
  }

  private pump(): void {
    if (this.inFlight < MAX_BATCHES_IN_FLIGHT) this.shedStale();
    while (this.inFlight < MAX_BATCHES_IN_FLIGHT && this.pending.length > 0) {
      if (this.inFlight > 0 && this.pending.length < SECOND_BATCH_AT) {
        const late = Math.min(...this.started) + SECOND_BATCH_AFTER_MS - performance.now();
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
      void this.writeBatch(batch).finally(() => {
        for (const id of conversations) this.writing.delete(id);
        this.started.splice(this.started.indexOf(startedAt), 1);
        this.pump();
      });
    }
  }

  /**
   * Up to MAX_BATCH waiting sends, in arrival order, whose conversations no batch in flight is
   * writing: batches written at once never wait for each other's row locks, and a
   * conversation's messages are numbered in the order they arrived.
   */
  private takeBatch(): Pending[] {
    if (this.writing.size === 0) return this.pending.splice(0, MAX_BATCH);
    const batch: Pending[] = [];
    const rest: Pending[] = [];
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
    const fresh = this.pending.findIndex((p) => p.at > cutoff);
    const shed = this.pending.splice(0, fresh === -1 ? this.pending.length : fresh);
    for (const p of shed) p.reject(new DatabaseUnavailableError());
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    // The same (sender, clientMsgId) twice in one batch: the first is written, the others are
    // retries and learn what became of it.
    const firsts = new Map<string, Pending>();
    const retries: [Pending, Pending][] = [];
    for (const p of batch) {
      const key = `${p.input.senderId}:${p.input.clientMsgId}`;
      const first = firsts.get(key);
      if (first) retries.push([p, first]);
      else firsts.set(key, p);
    }
    const written = [...firsts.values()];
    let outcomes: (BatchOutcome | Failure)[];
    try {
      // One autocommitted statement is the whole batch (no BEGIN/COMMIT round trips). Should the
      // database stall and this side give up, it may still commit: a send answered
      // `db/unavailable` may be stored, and its retry with the same clientMsgId is a duplicate.
      outcomes = await this.messages.insertBatch(
        written.map((p) => p.input),
        await this.job,
        this.writer,
      );
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // A concurrent insert of one of these messages (a retry that reached another instance):
      // each is written alone, and the one that lost the race finds the other's row.
      this.metrics.batchFailed(error);
      outcomes = await Promise.all(
        written.map((p) => this.writeAlone(p).catch((cause: unknown) => ({ failed: cause }))),
      );
    }
    const now = performance.now();
    let stored = 0;
    const outcomeOf = new Map<Pending, BatchOutcome | Failure>();
    for (const [i, p] of written.entries()) {
      const outcome = outcomes[i]!;
      outcomeOf.set(p, outcome);
      if ('failed' in outcome) {
        p.reject(outcome.failed);
        continue;
      }
      if (outcome.outcome === 'stored') {
        stored++;
        this.metrics.persisted((now - p.at) / 1000);
      }
      p.resolve(outcome);
    }
    if (stored > 0) {
      this.metrics.batched(stored);
      this.count(stored);
    }
    for (const [retry, first] of retries) {
      const outcome = outcomeOf.get(first)!;
      if ('failed' in outcome) retry.reject(outcome.failed);
      else if (outcome.outcome === 'stored') retry.resolve({ outcome: 'duplicate', first: outcome.message });
      else retry.resolve(outcome);
    }
  }

  /** One send in a statement of its own: after a failed batch. */
  private async writeAlone(p: Pending): Promise<BatchOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [outcome] = await this.messages.insertBatch([p.input], await this.job, this.writer);
        return outcome!;
      } catch (error) {
        if (pgErrorCode(error) !== UNIQUE_VIOLATION || attempt >= LONE_WRITE_TRIES) throw error;
      }
    }
  }
}
