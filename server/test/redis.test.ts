import { randomBytes, randomUUID } from 'node:crypto';
import type { Message, Presence } from '@abrik/protocol';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { REDIS, REDIS_URL } from './support/redis.js';
import { type ClientSocket, call, connect, eventually, next } from './support/sockets.js';

const POSTGRES = BACKENDS.includes('postgres');

/**
 * Two instances in one process, on one PostgreSQL database and the shared Redis (under a key
 * prefix of their own): what crosses instances goes through Redis exactly as between processes.
 * The process-level proofs (SIGKILL, Redis restart, nginx) are in cluster.test.ts.
 */
describe.skipIf(!REDIS || !POSTGRES)('two instances sharing Redis', () => {
  const prefix = `abrik-test-${randomBytes(4).toString('hex')}:`;
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PRESENCE_HEARTBEAT_SECONDS: '1',
    PRESENCE_INSTANCE_TTL_SECONDS: '2',
    OTP_PHONE_INTERVAL_SECONDS: '60',
  };
  let a: TestApp;
  let b: TestApp;
  let alice: AuthResult;
  let bob: AuthResult;
  let conversationId: string;
  const open: ClientSocket[] = [];
  const socket = async (app: TestApp, who: AuthResult) => {
    const s = await connect(app.url, who.accessToken);
    open.push(s);
    return s;
  };
  const redis = createClient({ url: REDIS_URL });

  beforeAll(async () => {
    a = await startTestApp({ backend: 'postgres', env: { ...env, INSTANCE_ID: 'a' } });
    b = await startTestApp({ database: a.database, env: { ...env, INSTANCE_ID: 'b' } });
    await redis.connect();
    alice = await a.signIn(uniquePhone(), 'Alice');
    bob = await b.signIn(uniquePhone(), 'Bob');
    const created = await a.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    conversationId = created.body.id;
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await b?.close();
    await a?.close();
    const leftovers = await redis.keys(`${prefix}*`);
    if (leftovers.length > 0) await redis.del(leftovers);
    await redis.quit();
  });

  it('delivers messages both ways between clients on different instances, in order', async () => {
    const [onA, onB] = await Promise.all([socket(a, alice), socket(b, bob)]);
    const toBob: Message[] = [];
    const toAlice: Message[] = [];
    onB.on('message:new', (m) => m.senderId === alice.user.id && toBob.push(m));
    onA.on('message:new', (m) => m.senderId === bob.user.id && toAlice.push(m));
    const sentByAlice: Message[] = [];
    const sentByBob: Message[] = [];
    for (let i = 0; i < 20; i++) {
      const [x, y] = await Promise.all([
        call<{ message: Message }>(onA, 'message:send', {
          conversationId,
          clientMsgId: `a-${i}`,
          body: `از آلیس ${i}`,
        }),
        call<{ message: Message }>(onB, 'message:send', {
          conversationId,
          clientMsgId: `b-${i}`,
          body: `from Bob ${i}`,
        }),
      ]);
      if (!x.ok || !y.ok) throw new Error('send failed');
      sentByAlice.push(x.message);
      sentByBob.push(y.message);
    }
    await eventually(() => toBob.length === 20 && toAlice.length === 20, 10_000, 'all 40 delivered');
    expect(toBob).toEqual(sentByAlice);
    expect(toAlice).toEqual(sentByBob);
  });

  it('shows a user online while a connection lives on any instance, offline after the last one', async () => {
    for (const s of open.splice(0)) s.close();
    await eventually(async () => !(await a.app.presence.presence.isOnline(bob.user.id)), 5000, 'bob offline');
    const watcher = await socket(a, alice);
    const online = next(watcher, 'presence', (p) => p.userId === bob.user.id && p.status === 'online');
    const bobOnB = await connect(b.url, bob.accessToken);
    await online;
    // A second connection on the other instance, then the first one closes: still online.
    const bobOnA = await connect(a.url, bob.accessToken);
    const seen: Presence[] = [];
    watcher.on('presence', (p) => p.userId === bob.user.id && seen.push(p));
    bobOnB.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
    const asked = await call<{ presences: Presence[] }>(watcher, 'presence:query', {
      userIds: [bob.user.id],
    });
    expect(asked).toMatchObject({ ok: true, presences: [{ userId: bob.user.id, status: 'online' }] });
    const offline = next(watcher, 'presence', (p) => p.userId === bob.user.id && p.status === 'offline');
    bobOnA.close();
    expect((await offline).lastSeenAt).not.toBeNull();
  });

  it('takes the users of an instance that stopped heartbeating offline, without anyone restarting anything', async () => {
    const watcher = await socket(a, alice);
    // A ghost instance that "died" holding Bob's only connection: its heartbeat is old.
    const ghost = `ghost-${randomUUID()}`;
    const lastBeat = Date.now() - 60_000;
    await redis.hSet(`${prefix}presence:user:${bob.user.id}`, ghost, '1');
    await redis.sAdd(`${prefix}presence:instance:${ghost}:users`, bob.user.id);
    await redis.zAdd(`${prefix}presence:instances`, { score: lastBeat, value: ghost });
    const offline = await next(
      watcher,
      'presence',
      (p) => p.userId === bob.user.id && p.status === 'offline',
      10_000,
    );
    expect(offline.lastSeenAt).toBe(new Date(lastBeat).toISOString());
    expect(await redis.zScore(`${prefix}presence:instances`, ghost)).toBeNull();
    expect(await redis.exists(`${prefix}presence:instance:${ghost}:users`)).toBe(0);
  });

  it('after a clean shutdown, shows offline only those who did not reconnect elsewhere', async () => {
    const c = await startTestApp({ database: a.database, env: { ...env, INSTANCE_ID: 'c' } });
    let cStopped = false;
    try {
      const [carol, dan] = await Promise.all([
        c.signIn(uniquePhone(), 'Carol'),
        c.signIn(uniquePhone(), 'Dan'),
      ]);
      const watcher = await socket(a, alice);
      for (const other of [carol, dan]) {
        await a.request('POST', '/api/v1/conversations', {
          token: alice.accessToken,
          body: { kind: 'direct', userId: other.user.id },
        });
      }
      const seen: Presence[] = [];
      watcher.on('presence', (p) => (p.userId === carol.user.id || p.userId === dan.user.id) && seen.push(p));
      const carolOnC = await connect(c.url, carol.accessToken);
      const danOnC = await connect(c.url, dan.accessToken);
      await eventually(() => seen.filter((p) => p.status === 'online').length === 2, 5000, 'both online');
      carolOnC.on('disconnect', () => {
        // Carol's client moves to another instance at once, as socket.io-client does behind a balancer.
        void socket(b, carol);
      });
      await c.close();
      cStopped = true;
      const danOffline = await next(
        watcher,
        'presence',
        (p) => p.userId === dan.user.id && p.status === 'offline',
      );
      expect(danOffline.lastSeenAt).not.toBeNull();
      await new Promise((r) => setTimeout(r, 1500));
      expect(seen.filter((p) => p.userId === carol.user.id && p.status === 'offline')).toEqual([]);
      expect(await a.app.presence.presence.isOnline(carol.user.id)).toBe(true);
      danOnC.close();
    } finally {
      if (!cStopped) await c.close();
    }
  });

  it('counts sign-in limits across instances', async () => {
    const phone = uniquePhone();
    expect((await a.request('POST', '/api/v1/auth/otp', { body: { phone } })).status).toBe(200);
    const again = await b.request('POST', '/api/v1/auth/otp', { body: { phone } });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets agents say whether they take support work, and tells their contacts', async () => {
    const agentPhone = uniquePhone();
    await a.app.identity.users.createWithRole(agentPhone, 'agent', 'Agent');
    const agent = await b.signIn(agentPhone);
    const support = await a.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'support', subject: 'help' },
    });
    const agentSocket = await socket(b, agent);
    expect(
      (
        await call(agentSocket, 'message:send', {
          conversationId: support.body.id,
          clientMsgId: 'hi',
          body: 'سلام',
        })
      ).ok,
    ).toBe(true);
    const watcher = await socket(a, alice);
    const away = next(watcher, 'presence', (p) => p.userId === agent.user.id && p.availability === 'away');
    expect(await call(agentSocket, 'presence:set', { availability: 'away' })).toEqual({ ok: true });
    expect(await away).toMatchObject({ status: 'online', availability: 'away' });
    const asked = await call<{ presences: Presence[] }>(watcher, 'presence:query', {
      userIds: [agent.user.id],
    });
    expect(asked).toMatchObject({ ok: true, presences: [{ userId: agent.user.id, availability: 'away' }] });
    expect(await call(watcher, 'presence:set', { availability: 'away' })).toMatchObject({
      ok: false,
      error: { code: 'auth/forbidden' },
    });
    // Four values now (online, busy, away, offline); anything else is refused.
    expect(await call(agentSocket, 'presence:set', { availability: 'busy' })).toEqual({ ok: true });
    // Clients of the earlier version say `available`: it is `online`.
    expect(await call(agentSocket, 'presence:set', { availability: 'available' })).toEqual({ ok: true });
    const again = await call<{ presences: Presence[] }>(watcher, 'presence:query', {
      userIds: [agent.user.id],
    });
    expect(again).toMatchObject({ ok: true, presences: [{ userId: agent.user.id, availability: 'online' }] });
    expect(await call(agentSocket, 'presence:set', { availability: 'lunch' })).toMatchObject({
      ok: false,
      error: { code: 'validation/invalid' },
    });
  });

  it('reports Redis in readiness and the cluster-wide connection count in metrics', async () => {
    for (const s of open.splice(0)) s.close();
    await Promise.all([socket(a, alice), socket(b, bob), socket(b, alice)]);
    const ready = await a.request('GET', '/health/ready');
    expect(ready.body).toMatchObject({ status: 'ready', failed: [], checks: { redis: { ok: true } } });
    await eventually(
      async () => {
        const text: string = (await a.request('GET', '/metrics')).body;
        return /^realtime_connections_cluster 3$/m.test(text) && /^realtime_connections 1$/m.test(text);
      },
      10_000,
      'cluster connection count of 3 on instance a',
    );
    expect((await b.request('GET', '/metrics')).body).toMatch(/^redis_up 1$/m);
  });
});
