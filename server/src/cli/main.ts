import { Command, InvalidArgumentError, Option } from 'commander';
import { createApp, createPushProviders } from '../app.js';
import { type Config, ConfigError, generateVapidKeyPair, loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { createLogger } from '../logger.js';
import { UserRepository } from '../repositories/user.repository.js';
import { rateLimits } from '../services/rate-limit.js';
import { UserService } from '../services/user.service.js';
import { doctorPush, listDeadLetters, replayDeadLetters } from './ops.js';

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

async function serve(role: 'all' | 'worker' = 'all'): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL });
  const log = logger.child({ component: 'server' });
  const app = await createApp(cfg, { logger, role });
  const url = await app.listen();
  log.info(
    { url, database: app.database.kind, sms: cfg.SMS_PROVIDER, env: cfg.NODE_ENV },
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

program
  .command('serve')
  .description('run the HTTP API, the realtime gateway and (unless WORKERS=false) the job workers')
  .action(() => serve('all'));
program
  .command('worker')
  .description('run the job workers alone (push, SMS, clean-ups), with /health and /metrics on PORT')
  .action(() => serve('worker'));
program
  .command('vapid')
  .description('Web Push keys')
  .command('generate')
  .description('print a new VAPID key pair as environment variables')
  .action(() => {
    const keys = generateVapidKeyPair();
    process.stdout.write(`VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}\n`);
  });
program
  .command('doctor')
  .description('diagnose a part of the system')
  .command('push')
  .description('push credentials, sends and failures by outcome, quota, stale tokens, dead letters, queues')
  .action(async () => {
    const cfg = config();
    const logger = createLogger({ level: 'silent' });
    const providers = await createPushProviders(cfg, logger);
    const checks = [providers.phone, providers.web]
      .filter((p, i, all): p is NonNullable<typeof p> => p !== undefined && all.indexOf(p) === i)
      .map((p) => ({ name: p.name, check: () => p.checkCredentials() }));
    process.exitCode = await doctorPush(cfg, checks);
    await Promise.allSettled([providers.phone?.close(), providers.web?.close()]);
  });
const deadLetter = program
  .command('jobs')
  .description('the job queue')
  .command('dead-letter')
  .description('pushes that could not be sent');
deadLetter
  .command('list')
  .option('--limit <n>', 'show at most n', (v) => Number.parseInt(v, 10), 50)
  .action(async (options: { limit: number }) => listDeadLetters(config(), options.limit));
deadLetter
  .command('replay')
  .description('send dead pushes again, after fixing what failed')
  .option('--id <id...>', 'only these jobs')
  .option('--all', 'every dead letter')
  .action(async (options: { id?: string[]; all?: boolean }) => {
    if (!options.all && !options.id) throw new InvalidArgumentError('give --all or --id <id...>');
    await replayDeadLetters(config(), options.all ? 'all' : (options.id ?? []));
  });
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
