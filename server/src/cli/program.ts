import { PlatformRoleSchema } from '@abrik/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { generateVapidKeyPair } from '../platform/config.js';
import { createDatabase } from '../platform/db/client.js';
import { createLogger } from '../platform/logger.js';
import { backup, restore } from './backup.js';
import { config, write } from './config.js';
import { doctor } from './doctor.js';
import { listDeadLetters, replayDeadLetters } from './jobs.js';
import { serve } from './serve.js';
import { createUser } from './users.js';

async function migrate(): Promise<void> {
  const cfg = config();
  const database = await createDatabase({
    url: cfg.DATABASE_URL,
    dataDir: cfg.dataDir,
    poolSize: 1,
    statementTimeoutMs: 600_000,
    connectTimeoutMs: cfg.DATABASE_CONNECT_TIMEOUT_MS,
    logger: createLogger({ level: cfg.LOG_LEVEL }),
  });
  try {
    const before = await database.pendingMigrations();
    await database.migrate();
    write(`migrations applied: ${before} (${database.kind})`);
  } finally {
    await database.close();
  }
}

const queueList = (value: string) => {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('one or more queue names, comma-separated');
  return names;
};

/** The `abrik` command line: built here, run by main.ts (tests walk it without running it). */
export function buildProgram(): Command {
  const program = new Command('abrik').description('Abrik Chat server').showHelpAfterError();

  program
    .command('serve')
    .description('run the HTTP API, the realtime gateway and (unless WORKERS=false) the job workers')
    .action(() => serve('all'));
  program
    .command('worker')
    .description('run the job workers alone (push, SMS, clean-ups), with /health and /metrics on PORT')
    .option('--queues <names>', 'only these queues, comma-separated (default: all)', queueList)
    .action((options: { queues?: string[] }) => serve('worker', options.queues));
  program
    .command('vapid')
    .description('Web Push keys')
    .command('generate')
    .description('print a new VAPID key pair as environment variables')
    .action(() => {
      const keys = generateVapidKeyPair();
      write(`VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}`);
    });
  const pid = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError('a process id (db.long_queries shows them)');
    return n;
  };
  program
    .command('doctor')
    .description(
      'diagnose the system: configuration, database, Redis, instances, jobs, push, SMS, clock, disk; exit 0 all ok, 1 any failed, 2 warnings only',
    )
    .argument(
      '[checks...]',
      'groups (config, system, db, redis, cluster, jobs, push, sms) or check ids; all when none',
    )
    .option('--json', 'results as JSON, for machines')
    .option('--cancel <pid>', 'cancel the statement of a database backend first (see db.long_queries)', pid)
    .option('--terminate <pid>', 'end the connection of a database backend first', pid)
    .action(async (checks: string[], options: { json?: boolean; cancel?: number; terminate?: number }) => {
      process.exitCode = await doctor(checks, options);
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
    .command('backup')
    .description('a consistent snapshot of the PostgreSQL database (pg_dump -Fc), taken while it runs')
    .option('--out <file>', 'where to write it (default abrik-<time>.dump here)')
    .option(
      '--metrics-file <file>',
      "on success, write the backup's time and size for node_exporter's textfile collector",
    )
    .action((options: { out?: string; metricsFile?: string }) => backup(config(), options, write));
  program
    .command('restore')
    .description('restore a backup into DATABASE_URL (an empty database, or --clean); stop the servers first')
    .argument('<file>', 'a file written by abrik backup (or pg_dump -Fc)')
    .option('--clean', 'drop and recreate what the backup holds in a database that is not empty')
    .action((file: string, options: { clean?: boolean }) => restore(config(), file, options, write));
  program
    .command('user')
    .description('manage users')
    .command('create')
    .description('create a user, or change the role and name of the user with this phone')
    .requiredOption('--phone <phone>', 'mobile number, any common form (09…, +98…, Persian digits)')
    .addOption(new Option('--role <role>', 'role').choices(PlatformRoleSchema.options).default('customer'))
    .option('--name <name>', 'display name', (value) => {
      const name = value.normalize('NFC').trim();
      if (name.length < 1 || [...name].length > 64) throw new InvalidArgumentError('1 to 64 characters');
      return name;
    })
    .action((options: Parameters<typeof createUser>[1]) => createUser(config(), options));
  return program;
}
