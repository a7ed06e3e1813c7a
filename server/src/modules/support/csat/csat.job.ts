import { IdSchema } from '@abrik/protocol';
import { z } from 'zod';
import { defineJob } from '../../../platform/jobs/registry.js';
import type { CsatService } from './csat.service.js';

const CsatSmsSchema = z.object({ csatId: IdSchema });
declare module '../../../platform/jobs/registry.js' {
  interface Jobs {
    /** A customer away when their conversation was resolved: the survey's link by SMS. */
    'support-csat-sms': z.infer<typeof CsatSmsSchema>;
  }
}

/** The satisfaction survey's SMS, queued with the survey (one transaction) and sent from here. */
export const csatJobs = (csat: CsatService) => [
  defineJob({
    name: 'support-csat-sms',
    payload: CsatSmsSchema,
    queue: { retryLimit: 5, retryBackoff: true },
    fetch: { size: 5, workers: 1 },
    perform: (job) => csat.sendLink(job.csatId),
    onFailed: (job, error, { final }) => {
      if (final) csat.linkGaveUp(job.csatId, error);
    },
  }),
];
