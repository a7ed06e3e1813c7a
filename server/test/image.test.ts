import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKavenegar, startFakeKavenegar } from './fakes/kavenegar.fake.js';
import { httpJson, REPO } from './support/cluster.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';
import { freePort } from './support/own-postgres.js';

/**
 * What the image runs, without a container engine: the built output installed the way the
 * Dockerfile's second stage installs it (`npm ci --omit=dev` beside protocol/, server/ and web/
 * builds, in a directory of its own), started with the image's ENTRYPOINT and CMD as a user that
 * is not root, in production mode — then health, a sign-in by SMS code, a chat, and SIGTERM.
 */
const run = promisify(execFile);
const DOCKERFILE = readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8');
const runtimeStage = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('FROM '));
const ENTRYPOINT = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtimeStage)![1]!) as string[];
const CMD = JSON.parse(/^CMD (\[.*\])$/m.exec(runtimeStage)![1]!) as string[];
/** What the runtime stage copies from the build, beside the three package.json files. */
const BUILT = ['protocol/dist', 'server/dist', 'server/bin', 'server/drizzle', 'web/dist'];
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

describe.skipIf(!BACKENDS.includes('postgres'))('the image’s production install and start command', () => {
  let dir: string;
  let database: TestDatabase;
  let kavenegar: FakeKavenegar;
  let server: ChildProcess | undefined;
  let output = '';
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'abrik-image-'));
    chmodSync(dir, 0o755); // mkdtemp makes it the owner's only; the server runs as someone else
    for (const file of [
      'package.json',
      'package-lock.json',
      'protocol/package.json',
      'server/package.json',
      'web/package.json',
    ]) {
      cpSync(join(REPO, file), join(dir, file));
    }
    for (const built of BUILT) cpSync(join(REPO, built), join(dir, built), { recursive: true });
    // The runtime stage's own install: production dependencies only, from the lockfile.
    const install = /^RUN (npm ci --omit=dev [^\\\n]*)/m.exec(runtimeStage)![1]!.trim().split(/\s+/);
    expect(install).toContain('--workspace=@abrik/server');
    await run(install[0]!, install.slice(1), { cwd: dir, timeout: 300_000 });
    mkdirSync(join(dir, 'data'));
    if (AS_ROOT) chownSync(join(dir, 'data'), NOBODY.uid, NOBODY.gid);
    database = await createTestDatabase('postgres');
    kavenegar = await startFakeKavenegar();
  }, 360_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await kavenegar?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has only production dependencies: no test runner, no bundler, no TypeScript', () => {
    expect(existsSync(join(dir, 'node_modules/fastify'))).toBe(true);
    // Neither the development tools nor the web client's libraries (it is built into web/dist).
    for (const dev of [
      'vitest',
      'vite',
      'typescript',
      '@biomejs/biome',
      'playwright-core',
      'node',
      'react',
    ]) {
      expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('starts with the image’s command as a user that is not root, in production, and answers ready', async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const [command, ...args] = [...ENTRYPOINT, ...CMD];
    expect(command).toBe('node');
    server = spawn(process.execPath, args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(AS_ROOT ? NOBODY : {}),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(dir, 'data'),
        DATABASE_URL: database.url!,
        JWT_SECRET: 'image-test-secret-long-enough-for-hs256-signing',
        METRICS_TOKEN: 'image-test-metrics-token',
        KAVENEGAR_API_KEY: kavenegar.apiKey,
        KAVENEGAR_BASE_URL: kavenegar.url,
        PUSH_PROVIDERS: 'none',
        SHUTDOWN_RECONNECT_SPREAD_MS: '0',
        LOG_LEVEL: 'info',
      },
    });
    server.stdout!.on('data', (chunk) => {
      output += String(chunk);
    });
    server.stderr!.on('data', (chunk) => {
      output += String(chunk);
    });
    const deadline = Date.now() + 60_000;
    let ready = await httpJson(url, 'GET', '/health/ready', { timeoutMs: 2000 });
    while (ready.status !== 200 && Date.now() < deadline && server.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await httpJson(url, 'GET', '/health/ready', { timeoutMs: 2000 });
    }
    expect(ready.status, output).toBe(200);
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    if (AS_ROOT) expect(uid).toBe(NOBODY.uid);
    expect(uid).not.toBe(0);
    // The web client is built in.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  }, 90_000);

  it('signs two people in by SMS code and carries a message between them', async () => {
    const signIn = async (phone: string) => {
      expect((await httpJson(url, 'POST', '/api/v1/auth/otp', { body: { phone } })).status).toBe(200);
      const code = kavenegar.lastOtp(`0${phone.slice(3)}`);
      const verified = await httpJson(url, 'POST', '/api/v1/auth/verify', { body: { phone, code } });
      expect(verified.status).toBe(200);
      return verified.body as { accessToken: string; user: { id: string } };
    };
    const ali = await signIn('+989121000001');
    const sara = await signIn('+989121000002');
    const created = await httpJson(url, 'POST', '/api/v1/conversations', {
      token: ali.accessToken,
      body: { kind: 'direct', userId: sara.user.id },
    });
    expect(created.status).toBe(201);
    const connect = (token: string) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = io(url, {
          transports: ['websocket'],
          auth: { token },
          forceNew: true,
          reconnection: false,
        });
        sockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    const [a, b] = await Promise.all([connect(ali.accessToken), connect(sara.accessToken)]);
    const heard = new Promise<{ body: string }>((resolve) => b.once('message:new', resolve));
    const ack = (await a.timeout(5000).emitWithAck('message:send', {
      conversationId: created.body.id,
      clientMsgId: 'image-1',
      body: 'سلام از ایمیج',
    })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    expect((await heard).body).toBe('سلام از ایمیج');
  });

  it('stops cleanly on SIGTERM: exit 0', async () => {
    for (const s of sockets) s.close();
    expect(server?.exitCode, 'still running before SIGTERM').toBeNull();
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server!.kill('SIGTERM');
    expect(await exited, output.split('\n').slice(-10).join('\n')).toBe(0);
    expect(output).toContain('stopped cleanly');
    // Nothing secret reached the log.
    expect(output).not.toContain('image-test-secret');
    expect(output).not.toContain(kavenegar.apiKey);
  }, 30_000);
});
