import type { Logger } from '../../platform/logger.js';
import type { SearchRepository } from './search.repository.js';

export interface SearchIndexerOptions {
  /** Pause between sweeps (shorter after a full one, see busyShare). */
  idleMs: number;
  /** After a full sweep, the pause makes the sweeps this share of the time at most (0..1]. */
  busyShare: number;
  /** Pause after a failed sweep (the database away): tried again after it. */
  retryMs: number;
  /**
   * While this answers true (the message path of this process is busy), no sweep runs: the index
   * lags behind a burst and catches up after it, instead of taking the database from the senders.
   */
  busy?: (() => boolean) | undefined;
  /** Conversations one sweep reads, and messages of each. */
  conversationsPerSweep: number;
  messagesPerConversation: number;
}

export const DEFAULT_INDEXER_OPTIONS: SearchIndexerOptions = {
  idleMs: 1000,
  busyShare: 0.25,
  retryMs: 5000,
  conversationsPerSweep: 100,
  messagesPerConversation: 500,
};

/**
 * Keeps the search index up with the messages, beside the message path: a loop that sweeps the
 * conversations with messages past their progress (message_search_progress) and indexes them,
 * every `idleMs` (at once again after a full sweep: a backfill or a burst). After a sweep that left
 * nothing behind, the next reads the progress of only the conversations changed since (found in one
 * pass over the conversations table, which may not have an index for it). The progress lives in
 * the database, so a restart (or a crash) continues where it stopped, and the first start indexes
 * the existing messages. It runs where the job workers run; with several such processes one
 * sweeps at a time (an advisory lock) and the others skip.
 */
export class SearchIndexer {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  /**
   * Where the last sweep that left nothing behind stopped (SweepResult.caughtUpTo): the next
   * looks only at conversations changed after it. Unset at start: the first sweep checks all.
   */
  private changedSince: string | undefined;

  constructor(
    private readonly repo: Pick<SearchRepository, 'sweep'>,
    logger: Logger,
    private readonly options: SearchIndexerOptions = DEFAULT_INDEXER_OPTIONS,
  ) {
    this.log = logger.child({ component: 'search' });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the loop; resolves once a sweep under way has finished. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Sweeps until nothing is left to index (tests, and an operator's catch-up); answers the conversations read. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const read = await this.sweepOnce();
      if (read === null) {
        // Another instance is sweeping: wait for it.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (read === 0) return total;
      total += read;
    }
  }

  private async sweepOnce(): Promise<number | null> {
    const result = await this.repo.sweep({
      conversations: this.options.conversationsPerSweep,
      perConversation: this.options.messagesPerConversation,
      changedSince: this.changedSince,
    });
    if (result === null) return null;
    // After a sweep that stopped at a limit the watermark stays: what it left is still after it.
    if (result.caughtUpTo !== null) this.changedSince = result.caughtUpTo;
    return result.conversations;
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next = this.options.idleMs;
    if (this.options.busy?.()) {
      this.schedule(next);
      return;
    }
    try {
      const started = performance.now();
      const read = await this.sweepOnce();
      // A full sweep leaves more behind (a backfill, a burst): go on soon, but rest in between so
      // the index takes at most `busyShare` of the time — under a burst the index lags behind,
      // the message path does not. Otherwise wait, so under steady traffic one statement a second
      // indexes everything that came meanwhile.
      if (read !== null && read >= this.options.conversationsPerSweep) {
        const took = performance.now() - started;
        next = Math.min(this.options.idleMs, (took * (1 - this.options.busyShare)) / this.options.busyShare);
      }
    } catch (error) {
      next = this.options.retryMs;
      this.log.warn({ err: error }, 'search index sweep failed; tried again shortly');
    }
    this.schedule(next);
  }
}
