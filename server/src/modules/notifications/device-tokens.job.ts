import { z } from 'zod';
import { defineJob } from '../../platform/jobs/registry.js';
import type { DeviceService } from './device.service.js';

const DeviceTokensSchema = z.object({});
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** Daily: counts stale device tokens and purges the long-dead ones (the runbook's SQL). */
    'device-tokens': z.infer<typeof DeviceTokensSchema>;
  }
}

export const deviceTokensJob = (devices: DeviceService) =>
  defineJob({
    name: 'device-tokens',
    payload: DeviceTokensSchema,
    queue: { retryLimit: 2, expireInSeconds: 600 },
    cron: { schedule: '17 3 * * *', data: {} },
    perform: async () => {
      await devices.maintainTokens();
    },
  });
