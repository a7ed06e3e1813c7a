import { createApp } from '../main.js';
import { createLogger } from '../platform/logger.js';
import { config } from './config.js';

/**
 * `abrik serve` (role `all`) and `abrik worker` (role `worker`, optionally some queues only):
 * starts, listens, and drains on SIGTERM or SIGINT within SHUTDOWN_TIMEOUT_MS.
 */
export async function serve(role: 'all' | 'worker', queues?: string[]): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL });
  const log = logger.child({ component: 'server' });
  const app = await createApp(cfg, { logger, role, ...(queues ? { queues } : {}) });
  const url = await app.listen();
  log.info(
    { url, database: app.database.kind, sms: cfg.SMS_PROVIDER, env: cfg.NODE_ENV, queues },
    `Abrik Chat ${role === 'worker' ? 'worker (health and metrics only)' : ''} is listening on ${url} (database: ${app.database.kind === 'pglite' ? `embedded PGlite in ${cfg.dataDir}` : 'PostgreSQL'})`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining connections and writes');
    const force = setTimeout(() => {
      log.error({ timeoutMs: cfg.SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, cfg.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    app.stop().then(
      () => {
        log.info('stopped cleanly');
        logger.flush();
        process.exitCode = 0;
        setTimeout(() => process.exit(0), 50).unref();
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection; the process keeps serving');
  });
}
