import type { Config } from '../platform/config.js';
import { write } from './config.js';
import { withCore } from './open.js';

/** `abrik jobs dead-letter list`. */
export async function listDeadLetters(config: Config, limit: number): Promise<void> {
  await withCore(config, async (core) => {
    const jobs = await core.ops.deadLetters.list();
    write(`${jobs.length} dead letter(s)`);
    for (const job of jobs.slice(0, limit)) {
      const d = job.data;
      write(
        `${job.id}  ${d.failedAt}  ${d.provider}  device ${d.deviceId}  attempts ${d.attempt}  ${d.reason}`,
      );
    }
  });
}

/** `abrik jobs dead-letter replay`: sends dead pushes again (after fixing what failed). */
export async function replayDeadLetters(config: Config, ids: string[] | 'all'): Promise<number> {
  return withCore(config, async (core) => {
    const replayed = await core.ops.deadLetters.replay(ids);
    write(`replayed ${replayed} dead letter(s)`);
    return replayed;
  });
}
