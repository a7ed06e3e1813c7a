import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Message, maskPhone } from '@abrik/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, TEST_JWT_SECRET, uniquePhone } from './support/app.js';
import { BACKENDS, createTestDatabase, type TestDatabase, waitForLockWaiters } from './support/databases.js';
import { freePort } from './support/own-postgres.js';
import { type ClientSocket, call, connect, eventually } from './support/sockets.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'server/bin/abrik.js');

interface Outcome {
  stream: string;
  conversationId: string;
  clientMsgId: string;
  /** ok: acked {ok:true}; refused: acked {ok:false}; lost: no ack (the socket went away first). */
  result: 'ok' | 'refused' | 'lost';
  code?: string;
  id?: string;
  seq?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Under CI=true an unreachable PostgreSQL throws in databases.ts and fails the file. */
describe.skipIf(!BACKENDS.includes('postgres'))('SIGTERM on `abrik serve` with clients sending', () => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let child: ChildProcess | undefined;
  let baseUrl: string;
  const lines: string[] = [];
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const sockets: ClientSocket[] = [];
  const clients: pg.Client[] = [];

  const request = async (method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  /** The real OTP flow; the code comes from the log SMS provider's line on the child's stdout. */
  const signIn = async (phone: string): Promise<AuthResult> => {
    const sent = await request('POST', '/api/v1/auth/otp', { phone });
    expect(sent.status).toBe(200);
    let code: string | undefined;
    await eventually(
      () => {
        for (const line of lines) {
          if (!line.includes('"sms.log"')) continue;
          const parsed = JSON.parse(line) as { to?: string; otp?: string };
          if (parsed.to === maskPhone(phone) && parsed.otp) code = parsed.otp;
        }
        return code !== undefined;
      },
      10_000,
      'the sign-in code on stdout',
    );
    const verified = await request('POST', '/api/v1/auth/verify', { phone, code });
    expect(verified.status).toBe(200);
    return verified.body as AuthResult;
  };

  const socketOf = async (who: AuthResult) => {
    const socket = await connect(baseUrl, who.accessToken);
    sockets.push(socket);
    return socket;
  };

  const dbClient = async () => {
    const client = new pg.Client({ connectionString: database!.url });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'server/dist/cli/main.js'))) {
      throw new Error('server/dist is missing: run `npm run build` before this suite');
    }
    database = await createTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'abrik-shutdown-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url!,
        DATA_DIR: dataDir,
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: '10000',
      },
    });
    exited = new Promise((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
    await Promise.race([
      eventually(() => lines.some((l) => l.includes('is listening on')), 30_000, 'the "listening" log line'),
      exited.then(({ code }) => {
        throw new Error(`abrik serve exited (${code}) before listening:\n${stderr}\n${lines.join('\n')}`);
      }),
    ]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    for (const client of clients) await client.end().catch(() => {});
    try {
      await database?.drop();
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('drains: exits 0, every acked message is stored, refusals are never stored', async () => {
    const [alice, bob, carol] = [
      await signIn(uniquePhone()),
      await signIn(uniquePhone()),
      await signIn(uniquePhone()),
    ];
    const direct = async (from: AuthResult, to: AuthResult) => {
      const created = await request(
        'POST',
        '/api/v1/conversations',
        { kind: 'direct', userId: to.user.id },
        from.accessToken,
      );
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const streamed = await direct(alice, bob);
    const held = await direct(alice, carol);

    const [aliceStream, bobStream, aliceHeld] = [
      await socketOf(alice),
      await socketOf(bob),
      await socketOf(alice),
    ];
    const disconnects = new Map<ClientSocket, string>();
    for (const socket of [aliceStream, bobStream, aliceHeld]) {
      socket.on('disconnect', (reason) => disconnects.set(socket, reason));
    }

    // Two steady streams on one conversation: one send every 5 ms each, the next after the ack.
    const outcomes: Outcome[] = [];
    const stream = async (name: string, socket: ClientSocket) => {
      for (let i = 0; socket.connected; i++) {
        const clientMsgId = `${name}-${i}`;
        const sent: Outcome = { stream: name, conversationId: streamed, clientMsgId, result: 'lost' };
        outcomes.push(sent);
        try {
          const ack = await call<{ message: Message }>(
            socket,
            'message:send',
            { conversationId: streamed, clientMsgId, body: `${name} #${i}` },
            8000,
          );
          if (ack.ok) Object.assign(sent, { result: 'ok', id: ack.message.id, seq: ack.message.seq });
          else Object.assign(sent, { result: 'refused', code: ack.error.code });
        } catch {
          // No ack: the socket closed (or the ack timed out) with the send under way.
        }
        await sleep(5);
      }
    };
    const streams = Promise.all([stream('alice', aliceStream), stream('bob', bobStream)]);
    await eventually(() => outcomes.filter((o) => o.result === 'ok').length >= 60, 20_000, '60 acked sends');

    // A write that is under way when SIGTERM arrives: the conversation row is locked, so the send
    // waits inside its transaction until the lock goes away.
    const locker = await dbClient();
    await locker.query('begin');
    await locker.query('select id from conversations where id = $1 for update', [held]);
    const heldAck = call<{ message: Message }>(
      aliceHeld,
      'message:send',
      { conversationId: held, clientMsgId: 'held-write', body: 'under way at SIGTERM' },
      15_000,
    );
    const observer = await dbClient();
    await waitForLockWaiters(observer, 1, 'the held send to wait on the row lock');

    const sigtermAt = Date.now();
    child!.kill('SIGTERM');

    // While the held write keeps the drain open: not ready, new sends refused, new sockets refused.
    const readiness = () =>
      request('GET', '/health/ready').catch((error: unknown) => ({ status: -1, body: String(error) }));
    let ready = await readiness();
    while (ready.status === 200 && Date.now() - sigtermAt < 3000) ready = await readiness();
    expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', failed: ['server'] } });
    await eventually(
      () => outcomes.some((o) => o.result === 'refused'),
      3000,
      'a send refused during the drain',
    );
    await expect(connect(baseUrl, alice.accessToken)).rejects.toMatchObject({
      message: 'server/shutting_down',
    });

    await locker.query('rollback');
    const heldResult = await heldAck;
    expect(heldResult).toMatchObject({ ok: true, message: { clientMsgId: 'held-write', seq: 1 } });

    const exit = await Promise.race([exited, sleep(10_000).then(() => 'still running after 10 s')]);
    const exitMs = Date.now() - sigtermAt;
    expect(exit, stderr).toEqual({ code: 0, signal: null });
    expect(lines.some((l) => l.includes('stopped cleanly'))).toBe(true);
    await streams;

    // socket.io-client reconnects after "transport close" (it would not after "io server disconnect").
    expect([disconnects.get(aliceStream), disconnects.get(bobStream), disconnects.get(aliceHeld)]).toEqual([
      'transport close',
      'transport close',
      'transport close',
    ]);

    const { rows } = await observer.query<{
      client_msg_id: string;
      id: string;
      seq: string;
      conversation_id: string;
    }>('select client_msg_id, id, seq, conversation_id from messages order by conversation_id, seq');
    const stored = new Map(rows.map((r) => [r.client_msg_id, r]));
    const acked = outcomes.filter((o) => o.result === 'ok');
    const refused = outcomes.filter((o) => o.result === 'refused');
    const lost = outcomes.filter((o) => o.result === 'lost');
    const ackedButLost = acked.filter((o) => {
      const row = stored.get(o.clientMsgId);
      return !row || row.id !== o.id || Number(row.seq) !== o.seq || row.conversation_id !== o.conversationId;
    });
    expect(ackedButLost).toEqual([]);
    expect(refused.map((o) => o.code)).toEqual(refused.map(() => 'server/shutting_down'));
    expect(refused.filter((o) => stored.has(o.clientMsgId))).toEqual([]);
    const storedStream = rows.filter((r) => r.conversation_id === streamed);
    // Gap-free seqs in the streamed conversation, and nothing there that was not sent.
    expect(storedStream.map((r) => Number(r.seq))).toEqual(storedStream.map((_, i) => i + 1));
    const sentIds = new Set(outcomes.map((o) => o.clientMsgId));
    expect(storedStream.filter((r) => !sentIds.has(r.client_msg_id))).toEqual([]);
    expect(stored.get('held-write')?.id).toBe(heldResult.ok ? heldResult.message.id : 'not acked');
    const storedUnacked = lost.filter((o) => stored.has(o.clientMsgId)).length;

    process.stdout.write(
      `shutdown: ${outcomes.length} sends, ${acked.length} acked ok (all ${acked.length} stored), ` +
        `${refused.length} refused server/shutting_down (0 stored), ${lost.length} without ack ` +
        `(${storedUnacked} of them stored), held write acked and stored; exit 0 after ${exitMs} ms\n`,
    );
  }, 60_000);
});
