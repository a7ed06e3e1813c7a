import { sql } from 'drizzle-orm';
import { fromDrizzle, fromPglite, PgBoss, type QueueStats, type SendOptions } from 'pg-boss';
import type { Database, Executor } from '../db/client.js';
import type { Logger } from '../logger.js';

/** Every queue; created at start with its retry policy. */
export const QUEUES = {
  /** A stored message: work out who is notified (enqueued in the message's transaction). */
  notifyMessage: 'notify-message',
  /** One person and conversation: collapse a burst, then one push per device. */
  notifyUser: 'notify-user',
  /** One push to one device. */
  pushSend: 'push-send',
  /** Pushes that kept failing or could not be sent: kept for an operator to inspect and replay. */
  pushDead: 'push-dead',
  /** A customer without push who has not read a support reply: one SMS. */
  smsFallback: 'sms-fallback',
  /** Scheduled clean-ups. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobQueueOptions {
  /** How often idle workers look for new jobs. */
  pollSeconds: number;
  /**
   * JOBS_EXPIRE_SECONDS: a notification job held this long by a worker is taken to be lost (its
   * worker died) and run again; expired jobs are looked for every min(this, 60) seconds.
   * Default 60.
   */
  expireSeconds?: number;
  logger: Logger;
}

/**
 * The pg-boss job queue in the application's own database (PostgreSQL, or the embedded PGlite),
 * so a job can be enqueued in the same transaction as the row that causes it. pg-boss retries a
 * job whose worker failed or died (the job expires and is claimed again after a restart).
 */
export class JobQueue {
  private readonly log: Logger;

  private constructor(
    readonly boss: PgBoss,
    private readonly options: JobQueueOptions,
  ) {
    this.log = options.logger.child({ component: 'jobs' });
  }

  static async create(database: Database, options: JobQueueOptions): Promise<JobQueue> {
    const expireInSeconds = options.expireSeconds ?? 60;
    // Expiry is found by pg-boss's supervision pass: checking less often than jobs expire would
    // leave a lost job waiting up to a whole extra minute.
    const supervision = {
      superviseIntervalSeconds: Math.min(60, expireInSeconds),
      monitorIntervalSeconds: Math.min(60, expireInSeconds),
    };
    const boss = database.pglite
      ? new PgBoss({ db: fromPglite(database.pglite), schema: 'pgboss', ...supervision })
      : new PgBoss({
          connectionString: database.url!,
          schema: 'pgboss',
          // Several fetchers per queue plus inserts and completions: a small pool queues them.
          max: 10,
          application_name: 'abrik-jobs',
          ...supervision,
        });
    const queue = new JobQueue(boss, options);
    boss.on('error', (error) =>
      queue.log.warn({ err: error }, 'job queue error; pg-boss retries by itself (database unreachable?)'),
    );
    await boss.start();
    // Crash safety comes from expiry: a job held by a worker that died is claimed again.
    await boss.createQueue(QUEUES.pushDead, { retryLimit: 0, deleteAfterSeconds: 30 * 86_400 });
    await boss.createQueue(QUEUES.notifyMessage, { retryLimit: 5, retryBackoff: true, expireInSeconds });
    await boss.createQueue(QUEUES.notifyUser, { retryLimit: 5, retryBackoff: true, expireInSeconds });
    await boss.createQueue(QUEUES.pushSend, {
      retryLimit: 5,
      retryBackoff: true,
      expireInSeconds,
      deadLetter: QUEUES.pushDead,
    });
    // `short`: at most one waiting job per singletonKey, so a burst of agent replies schedules one
    // SMS per customer and conversation (a standard queue ignores singletonKey without singletonSeconds).
    await boss.createQueue(QUEUES.smsFallback, {
      policy: 'short',
      retryLimit: 3,
      retryBackoff: true,
      expireInSeconds,
    });
    await boss.createQueue(QUEUES.maintenance, { retryLimit: 2, expireInSeconds: 600 });
    // createQueue leaves an existing queue as it is: apply a changed JOBS_EXPIRE_SECONDS too.
    for (const name of [QUEUES.notifyMessage, QUEUES.notifyUser, QUEUES.pushSend, QUEUES.smsFallback]) {
      await boss.updateQueue(name, { expireInSeconds });
    }
    return queue;
  }

  /**
   * pg-boss's own INSERT statement for `name`, with its job list (`$1`, JSON text) replaced by an
   * SQL expression the caller gives — so a job can be written by the same statement as the rows
   * it is about (a data-modifying CTE), with no transaction around them. The statement is the one
   * the installed pg-boss builds (captured once, never run by the capture); undefined when it no
   * longer has the expected shape, and the caller then enqueues in a transaction as usual.
   */
  async inlineInsert(name: QueueName): Promise<((jobsJsonText: string) => string) | undefined> {
    let captured: string | undefined;
    await this.boss.insert(name, [{ data: {} }], {
      db: {
        executeSql: async (text: string) => {
          captured = text;
          return { rows: [] };
        },
      },
    });
    const placeholder = '$1::text::json';
    const params = captured?.match(/\$\d+/g) ?? [];
    if (
      !captured ||
      !/^\s*INSERT INTO /.test(captured) ||
      params.length !== 1 ||
      !captured.includes(placeholder)
    ) {
      this.log.warn(
        { queue: name },
        'pg-boss insert statement has an unexpected shape; jobs go in a transaction',
      );
      return undefined;
    }
    const statement = captured;
    return (jobsJsonText) => statement.replace(placeholder, `(${jobsJsonText})::json`);
  }

  /** Enqueues many jobs inside the caller's transaction, in one statement. */
  async sendManyInTransaction(tx: Executor, name: QueueName, data: object[]): Promise<void> {
    if (data.length === 0) return;
    await this.boss.insert(
      name,
      data.map((d) => ({ data: d })),
      { db: fromDrizzle(tx as never, sql as never) },
    );
  }

  async send(name: QueueName, data: object, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, options);
  }

  /** Enqueues many jobs of one queue in a single statement. */
  async sendMany(name: QueueName, data: object[]): Promise<void> {
    if (data.length > 0)
      await this.boss.insert(
        name,
        data.map((d) => ({ data: d })),
      );
  }

  /**
   * At most one job per key and window runs now; the rest of a burst becomes one job at the end
   * of the window (pg-boss debouncing) — the collapse of several messages into one notification.
   */
  async sendCollapsed(name: QueueName, data: object, seconds: number, key: string): Promise<void> {
    if (seconds <= 0) await this.boss.send(name, data);
    else await this.boss.sendDebounced(name, data, null, seconds, key);
  }

  /**
   * Runs `handler` for each job; see `workBatch`.
   */
  async work<T>(
    name: QueueName,
    handler: (data: T) => Promise<void>,
    options: { batchSize?: number; workers?: number } = {},
  ): Promise<void> {
    await this.workBatch<T>(name, async (batch) => batch.map((data) => handler(data)), {
      batchSize: options.batchSize ?? 20,
      workers: options.workers ?? 1,
    });
  }

  /**
   * Runs a batch of jobs. `handler` may do shared work for the whole batch (one query for all
   * its rows) and then answers one promise per job. Workers keep fetching while batches come
   * back full, so a backlog drains at database speed rather than one job per poll.
   *
   * Each job is marked completed as soon as its own promise resolves (ids are written every
   * COMPLETE_EVERY_MS), not when the slowest job of its batch ends: a worker that dies while one
   * push hangs must not send the batch's delivered pushes again after the restart. A rejected job
   * is failed alone, and pg-boss retries it with backoff.
   */
  async workBatch<T>(
    name: QueueName,
    handler: (data: T[]) => Promise<Promise<void>[]>,
    options: { batchSize: number; workers: number },
  ): Promise<void> {
    const done = new CompletionBuffer((ids) => this.boss.complete(name, ids).then(() => {}), this.log, name);
    await this.boss.work<
      T,
      unknown,
      {
        pollingIntervalSeconds: number;
        batchSize: number;
        localConcurrency: number;
        perJobResults: true;
        burstWhenBatchFull: true;
      }
    >(
      name,
      {
        pollingIntervalSeconds: this.options.pollSeconds,
        batchSize: options.batchSize,
        localConcurrency: options.workers,
        perJobResults: true,
        burstWhenBatchFull: true,
      },
      async (jobs) => {
        const running = await handler(jobs.map((j) => j.data));
        const results = await Promise.allSettled(
          running.map((promise, i) => promise.then(() => done.add(jobs[i]!.id))),
        );
        await done.flush();
        return jobs.map((job, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') return { id: job.id, status: 'completed' as const };
          const reason = result?.reason;
          this.log.warn(
            { err: reason, queue: name, jobId: job.id },
            'job failed; pg-boss retries it with backoff',
          );
          return {
            id: job.id,
            status: 'failed' as const,
            output: { message: reason instanceof Error ? reason.message : String(reason) },
          };
        });
      },
    );
  }

  async stats(): Promise<QueueStats[]> {
    return Promise.all(Object.values(QUEUES).map((name) => this.boss.getQueueStats(name).then((s) => s[0]!)));
  }

  /** Age in seconds of the oldest job waiting in the queue, 0 when none waits. */
  async oldestWaitingSeconds(database: Database, name: QueueName): Promise<number> {
    const result = (await database.db.execute(
      sql`select extract(epoch from now() - min(created_on))::float as age from pgboss.job
          where name = ${name} and state in ('created', 'retry')`,
    )) as unknown as { rows: { age: number | null }[] };
    return Number(result.rows[0]?.age ?? 0);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000 });
  }
}

const COMPLETE_EVERY_MS = 50;

/** Collects ids of finished jobs and marks them completed in one statement every few ms. */
class CompletionBuffer {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly complete: (ids: string[]) => Promise<void>,
    private readonly log: Logger,
    private readonly queue: string,
  ) {}

  add(id: string): void {
    this.ids.push(id);
    this.timer ??= setTimeout(() => void this.flush(), COMPLETE_EVERY_MS);
  }

  /** Writes what is buffered; resolves when every id added so far is written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.ids.splice(0);
    if (ids.length > 0) {
      this.writing = this.writing.then(() =>
        this.complete(ids).catch((error: unknown) => {
          // The batch result completes them anyway; only the early marking was lost.
          this.log.warn({ err: error, queue: this.queue, jobs: ids.length }, 'early job completion failed');
        }),
      );
    }
    return this.writing;
  }
}
