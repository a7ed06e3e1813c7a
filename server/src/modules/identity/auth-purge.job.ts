import { z } from 'zod';
import { defineJob } from '../../platform/jobs/registry.js';
import type { AuthService } from './auth.service.js';

const AuthPurgeSchema = z.object({});
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** Hourly: deletes expired sign-in codes and sessions. */
    'auth-purge': z.infer<typeof AuthPurgeSchema>;
  }
}

export const authPurgeJob = (auth: AuthService) =>
  defineJob({
    name: 'auth-purge',
    payload: AuthPurgeSchema,
    queue: { retryLimit: 2, expireInSeconds: 600 },
    cron: { schedule: '7 * * * *', data: {} },
    perform: async () => {
      await auth.purgeExpired();
    },
  });
