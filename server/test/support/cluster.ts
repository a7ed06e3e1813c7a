import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Ack, type Message, maskPhone } from '@abrik/protocol';
import { io, type Socket } from 'socket.io-client';
import { type AuthResult, signInThrough, TEST_JWT_SECRET } from './app.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './databases.js';
import { freePort } from './own-postgres.js';
import type { ClientSocket } from './sockets.js';

/**
 * Several real `abrik serve` processes on one PostgreSQL database and one Redis of the test's
 * own, behind a real nginx running deploy/nginx.conf (addresses and file paths rewritten). The
 * processes run the built server (server/dist): `npm run build` first.
 */

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(REPO, 'server/bin/abrik.js');
export const DEPLOY_NGINX_CONF = join(REPO, 'deploy/nginx.conf');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- cleanup at exit -------------------------------------------------------------------------

/** Kills what is still running should a suite die before its afterAll (synchronous, best effort). */
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

function killQuietly(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL') {
  if (child && child.exitCode === null && child.signalCode === null) {
    try {
      child.kill(signal);
    } catch {
      // gone already
    }
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Waits for the child to exit; SIGKILLs it after timeoutMs. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number) {
  const exited = exitOf(child);
  killQuietly(child, signal);
  const outcome = await Promise.race([exited, sleep(timeoutMs).then(() => undefined)]);
  if (outcome) return outcome;
  killQuietly(child, 'SIGKILL');
  return exited;
}

// ---- availability ----------------------------------------------------------------------------

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** nginx: $NGINX_BIN, /usr/sbin/nginx, then PATH. */
export function findNginx(): string | undefined {
  return [process.env.NGINX_BIN, '/usr/sbin/nginx', onPath('nginx')].find(
    (p): p is string => !!p && existsSync(p),
  );
}

/** redis-server: $REDIS_SERVER_BIN, PATH, then /usr/bin/redis-server. */
export function findRedisServer(): string | undefined {
  return [process.env.REDIS_SERVER_BIN, onPath('redis-server'), '/usr/bin/redis-server'].find(
    (p): p is string => !!p && existsSync(p),
  );
}

/**
 * Whether a cluster can run here: nginx, redis-server and PostgreSQL. Under CI=true anything
 * missing throws (the suite must run there), elsewhere the suite is skipped with a note.
 */
export function clusterAvailable(): boolean {
  const missing: string[] = [];
  if (!findNginx()) missing.push('nginx (set NGINX_BIN or install the nginx package)');
  if (!findRedisServer()) missing.push('redis-server (set REDIS_SERVER_BIN or install redis-server)');
  // Under CI=true an unreachable PostgreSQL has already thrown in databases.ts.
  if (!BACKENDS.includes('postgres')) missing.push('PostgreSQL');
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but the cluster suite cannot run; missing: ${missing.join(', ')}`);
  }
  process.stderr.write(`cluster suite left out (not in CI); missing: ${missing.join(', ')}\n`);
  return false;
}

// ---- Redis -----------------------------------------------------------------------------------

/** A redis-server of the test's own, which the test may stop and start again on the same port. */
export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  readonly running: boolean;
  /** Stops the server (SIGTERM: it closes every client connection); nothing is persisted. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  start(): Promise<void>;
  /** FLUSHALL while it runs (every key of every client gone at once); true on +OK. */
  flush(): Promise<boolean>;
  /** Stops it (if running) and deletes its directory. Safe to call more than once. */
  destroy(): Promise<void>;
}

/** Sends PING over a raw connection; true on +PONG. */
export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return redisInline(port, 'PING', '+PONG', timeoutMs);
}

/** Sends one inline command over a raw connection; true when the reply starts with `expected`. */
function redisInline(port: number, command: string, expected: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += String(chunk);
      if (reply.includes('\r\n')) done(reply.startsWith(expected));
    });
  });
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server not found');
  const dir = mkdtempSync(join(tmpdir(), 'abrik-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  let destroyed = false;

  const start = async () => {
    if (destroyed) throw new Error('own Redis was destroyed');
    if (child && child.exitCode === null && child.signalCode === null) return;
    output = '';
    const started = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout!.on('data', (chunk) => {
      output += String(chunk);
    });
    started.stderr!.on('data', (chunk) => {
      output += String(chunk);
    });
    const deadline = Date.now() + 10_000;
    while (!(await redisPing(port))) {
      if (started.exitCode !== null || started.signalCode !== null || Date.now() > deadline) {
        killQuietly(started);
        throw new Error(`redis-server did not start on port ${port}:\n${output}`);
      }
      await sleep(50);
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (running) await stopChild(running, signal, 5000);
  };

  const cleanup = () => {
    killQuietly(child);
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(cleanup);
  try {
    await start();
  } catch (error) {
    cleanup();
    atExit.delete(cleanup);
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    stop,
    start,
    flush: () => redisInline(port, 'FLUSHALL', '+OK', 2000),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await stop('SIGKILL');
      } finally {
        rmSync(dir, { recursive: true, force: true });
        atExit.delete(cleanup);
      }
    },
  };
}

// ---- server instances ------------------------------------------------------------------------

export interface Instance {
  /** INSTANCE_ID: i1, i2, … */
  id: string;
  index: number;
  port: number;
  /** http://127.0.0.1:PORT, straight to this instance. */
  url: string;
  /** Every stdout line (JSON logs, the log SMS provider's lines) of every run of this instance. */
  lines: string[];
  readonly stderr: string;
  readonly child: ChildProcess;
  /** Resolves when the current process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  kill(signal: NodeJS.Signals): void;
  /** Starts the instance again (same port, same id) and waits until /health/ready answers 200. */
  restart(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  /** Environment on top of the cluster defaults, for every instance. */
  env?: Record<string, string>;
  /** Without nginx (faster) when false. */
  nginx?: boolean;
  /**
   * A PostgreSQL of the test's own (e.g. one it stops): used as it is and left alone by close().
   * By default each cluster gets a fresh database on the machine's PostgreSQL.
   */
  databaseUrl?: string;
}

/** fetch with a JSON body and a decoded reply; a refused connection answers status -1. */
export async function httpJson(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: any; headers: Headers | undefined }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  } catch (error) {
    return { status: -1, body: String(error), headers: undefined };
  }
}

function startInstance(
  index: number,
  port: number,
  env: Record<string, string>,
  dataDir: string,
): Promise<Instance> {
  const id = `i${index + 1}`;
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  let stderr = '';
  let child!: ChildProcess;
  let exited!: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  const cleanup = () => killQuietly(child);
  atExit.add(cleanup);

  const spawnAndWait = async () => {
    stderr = '';
    child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, PORT: String(port), INSTANCE_ID: id, DATA_DIR: dataDir },
    });
    exited = exitOf(child);
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const current = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (current.exitCode !== null || current.signalCode !== null) {
        throw new Error(
          `instance ${id} exited (${current.exitCode ?? current.signalCode}) before it was ready:\n${stderr}\n${lines.slice(-20).join('\n')}`,
        );
      }
      const ready = await httpJson(url, 'GET', '/health/ready', { timeoutMs: 2000 });
      if (ready.status === 200) return;
      if (Date.now() > deadline) {
        killQuietly(current);
        throw new Error(
          `instance ${id} not ready within 30 s (last /health/ready: ${ready.status} ${JSON.stringify(ready.body)}):\n${stderr}\n${lines.slice(-20).join('\n')}`,
        );
      }
      await sleep(100);
    }
  };

  const instance: Instance = {
    id,
    index,
    port,
    url,
    lines,
    get stderr() {
      return stderr;
    },
    get child() {
      return child;
    },
    get exited() {
      return exited;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill(signal) {
      killQuietly(child, signal);
    },
    async restart() {
      if (instance.running) throw new Error(`instance ${id} is still running`);
      await spawnAndWait();
    },
  };
  return spawnAndWait().then(
    () => instance,
    (error: unknown) => {
      atExit.delete(cleanup);
      throw error;
    },
  );
}

// ---- nginx -----------------------------------------------------------------------------------

/** Replaces `pattern` in `text`, checking it matched `count` times (deploy/nginx.conf changed?). */
function rewrite(text: string, pattern: RegExp, replacement: string, count: number, what: string): string {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  const found = text.match(global)?.length ?? 0;
  if (found !== count) {
    throw new Error(
      `deploy/nginx.conf: expected ${count} ${what} (${pattern}), found ${found}; update support/cluster.ts`,
    );
  }
  return text.replace(global, replacement);
}

/**
 * deploy/nginx.conf made runnable in a test: listening on 127.0.0.1:port, its upstreams pointing
 * at the instances' real ports, pid, logs and temp files in `dir`, in the foreground. Everything
 * else (upstreams, hashing, timeouts, headers, locations) is the deploy file as it is.
 */
export function testNginxConfig(
  source: string,
  options: { port: number; upstreamPorts: number[]; dir: string },
) {
  const { port, upstreamPorts, dir } = options;
  const asRoot = process.getuid?.() === 0;
  let conf = source;
  // Workers run as root when we are root (they read the temp directory), else as us.
  conf = rewrite(conf, /^user\s+[^;]+;.*$/m, asRoot ? 'user root;' : '', 1, '`user` line');
  conf = rewrite(conf, /^worker_processes\s+[^;]+;.*$/m, 'worker_processes 1;', 1, '`worker_processes` line');
  if (!asRoot)
    conf = rewrite(conf, /^worker_rlimit_nofile\s+[^;]+;.*$/m, '', 1, '`worker_rlimit_nofile` line');
  conf = rewrite(
    conf,
    /^pid\s+[^;]+;.*$/m,
    `pid ${join(dir, 'nginx.pid')};\ndaemon off;\nmaster_process on;`,
    1,
    '`pid` line',
  );
  conf = rewrite(conf, /^error_log\s+\S+/m, `error_log ${join(dir, 'error.log')}`, 1, '`error_log` line');
  conf = rewrite(
    conf,
    /^(\s*)access_log\s+\S+/m,
    [
      `$1client_body_temp_path ${join(dir, 'client_body')};`,
      `$1proxy_temp_path ${join(dir, 'proxy')};`,
      `$1fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `$1uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `$1scgi_temp_path ${join(dir, 'scgi')};`,
      `$1access_log ${join(dir, 'access.log')}`,
    ].join('\n'),
    1,
    '`access_log` line',
  );
  conf = rewrite(conf, /^(\s*)listen\s+80;.*$/m, `$1listen 127.0.0.1:${port};`, 1, '`listen 80;` line');
  // Each upstream's run of `server 127.0.0.1:300N …;` lines becomes one line per instance, with
  // the same parameters (max_fails, fail_timeout).
  conf = rewrite(
    conf,
    /^([ \t]*)server 127\.0\.0\.1:\d+([^;\n]*);\n(?:[ \t]*server 127\.0\.0\.1:\d+[^;\n]*;\n)*/m,
    `${upstreamPorts.map((p) => `$1server 127.0.0.1:${p}$2;`).join('\n')}\n`,
    2,
    'upstream server lists',
  );
  return conf;
}

export interface Nginx {
  url: string;
  port: number;
  dir: string;
  conf: string;
  readonly child: ChildProcess;
  /** nginx's error.log so far. */
  errorLog(): string;
  /** nginx's access.log so far (the `abrik` format: upstream=ADDR per request). */
  accessLog(): string;
  stop(): Promise<void>;
}

export async function startNginx(upstreamPorts: number[]): Promise<Nginx> {
  const bin = findNginx();
  if (!bin) throw new Error('nginx not found');
  const dir = mkdtempSync(join(tmpdir(), 'abrik-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, testNginxConfig(readFileSync(DEPLOY_NGINX_CONF, 'utf8'), { port, upstreamPorts, dir }));
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  let output = '';
  const child = spawn(bin, ['-c', conf, '-p', `${dir}/`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on('data', (chunk) => {
    output += String(chunk);
  });
  // SIGTERM is nginx's fast shutdown: the master stops its workers before it exits.
  const cleanup = () => {
    killQuietly(child, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(cleanup);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      killQuietly(child);
      const message = `nginx did not start (${child.exitCode ?? child.signalCode ?? 'timeout'}):\n${output}\n${read('error.log')}`;
      rmSync(dir, { recursive: true, force: true });
      atExit.delete(cleanup);
      throw new Error(message);
    }
    if ((await httpJson(url, 'GET', '/health', { timeoutMs: 1000 })).status === 200) break;
    await sleep(50);
  }
  return {
    url,
    port,
    dir,
    conf,
    child,
    errorLog: () => read('error.log'),
    accessLog: () => read('access.log'),
    async stop() {
      await stopChild(child, 'SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
      atExit.delete(cleanup);
    },
  };
}

// ---- clients ---------------------------------------------------------------------------------

export interface ClientOptions {
  /** socket.io-client transports; default WebSocket only. ['polling'] forces long-polling. */
  transports?: ('websocket' | 'polling')[];
  /** Reconnect after a lost connection (default true). */
  reconnection?: boolean;
}

/** Refusals worth retrying under the same clientMsgId; any other refusal is final. */
const TRANSIENT = new Set(['server/shutting_down', 'db/unavailable', 'internal']);

export interface SendOutcome {
  conversationId: string;
  clientMsgId: string;
  /** ok: acked {ok:true}; refused: every attempt acked {ok:false}; lost: no ack at all. */
  result: 'ok' | 'refused' | 'lost';
  attempts: number;
  /** Error codes of the refused attempts (server/shutting_down, …). */
  errors: string[];
  message?: Message;
}

/**
 * A chat client as a real app would write it: it syncs after every connect and on `resync`, from
 * the highest seq up to which it holds every message of a conversation (a gap left by a missed
 * live event is filled by the next sync), and records every message it got: live, via sync, or
 * as its own send's ack (deduplicated by id).
 */
export interface ChatClient {
  name: string;
  user: AuthResult;
  url: string;
  socket: ClientSocket;
  /** Every message held, by id. */
  received: Map<string, Message>;
  /** Live `message:new` events in arrival order (duplicates included). */
  live: Message[];
  /** How messages first arrived: live, via sync, or from the send's own ack. */
  firstVia: { live: number; sync: number; ack: number };
  /** Deliveries of a message already held (live after sync, sync after live): harmless. */
  redundant: number;
  /**
   * Messages that sync brought although, when that sync was sent, a later seq of their
   * conversation was already held: a client that syncs from the highest seq it has seen (instead
   * of its gap-free high-water mark, `contiguous`) would never have fetched them.
   */
  missedByHighestSeq: number;
  connects: number;
  resyncs: { reason: string }[];
  disconnects: string[];
  connectErrors: string[];
  syncs: number;
  syncErrors: string[];
  /** Highest seq per conversation up to which every message is held. */
  contiguous: Map<string, number>;
  /** Resolves once a sync started after this call has finished (syncs now if connected). */
  synced(timeoutMs?: number): Promise<void>;
  /** Messages of one conversation held, by seq. */
  messagesOf(conversationId: string): Message[];
  /**
   * Sends with retries under the same clientMsgId: no ack, or a transient refusal
   * (server/shutting_down, db/unavailable, internal), is retried (once the socket is connected
   * again) until `deadline`. Records the outcome.
   */
  send(conversationId: string, clientMsgId: string, body: string, deadline?: number): Promise<SendOutcome>;
  close(): void;
}

export function chatClient(
  name: string,
  url: string,
  user: AuthResult,
  options: ClientOptions = {},
): Promise<ChatClient> {
  const socket: ClientSocket = io(url, {
    transports: options.transports ?? ['websocket'],
    auth: { token: user.accessToken },
    reconnection: options.reconnection ?? true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 1000,
    randomizationFactor: 0.3,
    timeout: 5000,
    forceNew: true,
  });
  const untyped = socket as unknown as Socket;
  let closed = false;
  const received = new Map<string, Message>();
  const contiguous = new Map<string, number>();
  const seqs = new Map<string, Set<number>>();
  const highest = new Map<string, number>();
  const waiters: { after: number; resolve: () => void }[] = [];
  let syncGeneration = 0;
  let completedGeneration = 0;
  let syncing: Promise<void> | undefined;
  let again = false;

  const client: ChatClient = {
    name,
    user,
    url,
    socket,
    received,
    live: [],
    firstVia: { live: 0, sync: 0, ack: 0 },
    redundant: 0,
    missedByHighestSeq: 0,
    connects: 0,
    resyncs: [],
    disconnects: [],
    connectErrors: [],
    syncs: 0,
    syncErrors: [],
    contiguous,
    synced(timeoutMs = 15_000) {
      const after = ++syncGeneration;
      void runSync();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no completed sync within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          after,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    messagesOf(conversationId) {
      return [...received.values()]
        .filter((m) => m.conversationId === conversationId)
        .sort((a, b) => a.seq - b.seq);
    },
    async send(conversationId, clientMsgId, body, deadline = Date.now() + 20_000) {
      const outcome: SendOutcome = { conversationId, clientMsgId, result: 'lost', attempts: 0, errors: [] };
      while (!closed && Date.now() < deadline) {
        if (!socket.connected) {
          await sleep(25);
          continue;
        }
        outcome.attempts += 1;
        let ack: Ack<{ message: Message; duplicate: boolean }>;
        try {
          ack = (await (socket.timeout(5000) as unknown as Socket).emitWithAck('message:send', {
            conversationId,
            clientMsgId,
            body,
          })) as Ack<{ message: Message; duplicate: boolean }>;
        } catch {
          continue; // no ack (the connection went away first): try again once connected
        }
        if (ack.ok) {
          outcome.result = 'ok';
          outcome.message = ack.message;
          record(ack.message, 'ack');
          return outcome;
        }
        outcome.result = 'refused';
        outcome.errors.push(ack.error.code);
        if (!TRANSIENT.has(ack.error.code)) return outcome;
        await sleep(100);
      }
      return outcome;
    },
    close() {
      closed = true;
      socket.close();
    },
  };

  const record = (message: Message, via: 'live' | 'sync' | 'ack') => {
    if (received.has(message.id)) {
      if (via !== 'ack') client.redundant += 1;
      return;
    }
    received.set(message.id, message);
    client.firstVia[via] += 1;
    highest.set(message.conversationId, Math.max(highest.get(message.conversationId) ?? 0, message.seq));
    const held = seqs.get(message.conversationId) ?? new Set<number>();
    seqs.set(message.conversationId, held);
    held.add(message.seq);
    let top = contiguous.get(message.conversationId) ?? 0;
    while (held.has(top + 1)) top += 1;
    contiguous.set(message.conversationId, top);
  };

  const syncOnce = async () => {
    client.syncs += 1;
    for (let round = 0; round < 100 && socket.connected; round++) {
      const since = Object.fromEntries(contiguous);
      const before = JSON.stringify(since);
      const naiveSince = new Map(highest);
      const ack = (await (socket.timeout(10_000) as unknown as Socket).emitWithAck('sync', {
        since,
        limit: 500,
      })) as Ack<{ conversations: { conversationId: string; messages: Message[]; hasMore: boolean }[] }>;
      if (!ack.ok) throw new Error(`sync refused: ${ack.error.code}`);
      let more = false;
      for (const conversation of ack.conversations) {
        for (const message of conversation.messages) {
          const fresh = !received.has(message.id);
          if (fresh && message.seq <= (naiveSince.get(message.conversationId) ?? 0)) {
            client.missedByHighestSeq += 1;
          }
          record(message, 'sync');
        }
        if (conversation.hasMore) more = true;
      }
      // hasMore with nothing new held (a seq the server never gives us) would loop for ever.
      if (!more || JSON.stringify(Object.fromEntries(contiguous)) === before) return;
    }
  };

  const runSync = (): Promise<void> => {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        const generation = syncGeneration;
        if (!socket.connected) break; // the next connect syncs
        try {
          await syncOnce();
          completedGeneration = Math.max(completedGeneration, generation);
          for (const waiter of waiters.splice(0)) {
            if (waiter.after <= completedGeneration) waiter.resolve();
            else waiters.push(waiter);
          }
        } catch (error) {
          client.syncErrors.push(error instanceof Error ? error.message : String(error));
          if (socket.connected) {
            await sleep(200);
            again = true;
          }
        }
      } while (again && !closed);
    })().finally(() => {
      syncing = undefined;
    });
    return syncing;
  };

  socket.on('message:new', (message) => {
    client.live.push(message);
    record(message, 'live');
  });
  socket.on('connect', () => {
    client.connects += 1;
    syncGeneration += 1;
    void runSync();
  });
  untyped.on('resync', (event: { reason?: string }) => {
    client.resyncs.push({ reason: String(event?.reason ?? '') });
    syncGeneration += 1;
    void runSync();
  });
  socket.on('disconnect', (reason) => {
    client.disconnects.push(reason);
  });
  socket.on('connect_error', (error) => {
    client.connectErrors.push(error.message);
    // Refused by the server's middleware (e.g. server/shutting_down from a draining instance):
    // socket.io-client does not retry those by itself, a real client does.
    if (!socket.active && !closed && options.reconnection !== false) {
      setTimeout(() => {
        if (!closed && !socket.connected) socket.connect();
      }, 250);
    }
  });

  return new Promise<ChatClient>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`${name}: no connection to ${url} within 10 s (${client.connectErrors.join('; ')})`));
    }, 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
  });
}

// ---- the cluster -----------------------------------------------------------------------------

export interface Cluster {
  redis: OwnRedis;
  database: TestDatabase;
  instances: Instance[];
  /** undefined when started with nginx: false. */
  nginx: Nginx | undefined;
  /** nginx's URL (or the first instance's without nginx). */
  url: string;
  /** HTTP through nginx (or `base`, e.g. an instance URL). */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; base?: string },
  ): Promise<{ status: number; body: any; headers: Headers | undefined }>;
  /** The real OTP flow through nginx; the code is read from whichever instance printed it. */
  signIn(phone: string, name?: string): Promise<AuthResult>;
  /** A chat client connected to `url` (nginx or an instance URL), closed by close(). */
  client(name: string, url: string, user: AuthResult, options?: ClientOptions): Promise<ChatClient>;
  /** realtime_connections of each instance (from its /metrics); -1 for an instance that is down. */
  connectionCounts(): Promise<number[]>;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  if (!existsSync(join(REPO, 'server/dist/cli/main.js'))) {
    throw new Error('server/dist is missing: run `npm run build` before the cluster suite');
  }
  const count = options.instances ?? 3;
  const clients: ChatClient[] = [];
  const instances: Instance[] = [];
  let redis: OwnRedis | undefined;
  let database: TestDatabase | undefined;
  let nginx: Nginx | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'abrik-cluster-'));

  const close = async () => {
    for (const client of clients.splice(0)) client.close();
    await nginx?.stop().catch(() => {});
    await Promise.all(instances.map((i) => (i.running ? stopChild(i.child, 'SIGKILL', 5000) : undefined)));
    await redis?.destroy().catch(() => {});
    try {
      await database?.drop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    redis = await startOwnRedis();
    database = options.databaseUrl
      ? { backend: 'postgres', url: options.databaseUrl, pglitePath: undefined, drop: async () => {} }
      : await createTestDatabase('postgres');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url!,
      REDIS_URL: redis.url,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      SMS_PROVIDER: 'log',
      PRESENCE_OFFLINE_GRACE_MS: '0',
      PRESENCE_HEARTBEAT_SECONDS: '2',
      PRESENCE_INSTANCE_TTL_SECONDS: '6',
      TRUST_PROXY: 'true',
      OTP_PHONE_INTERVAL_SECONDS: '1',
      OTP_PHONE_PER_HOUR: '1000',
      OTP_REQUESTS_PER_IP_HOUR: '100000',
      OTP_VERIFY_PER_IP_HOUR: '100000',
      LOOKUP_PER_USER_HOUR: '100000',
      // Traffic tests send faster than a person: the fault suite's flood sets its own.
      MESSAGES_PER_USER_MINUTE: '100000',
      SHUTDOWN_TIMEOUT_MS: '8000',
      ...options.env,
    };
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    // The first instance applies the migrations; the others then start together.
    instances.push(await startInstance(0, ports[0]!, env, join(dataDir, 'i1')));
    instances.push(
      ...(await Promise.all(
        ports.slice(1).map((port, k) => startInstance(k + 1, port, env, join(dataDir, `i${k + 2}`))),
      )),
    );
    if (options.nginx !== false) nginx = await startNginx(ports);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }

  const url = nginx?.url ?? instances[0]!.url;
  const request: Cluster['request'] = (method, path, opts = {}) =>
    httpJson(opts.base ?? url, method, path, opts);

  const codeFor = (phone: string, after: number[]): string | undefined => {
    const masked = maskPhone(phone);
    let code: string | undefined;
    for (const [i, instance] of instances.entries()) {
      for (const line of instance.lines.slice(after[i])) {
        if (!line.includes('"sms.log"')) continue;
        const parsed = JSON.parse(line) as { to?: string; otp?: string };
        if (parsed.to === masked && parsed.otp) code = parsed.otp;
      }
    }
    return code;
  };

  // The code is printed by whichever instance served the request: wait for it on any of them.
  const signIn = (phone: string, name?: string) => {
    const marks = instances.map((i) => i.lines.length);
    return signInThrough(
      request,
      async () => {
        const deadline = Date.now() + 10_000;
        let code = codeFor(phone, marks);
        while (!code && Date.now() < deadline) {
          await sleep(25);
          code = codeFor(phone, marks);
        }
        return code;
      },
      phone,
      name,
    );
  };

  return {
    redis: redis!,
    database: database!,
    instances,
    nginx,
    url,
    request,
    signIn,
    async client(name, clientUrl, user, clientOptions) {
      const client = await chatClient(name, clientUrl, user, clientOptions);
      clients.push(client);
      return client;
    },
    async connectionCounts() {
      return Promise.all(
        instances.map(async (instance) => {
          const metrics = await httpJson(instance.url, 'GET', '/metrics', { timeoutMs: 2000 });
          if (metrics.status !== 200) return -1;
          const match = /^realtime_connections (\d+)/m.exec(String(metrics.body));
          return match ? Number(match[1]) : -1;
        }),
      );
    },
    close,
  };
}
