import type { z } from 'zod';

/**
 * Every job's payload by queue name. Each `*.job.ts` adds its own entry (declaration merging), so
 * `jobs.send(name, data)` is checked against the payload of that job wherever it is called.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules' job files.
export interface Jobs {}
export type JobName = keyof Jobs & string;

export interface QueuePolicy {
  /** Retries after a failed attempt; with `retryBackoff` the delay doubles each time. */
  retryLimit: number;
  retryBackoff?: boolean;
  /** Seconds before the first retry (default 0; with `retryBackoff`, at least 1), and the most any retry waits. */
  retryDelay?: number;
  retryDelayMax?: number;
  /**
   * A job held this long by a worker is taken to be lost (its worker died) and run again; default
   * JOBS_EXPIRE_SECONDS.
   */
  expireInSeconds?: number;
  /** Where jobs go that failed for good. */
  deadLetter?: JobName;
  deleteAfterSeconds?: number;
  /** `short`: at most one waiting job per singletonKey. */
  policy?: 'standard' | 'short';
}

interface JobCommon<N extends JobName> {
  name: N;
  /** Checked when a job is taken: jobs outlive deploys, and one queued by another version may not fit. */
  payload: z.ZodType<Jobs[N]>;
  queue: QueuePolicy;
  /** Queues `data` on a cron schedule (UTC) while workers of this job run. */
  cron?: { schedule: string; data: Jobs[N] };
  /** Jobs taken at once, and how many such fetches run concurrently (default 20 and 1). */
  fetch?: { size: number; workers: number };
  /** Called after a failed attempt; `final` when no retry is left. */
  onFailed?(payload: Jobs[N], error: unknown, attempt: { final: boolean }): void | Promise<void>;
}

/**
 * A job: its name, payload schema, queue policy and what performs it — one job at a time
 * (`perform`), a whole fetch at once (`performBatch`, answering one promise per job, so shared
 * work is done once and each job still succeeds or fails alone), or neither (a queue kept for
 * operators to inspect, such as a dead-letter queue).
 */
export type JobDefinition<N extends JobName = JobName> = JobCommon<N> &
  (
    | { perform(payload: Jobs[N]): Promise<void>; performBatch?: undefined }
    | { performBatch(payloads: Jobs[N][]): Promise<Promise<void>[]>; perform?: undefined }
    | { perform?: undefined; performBatch?: undefined }
  );

export type AnyJobDefinition = { [N in JobName]: JobDefinition<N> }[JobName];

/** Declares a job; the registry (JobQueue.register) creates its queue and runs its workers. */
export function defineJob<N extends JobName>(definition: JobDefinition<N>): JobDefinition<N> {
  return definition;
}
