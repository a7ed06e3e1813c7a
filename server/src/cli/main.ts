import { Command, InvalidArgumentError, Option } from 'commander';
import { createApp } from '../app.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../logger.js';
import { UserRepository } from '../repositories/user.repository.js';
import { rateLimits } from '../services/rate-limit.js';
import { UserService } from '../services/user.service.js';

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`abrik: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function serve(): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL });
  const log = logger.child({ component: 'server' });
  const app = await createApp(cfg, { logger });
  const url = await app.listen();
  log.info(
    { url, database: app.database.kind, sms: cfg.SMS_PROVIDER, env: cfg.NODE_ENV },
    `Abrik Chat is listening on ${url} (database: ${app.database.kind === 'pglite' ? `embedded PGlite in ${cfg.dataDir}` : 'PostgreSQL'})`,
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

async function migrate(): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL });
  const database = await createDatabase({
    url: cfg.DATABASE_URL,
    dataDir: cfg.dataDir,
    poolSize: 1,
    statementTimeoutMs: 600_000,
    connectTimeoutMs: cfg.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
  });
  try {
    const before = await database.pendingMigrations();
    await database.migrate();
    process.stdout.write(`migrations applied: ${before} (${database.kind})\n`);
  } finally {
    await database.close();
  }
}

async function createUser(options: { phone: string; role: 'customer' | 'agent' | 'admin'; name?: string }) {
  const cfg = config();
  const logger = createLogger({ level: 'warn' });
  const database = await createDatabase({
    url: cfg.DATABASE_URL,
    dataDir: cfg.dataDir,
    poolSize: 1,
    statementTimeoutMs: cfg.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: cfg.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
  });
  try {
    await database.migrate();
    const users = new UserService(new UserRepository(database.db), 1, rateLimits());
    const user = await users.createWithRole(options.phone, options.role, options.name);
    process.stdout.write(`${JSON.stringify({ id: user.id, role: user.role, name: user.name })}\n`);
  } finally {
    await database.close();
  }
}

const program = new Command('abrik').description('Abrik Chat server').showHelpAfterError();

program.command('serve').description('run the HTTP API and the realtime gateway').action(serve);
program.command('migrate').description('apply database migrations').action(migrate);
program
  .command('user')
  .description('manage users')
  .command('create')
  .description('create a user, or change the role and name of the user with this phone')
  .requiredOption('--phone <phone>', 'mobile number, any common form (09…, +98…, Persian digits)')
  .addOption(new Option('--role <role>', 'role').choices(['customer', 'agent', 'admin']).default('customer'))
  .option('--name <name>', 'display name', (value) => {
    const name = value.normalize('NFC').trim();
    if (name.length < 1 || [...name].length > 64) throw new InvalidArgumentError('1 to 64 characters');
    return name;
  })
  .action(createUser);

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`abrik: ${message}\n`);
  process.exit(1);
});
