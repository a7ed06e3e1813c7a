import { sql } from 'drizzle-orm';
import { fromDrizzle, fromPglite, type Job, PgBoss, type QueueStats, type SendOptions } from 'pg-boss';
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
    const boss = database.pglite
      ? new PgBoss({ db: fromPglite(database.pglite), schema: 'pgboss' })
      : new PgBoss({
          connectionString: database.url!,
          schema: 'pgboss',
          max: 4,
          application_name: 'abrik-jobs',
        });
    const queue = new JobQueue(boss, options);
    boss.on('error', (error) =>
      queue.log.warn({ err: error }, 'job queue error; pg-boss retries by itself (database unreachable?)'),
    );
    await boss.start();
    // Crash safety comes from expiry: a job held by a worker that died is claimed again.
    await boss.createQueue(QUEUES.pushDead, { retryLimit: 0, deleteAfterSeconds: 30 * 86_400 });
    await boss.createQueue(QUEUES.notifyMessage, { retryLimit: 5, retryBackoff: true, expireInSeconds: 60 });
    await boss.createQueue(QUEUES.notifyUser, { retryLimit: 5, retryBackoff: true, expireInSeconds: 60 });
    await boss.createQueue(QUEUES.pushSend, {
      retryLimit: 5,
      retryBackoff: true,
      expireInSeconds: 60,
      deadLetter: QUEUES.pushDead,
    });
    await boss.createQueue(QUEUES.smsFallback, { retryLimit: 3, retryBackoff: true, expireInSeconds: 60 });
    await boss.createQueue(QUEUES.maintenance, { retryLimit: 2, expireInSeconds: 600 });
    return queue;
  }

  /** Enqueues a job inside the caller's transaction: it exists exactly when the transaction commits. */
  async sendInTransaction(
    tx: Executor,
    name: QueueName,
    data: object,
    options: SendOptions = {},
  ): Promise<void> {
    await this.boss.send(name, data, { ...options, db: fromDrizzle(tx as never, sql as never) });
  }

  async send(name: QueueName, data: object, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, options);
  }

  /**
   * At most one job per key and window runs now; the rest of a burst becomes one job at the end
   * of the window (pg-boss debouncing) — the collapse of several messages into one notification.
   */
  async sendCollapsed(name: QueueName, data: object, seconds: number, key: string): Promise<void> {
    if (seconds <= 0) await this.boss.send(name, data);
    else await this.boss.sendDebounced(name, data, null, seconds, key);
  }

  /** Runs `handler` for each job, one at a time per worker; a throw makes pg-boss retry it. */
  async work<T>(name: QueueName, handler: (job: Job<T>) => Promise<void>, concurrency = 1): Promise<void> {
    await this.boss.work<T>(
      name,
      { pollingIntervalSeconds: this.options.pollSeconds, localConcurrency: concurrency },
      async (jobs) => {
        for (const job of jobs) {
          try {
            await handler(job);
          } catch (error) {
            this.log.warn(
              { err: error, queue: name, jobId: job.id },
              'job failed; pg-boss retries it with backoff',
            );
            throw error;
          }
        }
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
