import { z } from 'zod';
import { defineJob } from '../../../platform/jobs/registry.js';
import type { SlaService } from './sla.service.js';

const DeadlineSchema = z.object({ targetId: z.int().positive(), dueAt: z.iso.datetime({ offset: true }) });
const SweepSchema = z.object({});

declare module '../../../platform/jobs/registry.js' {
  interface Jobs {
    /** An SLA deadline is near: staff are warned (moot if it moved or was met). */
    'support-sla-warn': z.infer<typeof DeadlineSchema>;
    /** An SLA deadline is here: breached if still unmet (moot if it moved or was met). */
    'support-sla-breach': z.infer<typeof DeadlineSchema>;
    /** Every hour: clocks that disagree with their ticket, and deadlines whose timer was lost. */
    'support-sla-sweep': z.infer<typeof SweepSchema>;
  }
}

const timer = { retryLimit: 5, retryBackoff: true };

/**
 * One timer job per SLA deadline, armed whenever a deadline is set or moves (a start, a resume)
 * and checked against the target when it runs — a moved or met deadline needs no cancelling —
 * with an hourly sweep as the safety net.
 */
export const slaTimerJobs = (sla: SlaService) => [
  defineJob({
    name: 'support-sla-warn',
    payload: DeadlineSchema,
    queue: timer,
    perform: (job) => sla.warnDue(job.targetId, new Date(job.dueAt)),
  }),
  defineJob({
    name: 'support-sla-breach',
    payload: DeadlineSchema,
    queue: timer,
    perform: (job) => sla.breachDue(job.targetId, new Date(job.dueAt)),
  }),
  defineJob({
    name: 'support-sla-sweep',
    payload: SweepSchema,
    queue: { retryLimit: 1, expireInSeconds: 900 },
    cron: { schedule: '17 * * * *', data: {} },
    perform: async () => {
      await sla.sweep();
    },
  }),
];
