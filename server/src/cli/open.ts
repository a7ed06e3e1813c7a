import { type Core, createCore } from '../main.js';
import type { Config } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';

/**
 * The core for a command-line tool: the database (migrated), the job queue and the modules, with
 * no Redis, no listening and no workers; closed when `run` ends.
 */
export async function withCore<T>(config: Config, run: (core: Core) => Promise<T>): Promise<T> {
  const core = await createCore(
    { ...config, DATABASE_POOL_SIZE: 2, WORKERS: false },
    // No pushes are sent from here: the providers (and the credentials they load) are not needed.
    { logger: createLogger({ level: 'warn' }), redis: false, push: {} },
  );
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}
