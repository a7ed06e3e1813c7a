import { sql } from 'drizzle-orm';
import { fromDrizzle, fromPglite, PgBoss, type SendOptions } from 'pg-boss';
import type { Database, Executor } from '../db/client.js';
import type { Logger } from '../logger.js';
import { captureInsertStatement, PGBOSS_SCHEMA, waitingJobs } from './drivers/pg-boss.js';
import type { AnyJobDefinition, JobDefinition, JobName, Jobs } from './registry.js';

export interface JobQueueOptions {
  /** How often idle workers look for new jobs. */
  pollSeconds: number;
  /**
   * JOBS_EXPIRE_SECONDS: a job held this long by a worker is taken to be lost and run again;
   * expired jobs are looked for every min(this, 60) seconds. Default 60.
   */
  expireSeconds?: number;
  logger: Logger;
}

/** A job waiting in a queue, as an operator sees it. */
export interface QueuedJob<N extends JobName> {
  id: string;
  data: Jobs[N];
  createdOn: Date;
}

/**
 * The job registry on pg-boss, in the application's own database (PostgreSQL or the embedded
 * PGlite), so a job can be enqueued in the same transaction as the row that causes it. pg-boss
 * retries a job whose worker failed or died (the job expires and is claimed again). Nothing
 * outside this folder touches pg-boss.
 */
export class JobQueue {
  private readonly log: Logger;
  private readonly definitions = new Map<string, AnyJobDefinition>();
  private readonly insertStatements = new Map<string, Promise<(jobsJsonText: string) => string>>();
  private readonly expireInSeconds: number;

  private constructor(
    private readonly boss: PgBoss,
    private readonly database: Database,
    private readonly options: JobQueueOptions,
  ) {
    this.log = options.logger.child({ component: 'jobs' });
    this.expireInSeconds = options.expireSeconds ?? 60;
  }

  /** Starts pg-boss (creating or migrating its schema); queues come with `register`. */
  static async create(database: Database, options: JobQueueOptions): Promise<JobQueue> {
    const expireInSeconds = options.expireSeconds ?? 60;
    // Expiry is found by pg-boss's supervision pass: checking less often than jobs expire would
    // leave a lost job waiting up to a whole extra minute.
    const supervision = {
      superviseIntervalSeconds: Math.min(60, expireInSeconds),
      monitorIntervalSeconds: Math.min(60, expireInSeconds),
    };
    const boss = database.pglite
      ? new PgBoss({ db: fromPglite(database.pglite), schema: PGBOSS_SCHEMA, ...supervision })
      : new PgBoss({
          connectionString: database.url!,
          schema: PGBOSS_SCHEMA,
          // Several fetchers per queue plus inserts and completions: a small pool queues them.
          max: 10,
          application_name: 'abrik-jobs',
          ...supervision,
        });
    const queue = new JobQueue(boss, database, options);
    boss.on('error', (error) =>
      queue.log.warn({ err: error }, 'job queue error; pg-boss retries by itself (database unreachable?)'),
    );
    await boss.start();
    return queue;
  }

  /** Creates (or updates) the queue of each job; dead-letter queues first, as pg-boss requires. */
  async register(definitions: AnyJobDefinition[]): Promise<void> {
    for (const def of definitions) {
      if (this.definitions.has(def.name)) throw new Error(`job ${def.name} is defined twice`);
      this.definitions.set(def.name, def);
    }
    const ordered = [...definitions].sort(
      (a, b) => Number(!!a.queue.deadLetter) - Number(!!b.queue.deadLetter),
    );
    for (const def of ordered) {
      const { policy, ...rest } = def.queue;
      const options = { ...rest, expireInSeconds: rest.expireInSeconds ?? this.expireInSeconds };
      await this.boss.createQueue(def.name, policy ? { ...options, policy } : options);
      // createQueue leaves an existing queue as it is: apply a changed policy (or expiry) too.
      await this.boss.updateQueue(def.name, options);
    }
  }

  /** Removes queues an earlier version used, with their schedules and waiting jobs. */
  async retire(names: string[]): Promise<void> {
    for (const name of names) {
      if (!(await this.boss.getQueue(name))) continue;
      for (const schedule of await this.boss.getSchedules(name)) {
        await this.boss.unschedule(name, schedule.key);
      }
      await this.boss.deleteQueue(name);
      this.log.info({ queue: name }, 'retired a queue of an earlier version');
    }
  }

  /** The registered jobs' names. */
  names(): JobName[] {
    return [...this.definitions.keys()] as JobName[];
  }

  /**
   * Runs the workers (and the cron schedules) of the registered jobs, or of `only` those; throws
   * when `only` names a job that does not exist.
   */
  async work(only?: readonly string[]): Promise<void> {
    const unknown = (only ?? []).filter((name) => !this.definitions.has(name));
    if (unknown.length > 0) {
      throw new Error(`unknown queue(s): ${unknown.join(', ')}; known: ${this.names().join(', ')}`);
    }
    for (const def of this.definitions.values()) {
      if (only && !only.includes(def.name)) continue;
      if (!def.perform && !def.performBatch) continue;
      await this.startWorker(def);
      if (def.cron) await this.boss.schedule(def.name, def.cron.schedule, def.cron.data as object);
    }
  }

  async send<N extends JobName>(
    name: N,
    data: Jobs[N],
    options: Pick<SendOptions, 'startAfter' | 'singletonKey'> = {},
  ): Promise<string | null> {
    return this.boss.send(name, data as object, options);
  }

  /** Enqueues many jobs of one queue in a single statement. */
  async sendMany<N extends JobName>(name: N, data: Jobs[N][]): Promise<void> {
    if (data.length > 0)
      await this.boss.insert(
        name,
        data.map((d) => ({ data: d as object })),
      );
  }

  /** Enqueues jobs inside the caller's transaction: they exist if and only if it commits. */
  async sendInTransaction<N extends JobName>(tx: Executor, name: N, data: Jobs[N][]): Promise<void> {
    if (data.length === 0) return;
    await this.boss.insert(
      name,
      data.map((d) => ({ data: d as object })),
      { db: fromDrizzle(tx as Parameters<typeof fromDrizzle>[0], sql as Parameters<typeof fromDrizzle>[1]) },
    );
  }

  /**
   * At most one job per key and window runs now; the rest of a burst becomes one job at the end
   * of the window (pg-boss debouncing).
   */
  async sendDebounced<N extends JobName>(
    name: N,
    data: Jobs[N],
    seconds: number,
    key: string,
  ): Promise<void> {
    if (seconds <= 0) await this.boss.send(name, data as object);
    else await this.boss.sendDebounced(name, data as object, null, seconds, key);
  }

  /**
   * SQL that enqueues jobs of `name` from within another statement: give it an SQL expression
   * whose value is the JSON text of `[{data: …}, …]` (see drivers/pg-boss.ts).
   */
  insertStatement(name: JobName): Promise<(jobsJsonText: string) => string> {
    let statement = this.insertStatements.get(name);
    if (!statement) {
      statement = captureInsertStatement(this.boss, name);
      this.insertStatements.set(name, statement);
    }
    return statement;
  }

  /** Jobs waiting in a queue (an operator's view of a dead-letter queue), oldest first. */
  async queued<N extends JobName>(
    name: N,
    filter: { data?: Partial<Jobs[N]> } = {},
  ): Promise<QueuedJob<N>[]> {
    const jobs = await this.boss.findJobs<Jobs[N]>(name, {
      queued: true,
      ...(filter.data ? { data: filter.data as object } : {}),
    });
    return jobs
      .map((job) => ({ id: job.id, data: job.data, createdOn: new Date(job.createdOn) }))
      .sort((a, b) => a.createdOn.getTime() - b.createdOn.getTime());
  }

  /** Jobs of a queue with their state and attempts (tests and diagnosis); `queued`: waiting only. */
  async find<N extends JobName>(name: N, filter: { data?: Partial<Jobs[N]>; queued?: boolean } = {}) {
    return this.boss.findJobs<Jobs[N]>(name, {
      ...(filter.data ? { data: filter.data as object } : {}),
      ...(filter.queued ? { queued: true } : {}),
    });
  }

  /** The cron schedules of a queue. */
  async schedules(name: JobName): Promise<{ cron: string; data: unknown }[]> {
    return (await this.boss.getSchedules(name)).map((s) => ({ cron: s.cron, data: s.data }));
  }

  /**
   * Cancels the jobs of `name` still waiting to run whose data contains `data`: a timer made moot
   * by what happened first. Answers how many.
   */
  async cancel<N extends JobName>(name: N, data: Partial<Jobs[N]>): Promise<number> {
    const waiting = await this.boss.findJobs(name, { data: data as object, queued: true });
    if (waiting.length === 0) return 0;
    await this.boss.cancel(
      name,
      waiting.map((job) => job.id),
    );
    return waiting.length;
  }

  async delete(name: JobName, id: string): Promise<void> {
    await this.boss.deleteJob(name, id);
  }

  /** Waiting jobs and the age of the oldest, per registered queue, counted now. */
  async waiting(): Promise<Map<string, { waiting: number; oldestSeconds: number }>> {
    return waitingJobs(this.database.db, this.names());
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000 });
  }

  /**
   * Each job is marked completed as soon as its own promise resolves (ids are written every
   * COMPLETE_EVERY_MS), not when the slowest of its fetch ends: a worker that dies while one
   * push hangs must not send the fetch's delivered pushes again. A rejected job fails alone and
   * pg-boss retries it with backoff; a payload that does not fit its schema is dead-lettered.
   */
  private async startWorker(def: AnyJobDefinition): Promise<void> {
    const name = def.name;
    const done = new CompletionBuffer((ids) => this.boss.complete(name, ids).then(() => {}), this.log, name);
    const run = (payloads: unknown[]): Promise<Promise<void>[]> => {
      const typed = payloads as Jobs[typeof name][];
      if (def.performBatch) return (def.performBatch as (p: unknown[]) => Promise<Promise<void>[]>)(typed);
      const perform = def.perform as (p: unknown) => Promise<void>;
      return Promise.resolve(typed.map((payload) => perform(payload)));
    };
    await this.boss.work<
      unknown,
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
        batchSize: def.fetch?.size ?? 20,
        localConcurrency: def.fetch?.workers ?? 1,
        perJobResults: true,
        burstWhenBatchFull: true,
      },
      async (jobs) => {
        const valid: { index: number; data: unknown }[] = [];
        const results: { id: string; status: 'completed' | 'failed' | 'deadletter'; output?: object }[] = [];
        jobs.forEach((job, index) => {
          const parsed = def.payload.safeParse(job.data);
          if (parsed.success) valid.push({ index, data: parsed.data });
          else {
            this.log.error(
              { queue: name, jobId: job.id, issues: parsed.error.issues.slice(0, 5) },
              'job payload does not fit its schema (queued by another version?); dead-lettered, not retried',
            );
            results[index] = { id: job.id, status: 'deadletter', output: { message: 'invalid payload' } };
          }
        });
        const running = valid.length > 0 ? await run(valid.map((v) => v.data)) : [];
        const settled = await Promise.allSettled(
          running.map((promise, i) => promise.then(() => done.add(jobs[valid[i]!.index]!.id))),
        );
        await done.flush();
        for (const [i, result] of settled.entries()) {
          const { index, data } = valid[i]!;
          const job = jobs[index]!;
          if (result.status === 'fulfilled') {
            results[index] = { id: job.id, status: 'completed' };
            continue;
          }
          const reason: unknown = result.reason;
          const final = job.retryCount >= def.queue.retryLimit;
          this.log.warn(
            { err: reason, queue: name, jobId: job.id, attempt: job.retryCount + 1 },
            final ? 'job failed for good; no retry left' : 'job failed; pg-boss retries it with backoff',
          );
          await Promise.resolve(
            (def.onFailed as ((p: unknown, e: unknown, a: { final: boolean }) => unknown) | undefined)?.(
              data,
              reason,
              { final },
            ),
          ).catch((error: unknown) => this.log.error({ err: error, queue: name }, 'onFailed of a job threw'));
          results[index] = {
            id: job.id,
            status: 'failed',
            output: { message: reason instanceof Error ? reason.message : String(reason) },
          };
        }
        return results;
      },
    );
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

export type { JobDefinition };
