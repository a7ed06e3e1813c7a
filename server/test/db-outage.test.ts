import type { Message } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { type OwnPostgres, ownPostgresAvailable, startOwnPostgres } from './support/own-postgres.js';
import { type ClientSocket, call, collect, connect, eventually, next } from './support/sockets.js';

/** Under CI=true a missing PostgreSQL toolchain throws here and fails the file. */
const AVAILABLE = ownPostgresAvailable();

/** Resolves with the promise, or rejects when it has not settled within ms: a request must not hang. */
function answered<T>(promise: Promise<T>, what: string, ms = 8000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe.skipIf(!AVAILABLE)('a PostgreSQL outage (stopped, then frozen) while the app runs', () => {
  let pgCluster: OwnPostgres | undefined;
  let t: TestApp | undefined;
  let alice: AuthResult;
  let bob: AuthResult;
  let conversationId: string;
  let a: ClientSocket;
  let b: ClientSocket;
  const open: ClientSocket[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  /** What Bob's socket received live from the freeze on. */
  let bobHeard: Message[] = [];
  /** db/unavailable answers the clients got (HTTP and socket): the metric must count each. */
  let dbUnavailableAnswers = 0;

  const app = () => t!;
  const messagesPath = () => `/api/v1/conversations/${conversationId}/messages`;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    pgCluster = await startOwnPostgres();
    // The usual test wiring, pointed at the cluster this suite may stop (DATABASE_URL wins over
    // the embedded database the helper would otherwise use).
    t = await startTestApp({
      env: {
        DATABASE_URL: pgCluster.url,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        DATABASE_POOL_SIZE: '4',
        // A real interval, to show that a code the outage kept from being sent costs no wait.
        OTP_PHONE_INTERVAL_SECONDS: '60',
      },
    });
    [alice, bob] = await Promise.all([t.signIn(uniquePhone(), 'Alice'), t.signIn(uniquePhone(), 'Bob')]);
    const created = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    expect(created.status).toBe(201);
    conversationId = created.body.id;
    a = await connect(t.url, alice.accessToken);
    b = await connect(t.url, bob.accessToken);
    open.push(a, b);
  });

  afterAll(async () => {
    for (const s of open) s.close();
    try {
      // Bounded, so the cluster is destroyed even when the app cannot stop.
      if (t) await answered(t.close(), 'app.stop() in afterAll', 15_000);
    } finally {
      await pgCluster?.destroy();
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
  });

  it('runs on the own cluster and stores a message before the outage', async () => {
    expect(app().app.database.kind).toBe('postgres');
    expect(app().app.config.DATABASE_URL).toBe(pgCluster!.url);
    const ack = await call<{ message: Message }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'before-outage',
      body: 'پیش از قطعی',
    });
    expect(ack).toMatchObject({ ok: true, message: { seq: 1 } });
    expect((await app().request('GET', '/health/ready')).status).toBe(200);
  });

  it('keeps answering while PostgreSQL is down: liveness 200, readiness 503 naming database', async () => {
    await pgCluster!.stop();

    const live = await answered(app().request('GET', '/health'), 'GET /health');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');

    const ready = await answered(app().request('GET', '/health/ready'), 'GET /health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/application\/json/);
    expect(ready.body.status).toBe('unavailable');
    expect(ready.body.failed).toContain('database');
    expect(ready.body.failed).not.toContain('server');
    expect(ready.body.checks.database.ok).toBe(false);
  });

  const otpPhone = uniquePhone();

  it('answers API calls with 503 db/unavailable and Retry-After instead of hanging', async () => {
    const calls: [string, Promise<{ status: number; body: any; headers: Headers }>][] = [
      ['list conversations', app().request('GET', '/api/v1/conversations', { token: alice.accessToken })],
      ['history', app().request('GET', messagesPath(), { token: bob.accessToken })],
      [
        'send over HTTP',
        app().request('POST', messagesPath(), {
          token: alice.accessToken,
          body: { clientMsgId: 'http-during-outage', body: 'lost?' },
        }),
      ],
      ['me', app().request('GET', '/api/v1/users/me', { token: bob.accessToken })],
      ['sign-in code', app().request('POST', '/api/v1/auth/otp', { body: { phone: otpPhone } })],
    ];
    for (const [what, promise] of calls) {
      const res = await answered(promise, what);
      expect({ what, status: res.status, code: res.body?.error?.code }).toEqual({
        what,
        status: 503,
        code: 'db/unavailable',
      });
      expect(res.headers.get('retry-after')).toBe('5');
      expect(typeof res.body.error.message).toBe('string');
      dbUnavailableAnswers++;
    }
    // The code could not be stored, so none was sent that could never be verified.
    expect(app().lastCode(otpPhone)).toBeUndefined();
  });

  it('answers more concurrent calls than the pool holds, every one of them 503', async () => {
    // Pool of 4: 20 callers must all get an answer, none left waiting for a connection forever.
    const results = await answered(
      Promise.all(
        Array.from({ length: 20 }, () =>
          app().request('GET', '/api/v1/conversations', { token: alice.accessToken }),
        ),
      ),
      '20 concurrent list calls',
    );
    expect(results.map((r) => `${r.status} ${r.body?.error?.code}`)).toEqual(
      Array.from({ length: 20 }, () => '503 db/unavailable'),
    );
    dbUnavailableAnswers += results.length;
  });

  it('acks a socket message:send with ok:false db/unavailable', async () => {
    const ack = await answered(
      call(a, 'message:send', { conversationId, clientMsgId: 'socket-during-outage', body: 'retry me' }),
      'socket message:send',
    );
    expect(ack).toMatchObject({ ok: false, error: { code: 'db/unavailable' } });
    dbUnavailableAnswers++;
    // The sockets stay up: the outage is not a reason to drop clients.
    expect(a.connected).toBe(true);
    expect(b.connected).toBe(true);
  });

  it('is still alive after all that: no crash, no unhandled error', async () => {
    const live = await answered(app().request('GET', '/health'), 'GET /health');
    expect(live.status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('recovers without a restart once PostgreSQL is back', async () => {
    await pgCluster!.start();
    const restartedAt = Date.now();
    let ready = await app().request('GET', '/health/ready');
    while (ready.status !== 200 && Date.now() - restartedAt < 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await app().request('GET', '/health/ready');
    }
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', failed: [] });
    process.stdout.write(`db-outage: ready ${Date.now() - restartedAt} ms after the cluster came back\n`);

    const list = await app().request('GET', '/api/v1/conversations', { token: alice.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([conversationId]);

    const viaHttp = await app().request('POST', messagesPath(), {
      token: alice.accessToken,
      body: { clientMsgId: 'http-after-outage', body: 'پس از قطعی' },
    });
    expect(viaHttp.status).toBe(201);

    // The code the outage kept from being sent did not use up the phone's 60 s interval.
    const otp = await app().request('POST', '/api/v1/auth/otp', { body: { phone: otpPhone } });
    expect(otp.status).toBe(200);
    expect(app().lastCode(otpPhone)).toMatch(/^\d{6}$/);

    const incoming = next(b, 'message:new', (m) => m.clientMsgId === 'socket-after-outage');
    const viaSocket = await call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'socket-after-outage',
      body: 'back again',
    });
    expect(viaSocket).toMatchObject({ ok: true, duplicate: false });
    expect((await incoming).clientMsgId).toBe('socket-after-outage');

    // The send refused during the outage was not stored: its retry stores it now, once.
    const retried = await call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'socket-during-outage',
      body: 'retry me',
    });
    expect(retried).toMatchObject({ ok: true, duplicate: false });

    const history = await app().request('GET', `${messagesPath()}?limit=100`, { token: bob.accessToken });
    expect(history.status).toBe(200);
    expect(history.body.items.map((m: Message) => [m.seq, m.clientMsgId, m.body])).toEqual([
      [1, 'before-outage', 'پیش از قطعی'],
      [2, 'http-after-outage', 'پس از قطعی'],
      [3, 'socket-after-outage', 'back again'],
      [4, 'socket-during-outage', 'retry me'],
    ]);
    expect(unhandled).toEqual([]);
  });

  it('answers 503 instead of hanging while PostgreSQL hangs (frozen, connections open)', async () => {
    // Fill the pool (4) with idle connections: the frozen server holds them open, so a BEGIN on
    // one of them gets no answer until the client-side read timeout.
    await Promise.all(
      Array.from({ length: 4 }, () => app().app.database.db.execute(sql`select pg_sleep(0.2)`)),
    );
    // Background work (notification jobs of the messages above) may hold a connection a moment.
    await eventually(
      () => {
        const stats = app().app.database.poolStats();
        return stats.total === 4 && stats.idle === 4;
      },
      10_000,
      'a full pool of idle connections',
    );

    bobHeard = collect(b, 'message:new');
    pgCluster!.freeze();
    try {
      const sends = Array.from({ length: 6 }, (_, i) =>
        answered(
          call(a, 'message:send', { conversationId, clientMsgId: `frozen-${i}`, body: 'frozen' }),
          `socket send ${i} while frozen`,
        ),
      );
      const list = answered(
        app().request('GET', '/api/v1/conversations', { token: alice.accessToken }),
        'list while frozen',
      );
      const live = await answered(app().request('GET', '/health'), 'GET /health while frozen');
      expect(live.status).toBe(200);
      const ready = await answered(app().request('GET', '/health/ready'), 'readiness while frozen');
      expect(ready.status).toBe(503);
      expect(ready.body.failed).toContain('database');

      const acks = await Promise.all(sends);
      expect(acks.map((ack) => (ack.ok ? 'ok' : ack.error.code))).toEqual(
        Array.from({ length: 6 }, () => 'db/unavailable'),
      );
      const listed = await list;
      expect([listed.status, listed.body.error?.code, listed.headers.get('retry-after')]).toEqual([
        503,
        'db/unavailable',
        '5',
      ]);
      dbUnavailableAnswers += acks.length + 1;
    } finally {
      pgCluster!.thaw();
    }
  });

  it('recovers from the hang with its whole pool: no connection leaked, nothing half-stored', async () => {
    const thawedAt = Date.now();
    let ready = await app().request('GET', '/health/ready');
    while (ready.status !== 200 && Date.now() - thawedAt < 20_000) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await app().request('GET', '/health/ready');
    }
    expect(ready.status).toBe(200);
    process.stdout.write(`db-outage: ready ${Date.now() - thawedAt} ms after the cluster was thawed\n`);

    // Twice the pool size at once: each needs a connection; a leaked one would make some wait and fail.
    const acks = await answered(
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call(a, 'message:send', {
            conversationId,
            clientMsgId: `after-hang-${i}`,
            body: `after hang ${i}`,
          }),
        ),
      ),
      '8 sends after the hang',
    );
    expect(acks.map((ack) => (ack.ok ? 'ok' : ack.error.code))).toEqual(
      Array.from({ length: 8 }, () => 'ok'),
    );

    // The sends answered db/unavailable while frozen had reached the database: a batch is one
    // autocommitted statement, so some may have been stored when it thawed. The client retries
    // them with the same clientMsgId: each answers with one stored message, none twice.
    const retried = await answered(
      Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
            conversationId,
            clientMsgId: `frozen-${i}`,
            body: 'frozen',
          }),
        ),
      ),
      'the frozen sends retried',
    );
    expect(retried.every((ack) => ack.ok)).toBe(true);
    const duplicates = retried.filter((ack) => ack.ok && ack.duplicate).length;
    process.stdout.write(
      `db-outage: ${duplicates} of 6 frozen sends were stored at the thaw (retry: duplicate)\n`,
    );
    // Whatever became of the acks, Bob has every stored message live: those stored at the thaw
    // (their retry is a duplicate) as well as those the retry stored.
    await eventually(
      () =>
        Array.from({ length: 6 }, (_, i) => `frozen-${i}`).every((id) =>
          bobHeard.some((m) => m.clientMsgId === id),
        ),
      10_000,
      'every frozen send reaching Bob live',
    );

    const history = await app().request('GET', `${messagesPath()}?limit=100`, { token: alice.accessToken });
    const items = history.body.items as Message[];
    // Gap-free seqs, each message once.
    expect(items.map((m) => m.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(
      items
        .slice(4)
        .map((m) => m.clientMsgId)
        .sort(),
    ).toEqual(
      [
        ...Array.from({ length: 8 }, (_, i) => `after-hang-${i}`),
        ...Array.from({ length: 6 }, (_, i) => `frozen-${i}`),
      ].sort(),
    );
    expect(app().app.database.poolStats().total).toBeLessThanOrEqual(4);
    expect(unhandled).toEqual([]);
  });

  it('counts every db/unavailable answer in app_errors_total', async () => {
    const metrics = await app().request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const match = /^app_errors_total\{code="db\/unavailable"\} (\d+)$/m.exec(String(metrics.body));
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(0);
    expect(Number(match![1])).toBe(dbUnavailableAnswers);
  });

  it('stops cleanly afterwards: no database connection is left checked out', async () => {
    await answered(app().close(), 'app.stop()');
    expect(unhandled).toEqual([]);
  });
});
