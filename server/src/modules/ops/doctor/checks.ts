import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Config } from '../../../platform/config.js';
import { type Database, queryRows } from '../../../platform/db/client.js';
import { PGBOSS_SCHEMA } from '../../../platform/jobs/drivers/pg-boss.js';
import type { Redis } from '../../../platform/redis/client.js';
import { DeliveryLogRepository } from '../../notifications/delivery-log.repository.js';
import { DeviceRepository } from '../../notifications/device.repository.js';
import { PushReport } from '../../notifications/push-report.js';
import { holidaysOutlook } from '../../support/hours/holidays.check.js';
import { type Check, type CheckOutcome, errorText, fail, ok, skip, sqlState, warn } from './doctor.js';

/** What the checks reach: each dependency opened on first use (a failure fails its checks only). */
export interface DoctorContext {
  /** The configuration, or the problems that kept it from loading. */
  config: Config | { problems: string[] };
  database(): Promise<Database>;
  /** undefined: no REDIS_URL (one instance). */
  redis(): Promise<Redis | undefined>;
  pushProviders(): Promise<{ name: string; check(): Promise<void> }[]>;
  /** The SMS provider's account, when it has one to ask (Kavenegar). */
  smsAccount(): { name: string; info?: () => Promise<{ remainingCredit: number; expiresAt: Date | null }> };
  now(): number;
  /** process.versions.node, as a test may pretend otherwise. */
  nodeVersion: string;
  /** The thresholds (LIMITS unless a test moves them). */
  limits: typeof LIMITS;
  /** tehranOffset, unless a test plays old or missing time zone data. */
  tehranOffset(at: Date): string | undefined;
}

const RUNBOOK = 'docs/runbook.md';
const section = (anchor: string) => `${RUNBOOK}#${anchor}`;

/** Thresholds, documented in docs/runbook.md#abrik-doctor. */
export const LIMITS = {
  clockWarnMs: 2_000,
  clockFailMs: 30_000,
  longQueryWarnSeconds: 30,
  longQueryFailSeconds: 300,
  connectionsWarnRatio: 0.8,
  connectionsFailRatio: 0.95,
  diskWarnBytes: 5 * 1024 ** 3,
  diskFailBytes: 1024 ** 3,
  backlogWarnSeconds: 300,
  backlogFailSeconds: 1800,
  quotaWarnRatio: 0.8,
  pushFailureWarnRatio: 0.1,
  pushFailureFailRatio: 0.5,
  smsCreditWarnRials: 500_000,
  smsCreditFailRials: 50_000,
  postgresMinVersionNum: 140000,
  pubsubTimeoutMs: 3000,
};

/** Asia/Tehran's offset at a moment as ICU names it (`GMT+03:30`); throws without time zone data. */
export const tehranOffset = (at: Date): string | undefined =>
  new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tehran', timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;

const loaded = (context: DoctorContext): Config | undefined =>
  'problems' in context.config ? undefined : context.config;

/** Runs `run` with the loaded configuration, or skips when it did not load. */
function withConfig(run: (config: Config, context: DoctorContext) => Promise<CheckOutcome>) {
  return async (context: DoctorContext) => {
    const config = loaded(context);
    return config ? run(config, context) : skip('the configuration is invalid (see config.valid)');
  };
}

/** Runs `run` on PostgreSQL (or PGlite); a database that cannot be opened fails the check. */
function withDatabase(
  run: (database: Database, config: Config, context: DoctorContext) => Promise<CheckOutcome>,
) {
  return withConfig(async (config, context) => {
    let database: Database;
    try {
      database = await context.database();
    } catch (error) {
      return fail(`cannot reach the database: ${errorText(error)}`, 'see db.reachable');
    }
    try {
      return await run(database, config, context);
    } catch (error) {
      // Not migrated yet: db.migrations and db.jobs say so once; these have nothing to read.
      if (sqlState(error) === '42P01')
        return skip(`not set up yet (${errorText(error)}): see db.migrations and db.jobs`);
      throw error;
    }
  });
}

function withRedis(run: (redis: Redis, config: Config, context: DoctorContext) => Promise<CheckOutcome>) {
  return withConfig(async (config, context) => {
    if (!config.REDIS_URL) return skip('REDIS_URL is not set: one instance, nothing shared');
    let redis: Redis | undefined;
    try {
      redis = await context.redis();
    } catch (error) {
      return fail(`cannot reach Redis: ${errorText(error)}`, 'see redis.reachable');
    }
    if (!redis?.isReady()) return fail('Redis is not connected', 'see redis.reachable');
    return run(redis, config, context);
  });
}

const seconds = (s: number) => (s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

// ---- configuration and host -------------------------------------------------------------------

const configChecks: Check<DoctorContext>[] = [
  {
    id: 'config.valid',
    title: 'configuration',
    runbook: section('configuration'),
    async run(context) {
      if ('problems' in context.config) {
        return fail(
          context.config.problems.join('; '),
          'fix the variables named (docs: README "Configuration"); the server refuses to start until then',
        );
      }
      return ok(
        `NODE_ENV=${context.config.NODE_ENV}, database ${context.config.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`,
      );
    },
  },
  {
    id: 'config.production',
    title: 'production-safe settings',
    runbook: section('configuration'),
    run: withConfig(async (config) => {
      const notes: string[] = [];
      if (!config.isProduction) notes.push(`NODE_ENV is ${config.NODE_ENV}, not production`);
      if (!config.DATABASE_URL)
        notes.push('no DATABASE_URL: the embedded PGlite database is for one instance and development');
      if (config.CORS_ORIGINS === '*') notes.push('CORS_ORIGINS allows every origin');
      if (notes.length > 0) {
        return warn(
          notes.join('; '),
          'set NODE_ENV=production with DATABASE_URL (and REDIS_URL for several instances)',
        );
      }
      return ok('production: secrets, SMS, push and metrics token set (the server checks them at start)');
    }),
  },
  {
    id: 'system.node',
    title: 'Node.js version',
    runbook: section('configuration'),
    async run(context) {
      const major = Number(context.nodeVersion.split('.')[0]);
      if (major >= 24) return ok(`Node ${context.nodeVersion}`);
      return fail(
        `Node ${context.nodeVersion}; Abrik needs Node 24 LTS`,
        'run with Node 24 (the image and `npm start` do)',
      );
    },
  },
  {
    id: 'system.timezone',
    title: 'time zone data (Asia/Tehran)',
    runbook: section('clock-and-time-zone'),
    async run(context) {
      const offset = (at: string) => context.tehranOffset(new Date(at));
      let winter: string | undefined;
      let summer: string | undefined;
      try {
        winter = offset('2026-01-15T12:00:00Z');
        summer = offset('2026-07-15T12:00:00Z');
      } catch (error) {
        return fail(
          `no time zone data: ${errorText(error)}`,
          'install full ICU / tzdata (the image has tzdata)',
        );
      }
      if (winter !== 'GMT+03:30') {
        return fail(
          `Asia/Tehran is ${winter}, not GMT+03:30`,
          'install tzdata; set no TZ override for the process',
        );
      }
      if (summer !== 'GMT+03:30') {
        return warn(
          `Asia/Tehran in summer is ${summer}: time zone data older than 2022 (Iran ended daylight saving)`,
          'update tzdata / Node',
        );
      }
      return ok('Asia/Tehran is GMT+03:30 all year');
    },
  },
  {
    id: 'system.disk',
    title: 'disk free for DATA_DIR',
    runbook: section('disk-full'),
    run: withConfig(async (config, context) => {
      let path = config.dataDir;
      let stats: Awaited<ReturnType<typeof statfs>> | undefined;
      // DATA_DIR may not exist yet: the file system it will be made on is what counts.
      for (let i = 0; i < 64 && !stats; i++) {
        try {
          stats = await statfs(path);
        } catch {
          const parent = dirname(path);
          if (parent === path) break;
          path = parent;
        }
      }
      if (!stats) return fail(`cannot read the file system of ${config.dataDir}`, 'check DATA_DIR');
      const free = Number(stats.bavail) * Number(stats.bsize);
      const share = free / (Number(stats.blocks) * Number(stats.bsize));
      const detail = `${gib(free)} free (${(share * 100).toFixed(0)} %) on the file system of ${config.dataDir}`;
      if (free < context.limits.diskFailBytes)
        return fail(detail, 'free space now: old logs, backups; grow the volume');
      if (free < context.limits.diskWarnBytes) return warn(detail, 'plan more space before it runs out');
      return ok(detail);
    }),
  },
];

// ---- PostgreSQL -------------------------------------------------------------------------------

const databaseChecks: Check<DoctorContext>[] = [
  {
    id: 'db.reachable',
    title: 'database reachable',
    runbook: section('database-unreachable'),
    run: withConfig(async (_config, context) => {
      let database: Database;
      try {
        database = await context.database();
        await database.ping(5000);
      } catch (error) {
        return fail(
          `no answer: ${errorText(error)}`,
          'is PostgreSQL running and reachable from here (DATABASE_URL host, port, firewall, credentials)?',
        );
      }
      if (database.kind === 'pglite') return ok('embedded PGlite in DATA_DIR');
      const [row] = await queryRows<{ version: string; num: string }>(
        database.db,
        sql`select current_setting('server_version') as version, current_setting('server_version_num') as num`,
      );
      if (Number(row?.num) < context.limits.postgresMinVersionNum) {
        return warn(`PostgreSQL ${row?.version}; 14 or newer is supported`, 'upgrade PostgreSQL');
      }
      return ok(`PostgreSQL ${row?.version}`);
    }),
  },
  {
    id: 'db.migrations',
    title: 'migrations at head',
    runbook: section('release-and-rollback'),
    run: withDatabase(async (database) => {
      const pending = await database.pendingMigrations();
      if (pending > 0)
        return fail(`${pending} migration(s) not applied`, "run `abrik migrate` (the release's migrate job)");
      return ok('every migration this release ships is applied');
    }),
  },
  {
    id: 'db.jobs',
    title: 'job queue schema',
    runbook: section('job-backlog'),
    run: withDatabase(async (database) => {
      const [row] = await queryRows<{ job: string | null }>(
        database.db,
        sql`select to_regclass(${`${PGBOSS_SCHEMA}.job`})::text as job`,
      );
      if (!row?.job)
        return fail(
          `no ${PGBOSS_SCHEMA}.job table`,
          'start the server once (it creates the job schema) or run `abrik migrate`',
        );
      return ok(`${PGBOSS_SCHEMA}.job present`);
    }),
  },
  {
    id: 'db.connections',
    title: 'connections against max_connections',
    runbook: section('database-pool-exhausted'),
    run: withDatabase(async (database, config, context) => {
      if (database.kind === 'pglite') return skip('embedded PGlite: no connections');
      const rows = await queryRows<{ app: string; state: string | null; n: number; waiting: number }>(
        database.db,
        // Every database's connections count against max_connections; lock waits and open
        // transactions are ours only (other databases on the server are not this system's).
        sql`select coalesce(nullif(application_name, ''), '(other)') as app,
                   case when datname = current_database() then state end as state, count(*)::int as n,
                   count(*) filter (where wait_event_type = 'Lock' and datname = current_database())::int as waiting
            from pg_stat_activity where backend_type = 'client backend' group by 1, 2`,
      );
      const [limit] = await queryRows<{ max: string; reserved: string }>(
        database.db,
        sql`select current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as reserved`,
      );
      const max = Number(limit?.max) - Number(limit?.reserved ?? 0);
      const used = rows.reduce((n, r) => n + r.n, 0);
      const waiting = rows.reduce((n, r) => n + r.waiting, 0);
      const byApp = new Map<string, number>();
      for (const r of rows) byApp.set(r.app, (byApp.get(r.app) ?? 0) + r.n);
      const idleInTx = rows
        .filter((r) => r.state?.startsWith('idle in transaction'))
        .reduce((n, r) => n + r.n, 0);
      // What the instances may open: the pool, the writer's 2 and the job queue's 10 each.
      const instances = await instanceCount(context);
      const perInstance = config.DATABASE_POOL_SIZE + 12;
      const detail =
        `${used} of ${max} in use (${[...byApp].map(([app, n]) => `${app} ${n}`).join(', ')}); ` +
        `${waiting} waiting on locks, ${idleInTx} idle in transaction; ` +
        `${instances ?? '?'} instance(s) × up to ${perInstance} (DATABASE_POOL_SIZE + 12)`;
      const fix = 'find who holds them (db.long_queries); raise max_connections or lower DATABASE_POOL_SIZE';
      if (used >= max * context.limits.connectionsFailRatio) return fail(detail, fix);
      if (used >= max * context.limits.connectionsWarnRatio || waiting > 0 || idleInTx > 0)
        return warn(detail, fix);
      if (instances !== undefined && instances * perInstance > max) {
        return warn(
          `${detail}: more than max_connections at full load`,
          'raise max_connections or lower DATABASE_POOL_SIZE',
        );
      }
      return ok(detail);
    }),
  },
  {
    id: 'db.long_queries',
    title: 'long-running queries',
    runbook: section('database-pool-exhausted'),
    run: withDatabase(async (database, _config, context) => {
      if (database.kind === 'pglite') return skip('embedded PGlite: one connection');
      const rows = await longQueries(database, context.limits.longQueryWarnSeconds);
      if (rows.length === 0) return ok(`none running longer than ${context.limits.longQueryWarnSeconds} s`);
      const detail = rows
        .slice(0, 5)
        .map((r) => `pid ${r.pid} ${r.state} ${seconds(r.seconds)} (${r.app}): ${r.query}`)
        .join(' | ');
      const fix =
        'cancel one with `abrik doctor db --cancel PID`, or end its connection with `abrik doctor db --terminate PID`';
      return rows.some((r) => r.seconds >= context.limits.longQueryFailSeconds)
        ? fail(detail, fix)
        : warn(detail, fix);
    }),
  },
  {
    id: 'system.clock',
    title: 'clock skew against the database',
    runbook: section('clock-and-time-zone'),
    run: withDatabase(async (database, _config, context) => {
      const before = context.now();
      const [row] = await queryRows<{ now: string | Date }>(database.db, sql`select now() as now`);
      const after = context.now();
      const skew = new Date(row!.now).getTime() - (before + after) / 2;
      const detail = `the database's clock is ${skew >= 0 ? 'ahead' : 'behind'} by ${Math.abs(Math.round(skew))} ms`;
      const fix = 'run NTP (chrony/systemd-timesyncd) on this host and the database host';
      if (Math.abs(skew) >= context.limits.clockFailMs) return fail(detail, fix);
      if (Math.abs(skew) >= context.limits.clockWarnMs) return warn(detail, fix);
      return ok(detail);
    }),
  },
];

export interface LongQuery {
  pid: number;
  seconds: number;
  state: string;
  app: string;
  query: string;
}

/** Statements (other than ours) running or holding a transaction for longer than `minSeconds`. */
export async function longQueries(database: Database, minSeconds: number): Promise<LongQuery[]> {
  const rows = await queryRows<{ pid: number; seconds: number; state: string; app: string; query: string }>(
    database.db,
    sql`select pid, extract(epoch from now() - coalesce(query_start, xact_start))::float as seconds,
               coalesce(state, '?') as state, coalesce(nullif(application_name, ''), '(other)') as app,
               left(regexp_replace(query, '\\s+', ' ', 'g'), 120) as query
        from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid() and state <> 'idle'
          and coalesce(query_start, xact_start) < now() - make_interval(secs => ${minSeconds})
        order by seconds desc`,
  );
  return rows.map((r) => ({ ...r, pid: Number(r.pid), seconds: Number(r.seconds) }));
}

/** `abrik doctor db --cancel PID` (the statement) or `--terminate PID` (the connection). */
export async function stopBackend(
  database: Database,
  pid: number,
  how: 'cancel' | 'terminate',
): Promise<boolean> {
  const [row] = await queryRows<{ done: boolean }>(
    database.db,
    how === 'cancel'
      ? sql`select pg_cancel_backend(${pid}) as done`
      : sql`select pg_terminate_backend(${pid}) as done`,
  );
  return row?.done === true;
}

// ---- Redis and the instances ------------------------------------------------------------------

const presenceKeys = (prefix: string) => ({
  instances: `${prefix}presence:instances`,
  connections: `${prefix}presence:connections`,
  usersOf: (id: string) => `${prefix}presence:instance:${id}:users`,
});

/** Instances whose presence heartbeat is fresh, from Redis; undefined without Redis. */
async function instanceCount(context: DoctorContext): Promise<number | undefined> {
  const config = loaded(context);
  if (!config?.REDIS_URL) return 1;
  try {
    const redis = await context.redis();
    if (!redis?.isReady()) return undefined;
    const beats = await redis.client.zRangeWithScores(presenceKeys(redis.prefix).instances, 0, -1);
    return beats.filter((b) => context.now() - b.score <= config.PRESENCE_INSTANCE_TTL_SECONDS * 1000).length;
  } catch {
    return undefined;
  }
}

const redisChecks: Check<DoctorContext>[] = [
  {
    id: 'redis.reachable',
    title: 'Redis reachable',
    runbook: section('redis-down'),
    run: withConfig(async (config, context) => {
      if (!config.REDIS_URL) return skip('REDIS_URL is not set: one instance, nothing shared');
      try {
        const redis = await context.redis();
        await redis!.ping(3000);
        const info = await redis!.client.info('server');
        const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
        return ok(`Redis ${version}`);
      } catch (error) {
        return fail(
          `no answer: ${errorText(error)}`,
          'start Redis; meanwhile each instance serves its own clients and they resync when it is back',
        );
      }
    }),
  },
  {
    id: 'redis.memory_policy',
    title: 'Redis eviction policy',
    runbook: section('redis-down'),
    run: withRedis(async (redis) => {
      let policy: string | undefined;
      try {
        const reply = (await redis.client.configGet('maxmemory-policy')) as Record<string, string>;
        policy = reply['maxmemory-policy'];
      } catch (error) {
        return skip(
          `CONFIG GET is not allowed here (${errorText(error)}); check maxmemory-policy with your provider`,
        );
      }
      if (policy === 'noeviction' || policy?.startsWith('volatile-')) return ok(`maxmemory-policy ${policy}`);
      return warn(
        `maxmemory-policy ${policy}: Redis may evict the event stream and presence under memory pressure`,
        'set maxmemory-policy noeviction (or volatile-lru) and give Redis room',
      );
    }),
  },
  {
    id: 'redis.pubsub',
    title: 'Redis publish round trip',
    runbook: section('messages-not-arriving'),
    run: withRedis(async (redis, _config, context) => {
      const channel = `${redis.prefix}doctor:${process.pid}:${Math.random().toString(36).slice(2)}`;
      const subscriber = redis.client.duplicate();
      subscriber.on('error', () => {});
      await subscriber.connect();
      try {
        const started = performance.now();
        const heard = new Promise<number>((resolve) => {
          void subscriber.subscribe(channel, () => resolve(performance.now() - started));
        });
        // Published until heard: the subscription may not be in place for the first one.
        let ms: number | undefined;
        const deadline = Date.now() + context.limits.pubsubTimeoutMs;
        while (ms === undefined && Date.now() < deadline) {
          await redis.client.publish(channel, 'ping');
          ms = await Promise.race([
            heard,
            new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
          ]);
        }
        if (ms === undefined)
          return fail(
            `a published message was not heard within ${context.limits.pubsubTimeoutMs / 1000} s`,
            'check Redis (and any proxy in front of it)',
          );
        return ok(`heard in ${ms.toFixed(1)} ms`);
      } finally {
        await subscriber.quit().catch(() => subscriber.destroy());
      }
    }),
  },
  {
    id: 'cluster.instances',
    title: 'instances alive (presence heartbeats)',
    runbook: section('instance-killed'),
    run: withRedis(async (redis, config, context) => {
      const keys = presenceKeys(redis.prefix);
      const beats = await redis.client.zRangeWithScores(keys.instances, 0, -1);
      const connections = await redis.client.hGetAll(keys.connections);
      const ttl = config.PRESENCE_INSTANCE_TTL_SECONDS * 1000;
      const alive = beats.filter((b) => context.now() - b.score <= ttl);
      const dead = beats.filter((b) => context.now() - b.score > ttl);
      const detail =
        `${alive.length} alive (${alive.map((b) => `${b.value}: ${connections[b.value] ?? 0} connections`).join(', ') || 'none'})` +
        (dead.length > 0
          ? `; silent: ${dead.map((b) => `${b.value} for ${seconds((context.now() - b.score) / 1000)}`).join(', ')}`
          : '');
      if (alive.length === 0)
        return fail(detail, 'no instance is serving: see the runbook\'s "service down"');
      if (dead.length > 0)
        return warn(
          detail,
          'a silent instance is swept by the others within a heartbeat; restart it if it should run',
        );
      return ok(detail);
    }),
  },
  {
    id: 'cluster.presence',
    title: 'presence consistency',
    runbook: section('instance-killed'),
    run: withRedis(async (redis, config, context) => {
      const keys = presenceKeys(redis.prefix);
      const beats = await redis.client.zRangeWithScores(keys.instances, 0, -1);
      const ttl = config.PRESENCE_INSTANCE_TTL_SECONDS * 1000;
      const stale: string[] = [];
      for (const beat of beats.filter((b) => context.now() - b.score > ttl)) {
        const users = await redis.client.sCard(keys.usersOf(beat.value));
        if (users > 0) stale.push(`${users} user(s) on ${beat.value}`);
      }
      if (stale.length > 0) {
        return warn(
          `shown online on silent instances: ${stale.join(', ')}`,
          'the sweep of a live instance removes them within a heartbeat; if it persists, no instance is sweeping (check cluster.instances)',
        );
      }
      return ok(`no user shown online on a silent instance (${beats.length} instance(s) known)`);
    }),
  },
];

// ---- jobs, push, SMS --------------------------------------------------------------------------

const pushReport = (database: Database) =>
  new PushReport({ log: new DeliveryLogRepository(database.db), devices: new DeviceRepository(database.db) });

interface QueueRow {
  name: string;
  due: number;
  oldest: number | null;
  failed: number;
}

async function queues(database: Database): Promise<QueueRow[]> {
  const rows = await queryRows<QueueRow>(
    database.db,
    sql`select name,
               count(*) filter (where state in ('created', 'retry') and start_after <= now())::int as due,
               extract(epoch from now() - min(start_after) filter (where state in ('created', 'retry') and start_after <= now()))::float as oldest,
               count(*) filter (where state = 'failed' and completed_on > now() - interval '1 hour')::int as failed
        from ${sql.identifier(PGBOSS_SCHEMA)}.job group by name order by name`,
  );
  return rows.map((r) => ({
    ...r,
    due: Number(r.due),
    failed: Number(r.failed),
    oldest: r.oldest === null ? null : Number(r.oldest),
  }));
}

const jobChecks: Check<DoctorContext>[] = [
  {
    id: 'jobs.backlog',
    title: 'job queues: due and waiting',
    runbook: section('job-backlog'),
    run: withDatabase(async (database, _config, context) => {
      const rows = (await queues(database)).filter((r) => r.name !== 'push-dead' && r.due > 0);
      if (rows.length === 0) return ok('nothing due is waiting');
      const oldest = Math.max(...rows.map((r) => r.oldest ?? 0));
      const detail = rows.map((r) => `${r.name} ${r.due} (oldest ${seconds(r.oldest ?? 0)})`).join(', ');
      const fix = 'are workers running (`abrik worker`, WORKERS)? their logs (component jobs) say why';
      if (oldest >= context.limits.backlogFailSeconds) return fail(detail, fix);
      if (oldest >= context.limits.backlogWarnSeconds) return warn(detail, fix);
      return ok(detail);
    }),
  },
  {
    id: 'jobs.failures',
    title: 'jobs failed in the last hour',
    runbook: section('job-backlog'),
    run: withDatabase(async (database) => {
      const rows = (await queues(database)).filter((r) => r.failed > 0);
      if (rows.length === 0) return ok('none');
      return warn(
        rows.map((r) => `${r.name} ${r.failed}`).join(', '),
        "read the workers' error lines (component jobs, the queue name); failed jobs were retried before they failed",
      );
    }),
  },
  {
    id: 'push.dead_letters',
    title: 'pushes dead-lettered',
    runbook: section('push-failing'),
    run: withDatabase(async (database) => {
      const dead = (await queues(database)).find((r) => r.name === 'push-dead');
      const n = dead
        ? ((
            await queryRows<{ n: number }>(
              database.db,
              sql`select count(*)::int as n from ${sql.identifier(PGBOSS_SCHEMA)}.job where name = 'push-dead' and state in ('created', 'retry')`,
            )
          )[0]?.n ?? 0)
        : 0;
      if (Number(n) === 0) return ok('none');
      return warn(
        `${n} push(es) could not be sent`,
        'fix the cause (push.credentials), then `abrik jobs dead-letter replay --all`',
      );
    }),
  },
  {
    id: 'push.credentials',
    title: 'push credentials',
    runbook: section('push-failing'),
    run: withConfig(async (_config, context) => {
      const providers = await context.pushProviders();
      if (providers.length === 0)
        return warn(
          'no push provider (PUSH_PROVIDERS)',
          'away users get no notifications: configure fcm and webpush',
        );
      const failed: string[] = [];
      const fine: string[] = [];
      for (const provider of providers) {
        try {
          await provider.check();
          fine.push(provider.name);
        } catch (error) {
          failed.push(`${provider.name}: ${errorText(error)}`);
        }
      }
      if (failed.length > 0) {
        return fail(
          failed.join('; '),
          'fix FIREBASE_SERVICE_ACCOUNT_PATH or the VAPID keys, restart, replay dead letters',
        );
      }
      return ok(`${fine.join(', ')}: credentials accepted`);
    }),
  },
  {
    id: 'push.quota',
    title: 'push quota today',
    runbook: section('push-failing'),
    run: withDatabase(async (database, config, context) => {
      const used = await pushReport(database).quotaUsed(new Date(context.now()).toISOString().slice(0, 10));
      const share = used / config.PUSH_DAILY_LIMIT;
      const detail = `${used} of ${config.PUSH_DAILY_LIMIT} (${(share * 100).toFixed(1)} %)`;
      if (share >= 1)
        return fail(detail, "the day's pushes are spent: raise PUSH_DAILY_LIMIT (and the provider's quota)");
      if (share >= context.limits.quotaWarnRatio)
        return warn(detail, 'raise PUSH_DAILY_LIMIT before it runs out');
      return ok(detail);
    }),
  },
  {
    id: 'push.failures',
    title: 'push failures in the last hour',
    runbook: section('push-failing'),
    run: withDatabase(async (database, config, context) => {
      const report = pushReport(database);
      const rows = await report.outcomesSince(new Date(context.now() - 3_600_000));
      const stale = await report.staleDevices(
        new Date(context.now() - config.PUSH_TOKEN_STALE_DAYS * 86_400_000),
      );
      const total = rows.reduce((n, r) => n + r.n, 0);
      const failed = rows
        .filter((r) => ['failed', 'auth_error', 'circuit_open'].includes(r.outcome))
        .reduce((n, r) => n + r.n, 0);
      const detail =
        `${total} attempts (${rows.map((r) => `${r.provider} ${r.outcome} ${r.n}`).join(', ') || 'none'}); ` +
        `${stale} device(s) not refreshed for ${config.PUSH_TOKEN_STALE_DAYS} days`;
      if (total === 0) return ok(detail);
      const fix =
        '`abrik doctor push.credentials`; the push.fcm / push.webpush log lines say what the service answered';
      if (failed / total >= context.limits.pushFailureFailRatio) return fail(detail, fix);
      if (failed / total >= context.limits.pushFailureWarnRatio) return warn(detail, fix);
      return ok(detail);
    }),
  },
  {
    id: 'sms.provider',
    title: 'SMS provider and credit',
    runbook: section('sms-failing'),
    run: withConfig(async (config, context) => {
      const account = context.smsAccount();
      if (!account.info) {
        return config.isProduction
          ? fail(`SMS provider ${account.name} cannot send real SMS`, 'set KAVENEGAR_API_KEY')
          : skip(`SMS provider ${account.name}: codes are printed to the log (development)`);
      }
      let info: { remainingCredit: number; expiresAt: Date | null };
      try {
        info = await account.info();
      } catch (error) {
        return fail(
          `${account.name}: ${errorText(error)}`,
          'check KAVENEGAR_API_KEY, the account, and the API IP allow-list',
        );
      }
      const detail =
        `${account.name}: ${info.remainingCredit.toLocaleString('en-US')} Rials of credit` +
        (info.expiresAt ? `, account valid until ${info.expiresAt.toISOString().slice(0, 10)}` : '');
      const fix = 'top up the Kavenegar account: sign-in codes stop when the credit runs out';
      if (info.remainingCredit < context.limits.smsCreditFailRials) return fail(detail, fix);
      if (info.remainingCredit < context.limits.smsCreditWarnRials) return warn(detail, fix);
      if (info.expiresAt && info.expiresAt.getTime() < context.now() + 14 * 86_400_000) {
        return warn(detail, 'renew the Kavenegar account before it expires');
      }
      return ok(detail);
    }),
  },
  {
    id: 'sms.failures',
    title: 'SMS jobs failed in the last day',
    runbook: section('sms-failing'),
    run: withDatabase(async (database) => {
      const [row] = await queryRows<{ failed: number; done: number }>(
        database.db,
        sql`select count(*) filter (where state = 'failed')::int as failed, count(*) filter (where state = 'completed')::int as done
            from ${sql.identifier(PGBOSS_SCHEMA)}.job
            where name = 'sms-fallback' and completed_on > now() - interval '1 day'`,
      );
      const failed = Number(row?.failed ?? 0);
      const detail = `${Number(row?.done ?? 0)} sent, ${failed} failed after their retries`;
      if (failed > 0)
        return warn(
          detail,
          "the sms.kavenegar error lines name Kavenegar's status (credit, key, template, IP)",
        );
      return ok(detail);
    }),
  },
];

// ---- support desk -----------------------------------------------------------------------------

const supportChecks: Check<DoctorContext>[] = [
  {
    id: 'support.holidays',
    title: 'holidays of the business calendars',
    runbook: section('support-holidays'),
    run: withDatabase(async (database, _config, context) => holidaysOutlook(database.db, context.now())),
  },
];

/** Every check, in the order they run: the cheap and basic first. */
export const CHECKS: Check<DoctorContext>[] = [
  ...configChecks,
  ...databaseChecks,
  ...redisChecks,
  ...jobChecks,
  ...supportChecks,
];
