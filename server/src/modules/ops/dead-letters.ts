import type { JobQueue } from '../../platform/jobs/queue.js';
import type { DeadPushJob } from '../notifications/push-send.job.js';

/** Pushes that could not be sent (`push-dead`): listed for an operator, and sent again on request. */
export class DeadLetters {
  constructor(private readonly jobs: Pick<JobQueue, 'queued' | 'send' | 'delete'>) {}

  async list(): Promise<{ id: string; data: DeadPushJob }[]> {
    return this.jobs.queued('push-dead');
  }

  /** Sends the dead pushes again as first attempts (after fixing what failed); answers how many. */
  async replay(ids: string[] | 'all'): Promise<number> {
    let replayed = 0;
    for (const job of await this.list()) {
      if (ids !== 'all' && !ids.includes(job.id)) continue;
      const { provider: _p, reason: _r, failedAt: _f, ...push } = job.data;
      await this.jobs.send('push-send', { ...push, attempt: 1 });
      await this.jobs.delete('push-dead', job.id);
      replayed += 1;
    }
    return replayed;
  }
}
