// The system under test: one `abrik serve`, or several behind Redis (and nginx), on a fresh
// PostgreSQL database.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { type Cluster, REPO, startCluster } from '../../server/test/support/cluster.js';
import { createTestDatabase } from '../../server/test/support/databases.js';
import { freePort } from '../../server/test/support/own-postgres.js';
import {
  alive,
  atExit,
  knob,
  now,
  progress,
  RAISE_NOFILE,
  round,
  SECRET,
  serverEnvOverrides,
  sleep,
  stop,
  TOKEN_TTL_SECONDS,
} from './common.js';
import { cpuBetween, cpuSnapshot, type ProcessGroup, withDescendants } from './proc.js';

export interface Target {
  kind: 'single' | 'cluster';
  instances: { id: string; url: string; pid: number }[];
  /** A connection to the target's database, for fixtures. */
  db: pg.Client;
  databaseName: string;
  /** CPU groups: each instance, PostgreSQL, Redis and nginx where present. */
  groups: ProcessGroup[];
  /** What the server runs with, for the result file. */
  settings: Record<string, unknown>;
  /** Warnings and errors the instances logged (count per message, first few lines). */
  logSummary(): LogSummary;
  /** Port of the instance's inspector (single instance started with `inspect`). */
  inspectPort?: number;
  /** nginx in front of the instances (cluster started with `nginx`). */
  proxyUrl?: string;
  close(): Promise<void>;
}

/** Backends of our database plus PostgreSQL's own background processes (WAL writer, checkpointer…). */
export function postgresGroup(db: pg.Client, databaseName: string): ProcessGroup {
  return {
    name: 'postgres',
    async pids() {
      const rows = await db.query<{ pid: number }>(
        `select pid from pg_stat_activity
         where (datname = $1 or backend_type <> 'client backend') and pid <> pg_backend_pid()`,
        [databaseName],
      );
      return rows.rows.map((r) => r.pid);
    },
  };
}

/** Counts the server's warning and error lines by message; other output (a crash, a stray print) apart. */
class LogTally {
  warn = 0;
  error = 0;
  readonly messages: Record<string, number> = {};
  otherLines = 0;
  readonly otherSamples: string[] = [];
  add(line: string): void {
    let parsed: { level?: number; msg?: string };
    try {
      parsed = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      this.otherLines++;
      if (this.otherSamples.length < 10) this.otherSamples.push(line.slice(0, 200));
      return;
    }
    const level = parsed.level ?? 0;
    if (level < 40) return;
    if (level >= 50) this.error++;
    else this.warn++;
    const msg = String(parsed.msg ?? '').slice(0, 120);
    if (Object.keys(this.messages).length < 50 || msg in this.messages) {
      this.messages[msg] = (this.messages[msg] ?? 0) + 1;
    }
  }
  summary(): LogSummary {
    return {
      warn: this.warn,
      error: this.error,
      messages: { ...this.messages },
      otherLines: this.otherLines,
      otherSamples: [...this.otherSamples],
    };
  }
}

export interface LogSummary {
  warn: number;
  error: number;
  /** Warnings and errors by message. */
  messages: Record<string, number>;
  /** Output lines that were not JSON log lines, and the first few of them. */
  otherLines: number;
  otherSamples: string[];
}

function serverEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    JWT_SECRET: SECRET,
    JWT_ACCESS_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
    LOG_LEVEL: 'warn',
    PUSH_PROVIDERS: 'none',
    SMS_PROVIDER: 'log',
    SHUTDOWN_TIMEOUT_MS: '5000',
    SHUTDOWN_RECONNECT_SPREAD_MS: '0',
    // Each bench user sends several messages a second: the limit is counted, never reached.
    MESSAGES_PER_USER_MINUTE: '1000000',
    ...extra,
    ...serverEnvOverrides(),
  };
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = now() + 60_000;
  for (;;) {
    if (!alive(child)) throw new Error(`the server exited before it was ready:\n${output()}`);
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (now() > deadline) throw new Error(`the server was not ready within 60 s:\n${output()}`);
    await sleep(100);
  }
}

/**
 * One `abrik serve` (the production build, server/dist) on a fresh PostgreSQL database.
 * `inspect`: with the V8 inspector on 127.0.0.1 (the `idle` scenario forces a GC through it).
 * `env`: more server environment (BENCH_SERVER_ENV still applies last).
 */
export async function startSingle(
  options: { inspect?: boolean; env?: Record<string, string> } = {},
): Promise<Target> {
  const poolSize = knob('BENCH_POOL_SIZE', 20, 1);
  const database = await createTestDatabase('postgres');
  const databaseName = new URL(database.url!).pathname.slice(1);
  const dataDir = mkdtempSync(join(tmpdir(), 'abrik-bench-'));
  const db = new pg.Client({ connectionString: database.url });
  let child: ChildProcess | undefined;
  const cleanup = () => {
    if (child && alive(child)) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  atExit.add(cleanup);
  const close = async () => {
    if (child) await stop(child, 15_000);
    await db.end().catch(() => {});
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    atExit.delete(cleanup);
  };
  try {
    const port = await freePort();
    const inspectPort = options.inspect ? await freePort() : undefined;
    const env = serverEnv({
      DATABASE_URL: database.url!,
      DATABASE_POOL_SIZE: String(poolSize),
      PORT: String(port),
      DATA_DIR: dataDir,
      ...options.env,
    });
    const args = [
      ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
      join(REPO, 'server/bin/abrik.js'),
      'serve',
    ];
    const started = spawn('/bin/sh', ['-c', RAISE_NOFILE, process.execPath, ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    const tally = new LogTally();
    const tail: string[] = [];
    const keep = (line: string) => {
      tally.add(line);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    createInterface({ input: started.stdout! }).on('line', keep);
    createInterface({ input: started.stderr! }).on('line', (line) => {
      // The inspector's own notices are not the server's.
      if (!/^(Debugger |For help, see|Waiting for the debugger)/.test(line)) keep(line);
    });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, started, () => tail.join('\n'));
    await db.connect();
    const pid = started.pid!;
    return {
      kind: 'single',
      instances: [{ id: 'server', url, pid }],
      db,
      databaseName,
      groups: [{ name: 'server', pids: () => [pid], server: true }, postgresGroup(db, databaseName)],
      settings: { instances: 1, databasePoolSize: poolSize, logLevel: env.LOG_LEVEL, pushProviders: 'none' },
      logSummary: () => tally.summary(),
      ...(inspectPort ? { inspectPort } : {}),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** The process id of a Redis server, from INFO. */
function redisPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('Redis INFO timed out'));
    }, 3000);
    socket.once('error', reject);
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += String(chunk);
      const match = /process_id:(\d+)/.exec(reply);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
  });
}

/**
 * N `abrik serve` instances on one fresh PostgreSQL database and a Redis of their own
 * (server/test/support/cluster.ts, the cluster suite's helpers), with nginx running
 * deploy/nginx.conf in front when `nginx` is set.
 */
export async function startClusterTarget(options: { instances: number; nginx: boolean }): Promise<Target> {
  const poolSize = knob('BENCH_POOL_SIZE', 10, 1);
  const env = serverEnv({
    DATABASE_POOL_SIZE: String(poolSize),
    REDIS_KEY_PREFIX: 'abrik-bench:',
    // The cluster suite's short presence timings back to the server defaults.
    PRESENCE_HEARTBEAT_SECONDS: '5',
    PRESENCE_INSTANCE_TTL_SECONDS: '15',
    PRESENCE_OFFLINE_GRACE_MS: '3000',
  });
  const cluster: Cluster = await startCluster({ instances: options.instances, nginx: options.nginx, env });
  const databaseName = new URL(cluster.database.url!).pathname.slice(1);
  const db = new pg.Client({ connectionString: cluster.database.url });
  try {
    await db.connect();
    const redis = await redisPid(cluster.redis.port);
    const nginx = cluster.nginx;
    const groups: ProcessGroup[] = [
      ...cluster.instances.map(
        (i): ProcessGroup => ({ name: i.id, pids: () => [i.child.pid!], sumInto: 'servers', server: true }),
      ),
      postgresGroup(db, databaseName),
      { name: 'redis', pids: () => [redis] },
      ...(nginx ? [{ name: 'nginx', pids: () => withDescendants(nginx.child.pid!) }] : []),
    ];
    return {
      kind: 'cluster',
      instances: cluster.instances.map((i) => ({ id: i.id, url: i.url, pid: i.child.pid! })),
      ...(nginx ? { proxyUrl: nginx.url } : {}),
      db,
      databaseName,
      groups,
      settings: {
        instances: options.instances,
        databasePoolSizePerInstance: poolSize,
        redis: 'own redis-server (no persistence)',
        redisKeyPrefix: env.REDIS_KEY_PREFIX,
        nginx: nginx ? 'deploy/nginx.conf, 1 worker' : 'not started (clients connect to the instances)',
        logLevel: env.LOG_LEVEL,
        pushProviders: 'none',
      },
      logSummary() {
        const tally = new LogTally();
        for (const instance of cluster.instances) {
          for (const line of instance.lines) tally.add(line);
          for (const line of instance.stderr.split('\n').filter(Boolean)) tally.add(line);
        }
        return tally.summary();
      },
      async close() {
        await db.end().catch(() => {});
        await cluster.close();
      },
    };
  } catch (error) {
    await db.end().catch(() => {});
    await cluster.close();
    throw error;
  }
}

/** realtime_connections of each instance, from its /metrics. */
export async function connectionCounts(target: Target): Promise<number[]> {
  return Promise.all(
    target.instances.map(async (instance) => {
      const text = await (await fetch(`${instance.url}/metrics`)).text();
      return Number(/^realtime_connections (\d+)/m.exec(text)?.[1] ?? -1);
    }),
  );
}

/**
 * Waits until the target has worked off what earlier load left (a backlog of sends, jobs):
 * every instance under 0.1 core and no statement of its database running, over one second.
 * Returns the seconds waited; gives up after `timeoutSeconds`.
 */
export async function quiesce(target: Target, timeoutSeconds = 60): Promise<number> {
  const started = now();
  const servers = target.groups.filter((g) => g.server);
  while (now() - started < timeoutSeconds * 1000) {
    const before = await cpuSnapshot(servers);
    await sleep(1000);
    const cpu = cpuBetween(before, await cpuSnapshot(servers), servers);
    const active = await target.db.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
      [target.databaseName],
    );
    if (servers.every((g) => (cpu[g.name] ?? 0) < 0.1) && active.rows[0]!.n === 0) break;
  }
  const waited = round((now() - started) / 1000, 1);
  if (waited >= timeoutSeconds) progress(`the server was still busy after ${timeoutSeconds} s; going on`);
  return waited;
}

/** Runs `body` against a target and closes it whatever happens. */
export async function withTarget<T>(
  start: () => Promise<Target>,
  body: (t: Target) => Promise<T>,
): Promise<T> {
  const target = await start();
  try {
    return await body(target);
  } finally {
    await target.close();
  }
}
