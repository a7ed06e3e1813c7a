import { z } from 'zod';
import { defineJob } from '../../platform/jobs/registry.js';
import type { Logger } from '../../platform/logger.js';
import type { FileService } from './file.service.js';

const FilesCleanupSchema = z.object({});
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** Hourly: removes uploads never sent within a day, files of deleted messages, unused profile photos. */
    'files-cleanup': z.infer<typeof FilesCleanupSchema>;
  }
}

export const filesCleanupJob = (files: FileService, logger: Logger) =>
  defineJob({
    name: 'files-cleanup',
    payload: FilesCleanupSchema,
    queue: { retryLimit: 2, expireInSeconds: 1800 },
    cron: { schedule: '41 * * * *', data: {} },
    perform: async () => {
      const removed = await files.cleanup();
      if (removed > 0) logger.child({ component: 'files' }).info({ removed }, 'unused files removed');
    },
  });
