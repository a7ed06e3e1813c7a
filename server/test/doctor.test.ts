import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../src/cli/doctor.js';
import { type DoctorContext, LIMITS } from '../src/modules/ops/doctor/checks.js';
import type { CheckResult } from '../src/modules/ops/doctor/doctor.js';
import { type FakeKavenegar, startFakeKavenegar } from './fakes/kavenegar.fake.js';
import { startTestApp, type TestApp } from './support/app.js';
import { clusterAvailable, type OwnRedis, startOwnRedis } from './support/cluster.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * `abrik doctor` against the real dependencies: a PostgreSQL database of its own (before and
 * after migration), a Redis of its own, the fake Kavenegar. Each check is driven to ok, warn and
 * fail — by the state of the dependency, or by moving a threshold or the clock.
 */
const AVAILABLE = BACKENDS.includes('postgres') && clusterAvailable();

interface Run {
  code: number;
  text: string;
  byId: Map<string, CheckResult>;
}

describe.skipIf(!AVAILABLE)('abrik doctor', () => {
  let database: TestDatabase;
  let redis: OwnRedis;
  let kavenegar: FakeKavenegar;
  let app: TestApp | undefined;
  let env: Record<string, string>;

  const run = async (
    checks: string[],
    extra: Record<string, string> = {},
    overrides: Partial<Pick<DoctorContext, 'limits' | 'now' | 'nodeVersion' | 'tehranOffset'>> = {},
    options: { cancel?: number; terminate?: number } = {},
  ): Promise<Run> => {
    const lines: string[] = [];
    const code = await doctor(
      checks,
      { json: true, ...options },
      { ...env, ...extra },
      (t) => lines.push(t),
      overrides,
    );
    const json = lines.at(-1)!;
    const parsed = JSON.parse(json) as { exitCode: number; checks: CheckResult[] };
    expect(parsed.exitCode).toBe(code);
    return { code, text: lines.join('\n'), byId: new Map(parsed.checks.map((c) => [c.id, c])) };
  };
  const status = async (
    id: string,
    extra?: Record<string, string>,
    overrides?: Parameters<typeof run>[2],
  ) => {
    const result = (await run([id], extra, overrides)).byId.get(id)!;
    return result.status;
  };
  const limits = (moved: Partial<typeof LIMITS>) => ({ limits: { ...LIMITS, ...moved } });
  const client = async () => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    return c;
  };
  const sqlOn = async (text: string, params: unknown[] = []) => {
    const c = await client();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    redis = await startOwnRedis();
    kavenegar = await startFakeKavenegar();
    env = {
      NODE_ENV: 'development',
      DATABASE_URL: database.url!,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'doctor-test:',
      JWT_SECRET: 'planted-jwt-secret-that-is-long-enough-for-hs256',
      DATA_DIR: '/tmp/abrik-doctor-test',
      PUSH_PROVIDERS: 'log',
      SMS_PROVIDER: 'log',
      LOG_LEVEL: 'silent',
    };
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await kavenegar?.close();
    await redis?.destroy();
    await database?.drop();
  });

  it('exits 1 on a database never migrated, naming it, and skips what has nothing to read yet', async () => {
    const result = await run(['db', 'jobs']);
    expect(result.code).toBe(1);
    expect(result.byId.get('db.reachable')!.status).toBe('ok');
    expect(result.byId.get('db.migrations')).toMatchObject({
      status: 'fail',
      runbook: 'docs/runbook.md#release-and-rollback',
    });
    expect(result.byId.get('db.migrations')!.fix).toContain('abrik migrate');
    expect(result.byId.get('db.jobs')!.status).toBe('fail');
    expect(result.byId.get('jobs.backlog')!.status).toBe('skip');
    // The server then migrates and creates the job schema; the same checks are ok.
    app = await startTestApp({ database, env: { WORKERS: 'false' } });
    expect(await status('db.reachable', {}, limits({ postgresMinVersionNum: 990000 }))).toBe('warn');
    const after = await run(['db.migrations', 'db.jobs']);
    expect([after.code, after.byId.get('db.migrations')!.status, after.byId.get('db.jobs')!.status]).toEqual([
      0,
      'ok',
      'ok',
    ]);
  });

  it('fails an unreachable database and an unreachable Redis within seconds, never hanging', async () => {
    const result = await run(['db.reachable', 'redis.reachable'], {
      DATABASE_URL: 'postgres://postgres:planted-db-password@127.0.0.1:1/nowhere',
      REDIS_URL: 'redis://:planted-redis-password@127.0.0.1:1',
    });
    expect(result.code).toBe(1);
    expect(result.byId.get('db.reachable')!.status).toBe('fail');
    expect(result.byId.get('redis.reachable')!.status).toBe('fail');
    expect(result.text).not.toContain('planted-db-password');
    expect(result.text).not.toContain('planted-redis-password');
  }, 30_000);

  it('checks the configuration: invalid (every check that needs it skipped), development, production-like', async () => {
    const invalid = await run([], { PORT: 'not-a-port' });
    expect(invalid.code).toBe(1);
    expect(invalid.byId.get('config.valid')!.detail).toContain('PORT');
    expect(invalid.byId.get('db.reachable')!.status).toBe('skip');
    expect(await status('config.production')).toBe('warn');
    expect(
      await status('config.production', {
        NODE_ENV: 'production',
        METRICS_TOKEN: 'a-metrics-token-long-enough',
        SMS_PROVIDER: 'kavenegar',
        KAVENEGAR_API_KEY: kavenegar.apiKey,
        PUSH_PROVIDERS: 'none',
      }),
    ).toBe('ok');
  });

  it('checks Node, the time zone data, the disk and the clock', async () => {
    expect(await status('system.node')).toBe('ok');
    expect(await status('system.node', {}, { nodeVersion: '20.20.2' })).toBe('fail');
    expect(await status('system.timezone')).toBe('ok');
    // Time zone data from before 2022 (daylight saving in summer), and none at all.
    const old = (at: Date) => (at.getUTCMonth() === 6 ? 'GMT+04:30' : 'GMT+03:30');
    expect(await status('system.timezone', {}, { tehranOffset: old })).toBe('warn');
    const none = () => {
      throw new RangeError('Invalid time zone specified: Asia/Tehran');
    };
    expect(await status('system.timezone', {}, { tehranOffset: none })).toBe('fail');
    expect(await status('system.disk')).toBe('ok');
    expect(await status('system.disk', {}, limits({ diskWarnBytes: 2 ** 60 }))).toBe('warn');
    expect(await status('system.disk', {}, limits({ diskFailBytes: 2 ** 60 }))).toBe('fail');
    expect(await status('system.clock')).toBe('ok');
    expect(await status('system.clock', {}, { now: () => Date.now() - 10_000 })).toBe('warn');
    expect(await status('system.clock', {}, { now: () => Date.now() + 60_000 })).toBe('fail');
  });

  it('finds a long-running query, says how to stop it, and cancels it by pid', async () => {
    const holder = await client();
    const [{ pid }] = (await holder.query('select pg_backend_pid() as pid')).rows as [{ pid: number }];
    // A phone number in the statement's text: the doctor must never print it.
    const sleeping = holder.query(`select pg_sleep(60), '+989121234567' as planted`).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await status('db.long_queries')).toBe('ok');
    const warned = (await run(['db.long_queries'], {}, limits({ longQueryWarnSeconds: 1 }))).byId.get(
      'db.long_queries',
    )!;
    expect(warned.status).toBe('warn');
    expect(warned.detail).toContain(`pid ${pid}`);
    expect(warned.detail).toContain('[redacted]');
    expect(warned.detail).not.toMatch(/9121234567/);
    expect(warned.fix).toContain('abrik doctor db --cancel PID');
    expect(
      await status('db.long_queries', {}, limits({ longQueryWarnSeconds: 1, longQueryFailSeconds: 1 })),
    ).toBe('fail');

    const cancelled = await run(['db.long_queries'], {}, limits({ longQueryWarnSeconds: 1 }), {
      cancel: pid,
    });
    expect(cancelled.text).toContain(`cancelled the statement of pid ${pid}`);
    expect(String(await sleeping)).toContain('canceling statement');
    expect(cancelled.byId.get('db.long_queries')!.status).toBe('ok');
    await holder.end();
    const said: string[] = [];
    expect(await doctor([], { terminate: 999_999 }, env, (t) => said.push(t))).toBe(1);
    expect(said).toEqual(['no backend with pid 999999']);
  }, 30_000);

  it('reads connections against max_connections', async () => {
    // Other suites' databases share this PostgreSQL: the ratio is moved out of their reach.
    const quiet = limits({ connectionsWarnRatio: 1.01, connectionsFailRatio: 1.01 });
    const result = (await run(['db.connections'], {}, quiet)).byId.get('db.connections')!;
    expect(result.status).toBe('ok');
    expect(result.detail).toMatch(/\d+ of \d+ in use/);
    expect(await status('db.connections', {}, limits({ connectionsWarnRatio: 0 }))).toBe('warn');
    expect(await status('db.connections', {}, limits({ connectionsFailRatio: 0 }))).toBe('fail');
  });

  it('checks Redis: version, eviction policy, a publish round trip', async () => {
    const result = await run(['redis']);
    expect(result.byId.get('redis.reachable')!.detail).toMatch(/^Redis \d/);
    expect(result.byId.get('redis.pubsub')!.status).toBe('ok');
    expect(result.byId.get('redis.memory_policy')!.status).toBe('ok');
    expect(await status('redis.pubsub', {}, limits({ pubsubTimeoutMs: 0 }))).toBe('fail');
    await redisCommand(redis, ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
    expect(await status('redis.memory_policy')).toBe('warn');
    await redisCommand(redis, ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    expect(await status('redis.reachable', { REDIS_URL: '' })).toBe('skip');
  });

  it('tells live instances from silent ones, and users shown online on a silent one', async () => {
    expect(await status('cluster.instances')).toBe('fail'); // no instance has beaten yet
    const now = Date.now();
    await redisCommand(redis, ['ZADD', 'doctor-test:presence:instances', String(now), 'i1']);
    await redisCommand(redis, ['HSET', 'doctor-test:presence:connections', 'i1', '42']);
    const alive = (await run(['cluster'])).byId;
    expect(alive.get('cluster.instances')).toMatchObject({
      status: 'ok',
      detail: '1 alive (i1: 42 connections)',
    });
    expect(alive.get('cluster.presence')!.status).toBe('ok');
    await redisCommand(redis, ['ZADD', 'doctor-test:presence:instances', String(now - 120_000), 'i2']);
    await redisCommand(redis, ['SADD', 'doctor-test:presence:instance:i2:users', 'u1', 'u2']);
    const silent = (await run(['cluster'])).byId;
    expect(silent.get('cluster.instances')!.status).toBe('warn');
    expect(silent.get('cluster.instances')!.detail).toContain('silent: i2 for 2 min');
    expect(silent.get('cluster.presence')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('2 user(s) on i2'),
    });
  });

  it('reads the job queues: a backlog, failures, dead letters, failed SMS', async () => {
    expect((await run(['jobs', 'push.dead_letters', 'sms.failures'])).code).toBe(0);
    await app!.app.jobs.send('support-sweep', {});
    expect(await status('jobs.backlog')).toBe('ok');
    expect(await status('jobs.backlog', {}, limits({ backlogWarnSeconds: 0 }))).toBe('warn');
    expect(await status('jobs.backlog', {}, limits({ backlogFailSeconds: 0 }))).toBe('fail');
    const [sweep] = await sqlOn(`select id from pgboss.job where name = 'support-sweep' limit 1`);
    await sqlOn(`update pgboss.job set state = 'failed', completed_on = now() where id = $1`, [sweep.id]);
    expect(await status('jobs.failures')).toBe('warn');
    await app!.app.jobs.send('push-dead', { userId: '00000000-0000-4000-8000-000000000001' } as never);
    expect(await status('push.dead_letters')).toBe('warn');
    await app!.app.jobs.send('sms-fallback', { userId: '00000000-0000-4000-8000-000000000001' } as never);
    await sqlOn(`update pgboss.job set state = 'failed', completed_on = now() where name = 'sms-fallback'`);
    expect(await status('sms.failures')).toBe('warn');
  });

  it('reads push: credentials, the day’s quota, the failure rate', async () => {
    expect(await status('push.credentials')).toBe('ok');
    expect(await status('push.credentials', { PUSH_PROVIDERS: 'none' })).toBe('warn');
    const day = new Date().toISOString().slice(0, 10);
    await sqlOn(
      'insert into push_quota (day, used) values ($1, 10) on conflict (day) do update set used = 10',
      [day],
    );
    expect(await status('push.quota', { PUSH_DAILY_LIMIT: '100' })).toBe('ok');
    expect(await status('push.quota', { PUSH_DAILY_LIMIT: '12' })).toBe('warn');
    expect(await status('push.quota', { PUSH_DAILY_LIMIT: '10' })).toBe('fail');
    const outcome = (what: string, n: number) =>
      sqlOn(
        `insert into push_outcomes (provider, outcome, created_at) select 'fcm', $1, now() from generate_series(1, $2)`,
        [what, n],
      );
    expect(await status('push.failures')).toBe('ok');
    await outcome('sent', 18);
    await outcome('failed', 2);
    expect(await status('push.failures')).toBe('warn');
    await outcome('auth_error', 30);
    expect(await status('push.failures')).toBe('fail');
  });

  it('asks Kavenegar for the credit, and never prints the API key', async () => {
    const sms = {
      SMS_PROVIDER: 'kavenegar',
      KAVENEGAR_API_KEY: kavenegar.apiKey,
      KAVENEGAR_BASE_URL: kavenegar.url,
    };
    expect(await status('sms.provider')).toBe('skip'); // the log provider, in development
    const fine = (await run(['sms.provider'], sms)).byId.get('sms.provider')!;
    expect(fine).toMatchObject({ status: 'ok', detail: expect.stringContaining('1,500,000 Rials') });
    kavenegar.credit = 200_000;
    expect(await status('sms.provider', sms)).toBe('warn');
    kavenegar.credit = 10_000;
    expect(await status('sms.provider', sms)).toBe('fail');
    const wrong = await run(['sms.provider'], { ...sms, KAVENEGAR_API_KEY: 'planted-wrong-kavenegar-key' });
    expect(wrong.byId.get('sms.provider')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('403 invalid API key'),
    });
    expect(wrong.text).not.toContain('planted-wrong-kavenegar-key');
  });

  it('answers 0 all ok, 2 warnings only, 1 any failure; prints no secret in text or JSON', async () => {
    expect((await run(['system.node', 'system.timezone'])).code).toBe(0);
    expect((await run(['system.node', 'config.production'])).code).toBe(2);
    expect((await run(['system.node', 'config.production'], {}, { nodeVersion: '18.0.0' })).code).toBe(1);
    const lines: string[] = [];
    await doctor([], {}, { ...env, METRICS_TOKEN: 'planted-metrics-token-1234' }, (t) => lines.push(t));
    const text = lines.join('\n');
    expect(text).toMatch(/^\[(ok {2}|WARN|FAIL|skip)\] config\.valid/m);
    expect(text).toMatch(/\d+ ok, \d+ warnings, \d+ failed, \d+ skipped$/);
    for (const secret of ['planted-jwt-secret', 'planted-metrics-token']) expect(text).not.toContain(secret);
    await expect(run(['nonsense'])).rejects.toThrow(/unknown check\(s\): nonsense/);
  });
});

/** One command over a raw connection to the test's own Redis (CONFIG SET, ZADD…). */
async function redisCommand(redis: OwnRedis, args: string[]): Promise<string> {
  const { createClient } = await import('redis');
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return String(await client.sendCommand(args));
  } finally {
    await client.quit();
  }
}
