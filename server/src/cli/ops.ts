import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { createDatabase, type Database } from '../db/client.js';
import { JobQueue, QUEUES } from '../jobs/queue.js';
import { createLogger } from '../logger.js';
import { DeviceRepository } from '../repositories/device.repository.js';
import { PushRepository } from '../repositories/push.repository.js';
import type { DeadPushJob, PushSendJob } from '../services/notification.service.js';

interface OpsContext {
  database: Database;
  jobs: JobQueue;
  close(): Promise<void>;
}

async function open(config: Config): Promise<OpsContext> {
  const logger = createLogger({ level: 'warn' });
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.dataDir,
    poolSize: 2,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
  });
  await database.migrate();
  const jobs = await JobQueue.create(database, {
    pollSeconds: 2,
    expireSeconds: config.JOBS_EXPIRE_SECONDS,
    logger,
  });
  return {
    database,
    jobs,
    async close() {
      await jobs.stop();
      await database.close();
    },
  };
}

const write = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `abrik doctor push`: the runbook's push diagnosis from the command line. Exit code 1 when a
 * provider's credentials fail.
 */
export async function doctorPush(
  config: Config,
  providers: { name: string; check: () => Promise<void> }[],
): Promise<number> {
  const ctx = await open(config);
  let failures = 0;
  try {
    write('Push providers');
    for (const provider of providers) {
      try {
        await provider.check();
        write(`  ${provider.name}: credentials OK`);
      } catch (error) {
        failures += 1;
        write(`  ${provider.name}: FAILED — ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (providers.length === 0) write('  none configured (PUSH_PROVIDERS)');
    const push = new PushRepository(ctx.database.db);
    const now = Date.now();
    for (const [label, since] of [
      ['last hour', now - 3_600_000],
      ['last day', now - 86_400_000],
    ] as const) {
      const rows = await push.outcomesSince(new Date(since));
      write(`Sends ${label}`);
      if (rows.length === 0) write('  none');
      for (const r of rows.sort((a, b) => b.n - a.n))
        write(`  ${r.provider.padEnd(8)} ${r.outcome.padEnd(14)} ${r.n}`);
    }
    const day = new Date(now).toISOString().slice(0, 10);
    const used = await push.quotaUsed(day);
    write(
      `Quota today: ${used} of ${config.PUSH_DAILY_LIMIT} (${((used / config.PUSH_DAILY_LIMIT) * 100).toFixed(1)} %)`,
    );
    const devices = new DeviceRepository(ctx.database.db);
    const stale = await devices.countNotUpdatedSince(
      new Date(now - config.PUSH_TOKEN_STALE_DAYS * 86_400_000),
    );
    write(`Stale devices (not refreshed for ${config.PUSH_TOKEN_STALE_DAYS} days): ${stale}`);
    // Counted now: pg-boss's queue stats are a cache refreshed by its supervision pass, which
    // could still show dead letters an operator has just replayed.
    const waiting = async (name: string) => {
      const result = (await ctx.database.db.execute(
        sql`select count(*)::int as n from pgboss.job where name = ${name} and state in ('created', 'retry')`,
      )) as unknown as { rows: { n: number }[] };
      return Number(result.rows[0]?.n ?? 0);
    };
    write(`Dead letters: ${await waiting(QUEUES.pushDead)} (abrik jobs dead-letter list | replay)`);
    for (const name of Object.values(QUEUES)) {
      if (name === QUEUES.pushDead) continue;
      const age = await ctx.jobs.oldestWaitingSeconds(ctx.database, name);
      write(`Queue ${name}: ${await waiting(name)} waiting, oldest ${Math.round(age)} s`);
    }
  } finally {
    await ctx.close();
  }
  return failures > 0 ? 1 : 0;
}

/** `abrik jobs dead-letter list`. */
export async function listDeadLetters(config: Config, limit: number): Promise<void> {
  const ctx = await open(config);
  try {
    const jobs = await ctx.jobs.boss.findJobs<DeadPushJob>(QUEUES.pushDead, { queued: true });
    write(`${jobs.length} dead letter(s)`);
    for (const job of jobs.slice(0, limit)) {
      const d = job.data;
      write(
        `${job.id}  ${d.failedAt}  ${d.provider}  device ${d.deviceId}  attempts ${d.attempt}  ${d.reason}`,
      );
    }
  } finally {
    await ctx.close();
  }
}

/** `abrik jobs dead-letter replay`: sends dead pushes again (after the cause was fixed). */
export async function replayDeadLetters(config: Config, ids: string[] | 'all'): Promise<number> {
  const ctx = await open(config);
  let replayed = 0;
  try {
    const jobs = await ctx.jobs.boss.findJobs<DeadPushJob>(QUEUES.pushDead, { queued: true });
    for (const job of jobs) {
      if (ids !== 'all' && !ids.includes(job.id)) continue;
      const { provider: _p, reason: _r, failedAt: _f, ...push } = job.data;
      const fresh: PushSendJob = { ...push, attempt: 1 };
      await ctx.jobs.send(QUEUES.pushSend, fresh);
      await ctx.jobs.boss.deleteJob(QUEUES.pushDead, job.id);
      replayed += 1;
    }
    write(`replayed ${replayed} dead letter(s)`);
  } finally {
    await ctx.close();
  }
  return replayed;
}
