// What every benchmark scenario shares: starting the server (one instance, or a cluster of them
// behind Redis), creating users, conversations and tokens in its database, the load processes,
// the rate steps, CPU per process from /proc, and the result files in bench/results/.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import hdr, { type Histogram } from 'hdr-histogram-js';
import pg from 'pg';
import { TokenService } from '../server/src/services/token.service.js';
import { type Cluster, REPO, startCluster } from '../server/test/support/cluster.js';
import { createTestDatabase } from '../server/test/support/databases.js';
import { freePort } from '../server/test/support/own-postgres.js';
import type { Command, Endpoint, LoadStats, Reply, RunCounts, RunParams } from './load/ipc.js';

/** The JWT secret the harness gives the server and signs its tokens with. */
export const SECRET = 'bench-secret-that-is-long-enough-for-hs256-signing';
const TOKEN_TTL_SECONDS = 6 * 3600;
const CLIENT = join(REPO, 'bench/load/client.ts');
const RESULTS = join(REPO, 'bench/results');

/** The monotonic clock of the load processes (CLOCK_MONOTONIC: one clock for the whole machine). */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (at: number) => sleep(Math.max(0, at - now()));
/** Prints progress on stderr (Vitest shows it as it comes). */
export const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---- knobs ------------------------------------------------------------------------------------

/** A numeric BENCH_* knob; a bad value stops the run with a message naming it. */
export function knob(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

/** A comma-separated list of numbers (e.g. BENCH_MAX_RATES=2000,4000). */
export function knobList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new Error(`${name} must be comma-separated positive numbers, got "${raw}"`);
  }
  return values;
}

/** Extra server environment from BENCH_SERVER_ENV="NAME=value,NAME=value" (server knobs to try). */
function serverEnvOverrides(): Record<string, string> {
  const raw = process.env.BENCH_SERVER_ENV ?? '';
  const out: Record<string, string> = {};
  for (const part of raw.split(',').filter((p) => p.trim())) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`BENCH_SERVER_ENV: expected NAME=value, got "${part}"`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

// ---- cleanup ----------------------------------------------------------------------------------

/** Kills what still runs should a scenario die before its own clean-up (synchronous, best effort). */
const atExit = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of atExit) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
});

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM (or the given signal), then SIGKILL after timeoutMs. */
async function stop(child: ChildProcess, timeoutMs: number, signal: NodeJS.Signals = 'SIGTERM') {
  if (!alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  if (await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

// Raises the soft limit of open files to the hard limit before exec'ing the command (a server
// or load process holding 10,000 connections needs more than the usual 1,024).
const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** The soft limit of open files of a running process, from /proc/PID/limits. */
export function openFilesLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

// ---- CPU and memory from /proc -----------------------------------------------------------------

const TICKS = 100; // USER_HZ, 100 on Linux

/** CPU seconds (user + system) a process has used; undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** The process and all its descendants (nginx's master and workers). */
function withDescendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

/** Resident memory of a process (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time the whole machine has been busy (all but idle and iowait), in ticks, from /proc/stat. */
function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

/** A set of processes whose CPU is reported together (a server instance, PostgreSQL, …). */
export interface ProcessGroup {
  name: string;
  pids(): number[] | Promise<number[]>;
  /** Also added into this total (e.g. load1, load2 → load). */
  sumInto?: string;
  /** A server instance (see `quiesce`). */
  server?: boolean;
}

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of the whole machine. */
  machine: number;
  groups: Map<string, Map<number, number>>;
}

export async function cpuSnapshot(groups: ProcessGroup[]): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = { at: now(), machine: machineBusyTicks(), groups: new Map() };
  for (const group of groups) {
    const seconds = new Map<number, number>();
    for (const pid of await group.pids()) {
      const s = cpuSeconds(pid);
      if (s !== undefined) seconds.set(pid, s);
    }
    snapshot.groups.set(group.name, seconds);
  }
  return snapshot;
}

/**
 * CPU used between two snapshots, in cores (CPU seconds per wall second), per group and summed
 * groups; `machine` is every process on the machine, `other` what none of the groups used
 * (other people's work, the harness itself). A process that started in between counts from 0.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, groups: ProcessGroup[]): Record<string, number> {
  const wall = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  const sums: Record<string, number> = {};
  let accounted = 0;
  for (const group of groups) {
    const before = a.groups.get(group.name) ?? new Map<number, number>();
    let used = 0;
    for (const [pid, seconds] of b.groups.get(group.name) ?? []) used += seconds - (before.get(pid) ?? 0);
    const cores = used / wall;
    out[group.name] = cores;
    accounted += cores;
    if (group.sumInto) sums[group.sumInto] = (sums[group.sumInto] ?? 0) + cores;
  }
  Object.assign(out, sums);
  const machine = (b.machine - a.machine) / TICKS / wall;
  out.machine = machine;
  out.other = Math.max(0, machine - accounted);
  for (const key of Object.keys(out)) out[key] = round(out[key]!, 2);
  return out;
}

// ---- the server -------------------------------------------------------------------------------

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
 */
export async function startSingle(options: { inspect?: boolean } = {}): Promise<Target> {
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

// ---- fixtures: users, conversations, tokens (straight into the database) -----------------------

export interface BenchUser {
  id: string;
  token: string;
}

/** `count` customers with tokens signed by the server's JWT secret (no sign-in, no SMS). */
export async function createUsers(target: Target, count: number): Promise<BenchUser[]> {
  const rows = await target.db.query<{ id: string; phone: string }>(
    `insert into users (phone, name)
     select '+98912' || lpad((n + g)::text, 7, '0'), 'bench ' || (n + g)
     from generate_series(1, $1::int) g, (select count(*)::int as n from users) existing
     returning id, phone`,
    [count],
  );
  const ids = rows.rows.sort((a, b) => a.phone.localeCompare(b.phone)).map((r) => r.id);
  const tokens = new TokenService(SECRET, TOKEN_TTL_SECONDS, 30);
  const out: BenchUser[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const slice = ids.slice(i, i + 1000);
    const signed = await Promise.all(slice.map((id) => tokens.signAccess(id, 'customer')));
    signed.forEach((s, k) => {
      out.push({ id: slice[k]!, token: s.token });
    });
  }
  return out;
}

export interface Pair {
  conversationId: string;
  a: BenchUser;
  b: BenchUser;
}

/** Users two by two, each pair in a direct conversation of its own. */
export async function createPairs(target: Target, count: number): Promise<Pair[]> {
  const users = await createUsers(target, count * 2);
  const keys: string[] = [];
  const creators: string[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = [users[2 * i]!.id, users[2 * i + 1]!.id];
    keys.push([a, b].sort().join(':'));
    creators.push(a);
  }
  const conversations = await target.db.query<{ id: string; direct_key: string }>(
    `insert into conversations (kind, direct_key, created_by)
     select 'direct', k, c from unnest($1::text[], $2::uuid[]) as t(k, c)
     returning id, direct_key`,
    [keys, creators],
  );
  const byKey = new Map(conversations.rows.map((r) => [r.direct_key, r.id]));
  const pairs = keys.map((key, i) => ({
    conversationId: byKey.get(key)!,
    a: users[2 * i]!,
    b: users[2 * i + 1]!,
  }));
  await target.db.query(
    `insert into members (conversation_id, user_id)
     select c, u from unnest($1::uuid[], $2::uuid[]) as t(c, u)`,
    [pairs.flatMap((p) => [p.conversationId, p.conversationId]), pairs.flatMap((p) => [p.a.id, p.b.id])],
  );
  return pairs;
}

/** One group conversation of all `users`, the first its owner. */
export async function createGroup(target: Target, users: BenchUser[], title: string): Promise<string> {
  const conversation = await target.db.query<{ id: string }>(
    `insert into conversations (kind, title, created_by) values ('group', $1, $2) returning id`,
    [title, users[0]!.id],
  );
  const id = conversation.rows[0]!.id;
  await target.db.query(
    `insert into members (conversation_id, user_id, role)
     select $1, u, case when n = 1 then 'owner' else 'member' end
     from unnest($2::uuid[]) with ordinality as t(u, n)`,
    [id, users.map((u) => u.id)],
  );
  return id;
}

/** How a client reaches instance i: its URL, and the local address to connect from. */
export type Route = (instance: number) => { url: string; localAddress?: string };

/**
 * Both ends of every pair, pair i in load process i mod P (the two ends of a pair in the same
 * process, which times the message from send to the other end's receipt). With several
 * instances, end a of pair i connects to instance i mod N and end b to instance (i + 1) mod N:
 * every message crosses from one instance to another.
 */
export function pairEndpoints(target: Target, pairs: Pair[], processes: number, route?: Route): Endpoint[][] {
  const out: Endpoint[][] = Array.from({ length: processes }, () => []);
  const n = target.instances.length;
  const reach: Route = route ?? ((i) => ({ url: target.instances[i]!.url }));
  pairs.forEach((pair, i) => {
    out[i % processes]!.push(
      { ...reach(i % n), token: pair.a.token, sendTo: pair.conversationId },
      { ...reach((i + 1) % n), token: pair.b.token, sendTo: pair.conversationId },
    );
  });
  return out;
}

// ---- load processes ---------------------------------------------------------------------------

type ReplyOf<T extends Reply['type']> = Extract<Reply, { type: T }>;

class LoadProcess {
  private readonly waiters: {
    type: Reply['type'];
    resolve: (r: Reply) => void;
    reject: (e: Error) => void;
  }[] = [];
  private failure: Error | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: Reply) => {
      if (message.type === 'error') {
        this.fail(new Error(`${name}: ${message.message}`));
        return;
      }
      const index = this.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    child.on('exit', (code, signal) => this.fail(new Error(`${name} exited (${code ?? signal})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Sends a command and waits for the reply of the given type. */
  request<T extends Reply['type']>(command: Command | undefined, type: T): Promise<ReplyOf<T>> {
    if (this.failure) return Promise.reject(this.failure);
    const promise = new Promise<ReplyOf<T>>((resolve, reject) => {
      this.waiters.push({ type, resolve: resolve as (r: Reply) => void, reject });
    });
    if (command) this.child.send(command);
    return promise;
  }
}

export interface ConnectSummary {
  opened: number;
  failed: number;
  retries: number;
  errors: string[];
  seconds: number;
  stats: LoadStats[];
}

/** Several load processes (bench/load/client.ts), each with its share of the connections. */
export class LoadPool {
  private constructor(readonly processes: LoadProcess[]) {}

  static async start(count: number): Promise<LoadPool> {
    const processes: LoadProcess[] = [];
    const pool = new LoadPool(processes);
    try {
      for (let i = 0; i < count; i++) {
        const child = spawn('/bin/sh', ['-c', RAISE_NOFILE, process.execPath, CLIENT], {
          cwd: REPO,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const kill = () => {
          if (alive(child)) child.kill('SIGKILL');
        };
        atExit.add(kill);
        child.once('exit', () => atExit.delete(kill));
        const load = new LoadProcess(`load${i + 1}`, child);
        processes.push(load);
        await load.request(undefined, 'ready');
      }
      return pool;
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  get size(): number {
    return this.processes.length;
  }

  groups(): ProcessGroup[] {
    return this.processes.map((p) => ({ name: p.name, pids: () => [p.child.pid!], sumInto: 'load' }));
  }

  /** Opens the connections (endpoints[i] in process i); fails if any is refused 4 times over. */
  async connect(endpoints: Endpoint[][], concurrency = 50): Promise<ConnectSummary> {
    const replies = await Promise.all(
      this.processes.map((p, i) =>
        p.request({ type: 'connect', endpoints: endpoints[i] ?? [], concurrency }, 'connected'),
      ),
    );
    const summary: ConnectSummary = {
      opened: replies.reduce((n, r) => n + r.opened, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      retries: replies.reduce((n, r) => n + r.retries, 0),
      errors: [...new Set(replies.flatMap((r) => r.errors))],
      seconds: round(Math.max(...replies.map((r) => r.seconds)), 2),
      stats: replies.map((r) => r.stats),
    };
    if (summary.failed > 0) {
      throw new Error(`${summary.failed} connections failed: ${summary.errors.join('; ')}`);
    }
    return summary;
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.request({ type: 'disconnect' }, 'disconnected')));
  }

  async stats(): Promise<LoadStats[]> {
    return (await Promise.all(this.processes.map((p) => p.request({ type: 'stats' }, 'stats')))).map(
      (r) => r.stats,
    );
  }

  /** The same run in every process, the total rate split between them. */
  run(params: RunParams): Promise<ReplyOf<'ran'>[]> {
    const rate = params.rate / this.processes.length;
    return Promise.all(this.processes.map((p) => p.request({ type: 'run', ...params, rate }, 'ran')));
  }

  fanoutSend(process: number, socket: number, conversationId: string, tag: number, bodyLength: number) {
    return this.processes[process]!.request(
      { type: 'fanout-send', socket, conversationId, tag, bodyLength },
      'fanout-sent',
    );
  }

  fanoutReport(): Promise<ReplyOf<'fanout-report'>[]> {
    return Promise.all(this.processes.map((p) => p.request({ type: 'fanout-report' }, 'fanout-report')));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (!alive(p.child)) return;
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.disconnect(); // the process closes its sockets and exits
        await Promise.race([exited, sleep(5000)]);
        await stop(p.child, 1000, 'SIGKILL');
      }),
    );
  }
}

/** Runs `body` with a pool of load processes and closes it whatever happens. */
export async function withLoad<T>(count: number, body: (pool: LoadPool) => Promise<T>): Promise<T> {
  const pool = await LoadPool.start(count);
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

// ---- rate steps -------------------------------------------------------------------------------

export interface StepSettings {
  rate: number;
  warmupSeconds: number;
  steadySeconds: number;
  drainSeconds: number;
  bodyLength: number;
}

export interface StepResult {
  rate: number;
  /** Seconds waited before the step for the server to become idle (`quiesce`). */
  quiesceSeconds: number;
  /** Messages sent per second in the steady window (below `rate`: the load processes fell behind). */
  achievedRate: number;
  counts: Omit<RunCounts, 'errors'>;
  errors: Record<string, number>;
  /** Send → receipt at the other member, steady window. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Send → ack (stored in PostgreSQL), steady window. */
  ackMs: { p50: number; p99: number; max: number };
  /** Cores used per process group during the steady window. */
  cpu: Record<string, number>;
  loadStats: LoadStats[];
}

function newHistogram() {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * One open-model step, once the server is idle: every load process sends its share of `rate`
 * from the same moment, a warm-up, then the steady window (whose CPU per process group is
 * measured), then a drain.
 */
export async function runStep(target: Target, pool: LoadPool, settings: StepSettings): Promise<StepResult> {
  const quiesceSeconds = await quiesce(target);
  const groups = [...target.groups, ...pool.groups()];
  const startAt = now() + 500;
  const running = pool.run({ ...settings, startAt });
  running.catch(() => {}); // awaited below; keeps an early failure from going unhandled
  await sleepUntil(startAt + settings.warmupSeconds * 1000);
  const before = await cpuSnapshot(groups);
  await sleepUntil(startAt + (settings.warmupSeconds + settings.steadySeconds) * 1000);
  const after = await cpuSnapshot(groups);
  const replies = await running;

  const latency = newHistogram();
  const ack = newHistogram();
  const counts: RunCounts = {
    sent: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    steadySent: 0,
    steadyAcked: 0,
    steadyDelivered: 0,
    steadyFailed: 0,
    steadyUnacked: 0,
    steadyLost: 0,
    duplicates: 0,
    errors: {},
  };
  for (const r of replies) {
    latency.add(hdr.decodeFromCompressedBase64(r.latency));
    ack.add(hdr.decodeFromCompressedBase64(r.ack));
    for (const [key, value] of Object.entries(r.counts)) {
      if (key === 'errors') continue;
      (counts as unknown as Record<string, number>)[key]! += value as number;
    }
    for (const [code, n] of Object.entries(r.counts.errors))
      counts.errors[code] = (counts.errors[code] ?? 0) + n;
  }
  const ms = (h: Histogram, q: number) => round(h.getValueAtPercentile(q) / 1000, 2);
  const { errors, ...rest } = counts;
  return {
    rate: settings.rate,
    quiesceSeconds,
    achievedRate: Math.round(counts.steadySent / settings.steadySeconds),
    counts: rest,
    errors,
    latencyMs: {
      p50: ms(latency, 50),
      p95: ms(latency, 95),
      p99: ms(latency, 99),
      max: round(latency.maxValue / 1000, 2),
    },
    ackMs: { p50: ms(ack, 50), p99: ms(ack, 99), max: round(ack.maxValue / 1000, 2) },
    cpu: cpuBetween(before, after, groups),
    loadStats: replies.map((r) => r.stats),
  };
}

/** Why a step does not count as sustained (empty: it does). */
export function shortfalls(step: StepResult, p99LimitMs: number): string[] {
  const out: string[] = [];
  const c = step.counts;
  if (c.steadyLost > 0) out.push(`${c.steadyLost} acked but not delivered`);
  if (c.steadyUnacked > 0) out.push(`${c.steadyUnacked} never acked`);
  if (c.steadyFailed > 0) out.push(`${c.steadyFailed} refused (${JSON.stringify(step.errors)})`);
  if (c.steadyDelivered === 0) out.push('nothing delivered');
  if (step.latencyMs.p99 > p99LimitMs) out.push(`p99 ${step.latencyMs.p99} ms > ${p99LimitMs} ms`);
  if (step.achievedRate < step.rate * 0.97) out.push(`load processes sent only ${step.achievedRate} msg/s`);
  return out;
}

export interface MaxResult {
  maxSustainedRate: number;
  p99LimitMs: number;
  steps: (StepResult & { sustained: boolean; shortfalls: string[] })[];
  /** The busiest process groups of the first step that failed (what limited it). */
  limitedBy: string | null;
}

/** Steps the rate up until a step misses (p99 over the limit, any loss or refusal). */
export async function stepUp(
  target: Target,
  pool: LoadPool,
  rates: number[],
  base: Omit<StepSettings, 'rate'> & { pauseSeconds: number; p99LimitMs: number },
): Promise<MaxResult> {
  const result: MaxResult = { maxSustainedRate: 0, p99LimitMs: base.p99LimitMs, steps: [], limitedBy: null };
  for (const rate of rates) {
    const step = await runStep(target, pool, { ...base, rate });
    const misses = shortfalls(step, base.p99LimitMs);
    result.steps.push({ ...step, sustained: misses.length === 0, shortfalls: misses });
    progress(
      `${rate} msg/s: p99 ${step.latencyMs.p99} ms, acked ${step.counts.steadyAcked}/${step.counts.steadySent}, ` +
        `lost ${step.counts.steadyLost}; CPU ${formatCpu(step.cpu)}${misses.length ? ` — ${misses.join('; ')}` : ''}`,
    );
    if (misses.length > 0) {
      result.limitedBy = busiest(step.cpu);
      break;
    }
    result.maxSustainedRate = rate;
    await sleep(base.pauseSeconds * 1000);
  }
  return result;
}

/** The process groups by CPU, busiest first, with the machine's total. */
function busiest(cpu: Record<string, number>): string {
  const skip = new Set(['machine', 'other', 'load', 'servers']);
  const ranked = Object.entries(cpu)
    .filter(([k]) => !skip.has(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v}`);
  return `${ranked.join(', ')} (machine ${cpu.machine} of ${cpus().length} cores, other ${cpu.other})`;
}

export function formatCpu(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

// ---- results ----------------------------------------------------------------------------------

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nearest-rank percentile of unsorted numbers. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
}

/** Where and on what a result was measured; with `db`, PostgreSQL's version and durability settings. */
export async function environment(db?: pg.Client): Promise<Record<string, unknown>> {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'server', 'protocol', 'bench') !== '';
  const env: Record<string, unknown> = {
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+dirty' : ''}`,
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverageAtStart: loadavg().map((v) => round(v, 2)),
  };
  if (db) {
    const rows = await db.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings
       where name in ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_level')`,
    );
    env.postgres = Object.fromEntries(rows.rows.map((r) => [r.name, r.setting]));
  }
  return env;
}

/** A Markdown table; numbers are written with thousands separators. */
export function markdownTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) =>
    v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US') : v;
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The table of rate steps (pairs, max, cluster), with a CPU column per process group. */
export function stepsTable(steps: (StepResult & { sustained?: boolean })[]): string {
  const cpuKeys = Object.keys(steps[0]?.cpu ?? {}).filter((k) => !/^load\d+$/.test(k));
  return markdownTable(
    [
      'rate msg/s',
      'sent/s',
      'sent (steady)',
      'acked',
      'delivered',
      'lost',
      'refused',
      'unacked',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'ack p99 ms',
      ...cpuKeys.map((k) => `CPU ${k}`),
      ...(steps.some((s) => s.sustained !== undefined) ? ['sustained'] : []),
    ],
    steps.map((s) => [
      s.rate,
      s.achievedRate,
      s.counts.steadySent,
      s.counts.steadyAcked,
      s.counts.steadyDelivered,
      s.counts.steadyLost,
      s.counts.steadyFailed,
      s.counts.steadyUnacked,
      s.latencyMs.p50,
      s.latencyMs.p95,
      s.latencyMs.p99,
      s.latencyMs.max,
      s.ackMs.p99,
      ...cpuKeys.map((k) => s.cpu[k]),
      ...(s.sustained === undefined ? [] : [s.sustained ? 'yes' : 'no']),
    ]),
  );
}

/**
 * Writes bench/results/<scenario>-<time>.json and .md: the environment and settings first, then
 * the scenario's figures (JSON) or tables (Markdown).
 */
export function writeResults(
  scenario: string,
  result: { environment: Record<string, unknown>; settings: Record<string, unknown> } & Record<
    string,
    unknown
  >,
  tables: string,
): string {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const base = join(RESULTS, `${scenario}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ scenario, ...result }, null, 2)}\n`);
  const e = result.environment;
  const pgSettings = e.postgres as Record<string, string> | undefined;
  const lines = [
    `# ${scenario} (${e.date})`,
    '',
    `- commit ${e.commit}, Node ${e.node}, ${e.cpu} × ${e.cores} cores, ${e.memoryGiB} GiB, load average at start ${(e.loadAverageAtStart as number[]).join(' ')}`,
    ...(pgSettings
      ? [
          `- PostgreSQL ${pgSettings.server_version}: fsync ${pgSettings.fsync}, synchronous_commit ${pgSettings.synchronous_commit}, shared_buffers ${pgSettings.shared_buffers} × 8 kB, max_connections ${pgSettings.max_connections}`,
        ]
      : []),
    `- settings: ${Object.entries(result.settings)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(', ')}`,
    ...(tables.includes('| CPU ')
      ? [
          '- CPU columns: cores used (CPU seconds per wall second) in the measured window; `other` is what',
          '  none of the listed processes used (other work on the machine), `machine` the whole machine.',
        ]
      : []),
    '',
    tables,
    '',
  ];
  writeFileSync(`${base}.md`, lines.join('\n'));
  progress(`results: ${base}.json, ${base}.md`);
  return base;
}

/** The newest result file of a scenario (e.g. `max`), parsed; undefined when there is none. */
export function latestResult(scenario: string): { file: string; data: Record<string, unknown> } | undefined {
  let files: string[];
  try {
    files = readdirSync(RESULTS).filter((f) => f.startsWith(`${scenario}-`) && f.endsWith('.json'));
  } catch {
    return undefined;
  }
  const file = files.sort().at(-1);
  if (!file) return undefined;
  return { file: join('bench/results', file), data: JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) };
}
