import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type ClientSocket, call, connect } from './support/sockets.js';

/**
 * One user cannot deny the others: a flood of heavy events on one socket is refused beyond a
 * bound, counted per user and gated to a share of the pool, while another user's reads and sends
 * all go through; connections and devices per user are capped.
 */
describe.skipIf(!BACKENDS.includes('postgres'))(
  'fair to everyone under a flood (PostgreSQL, a small pool)',
  () => {
    let t: TestApp;
    let flooder: AuthResult;
    let other: AuthResult;
    let friend: AuthResult;
    let conversationId: string;
    const sockets: ClientSocket[] = [];

    beforeAll(async () => {
      t = await startTestApp({
        backend: 'postgres',
        env: {
          DATABASE_POOL_SIZE: '4',
          DATABASE_CONNECT_TIMEOUT_MS: '500',
          SYNC_PER_USER_MINUTE: '120',
          HISTORY_PER_USER_MINUTE: '600',
          MESSAGES_PER_USER_MINUTE: '40',
          SOCKETS_PER_USER: '3',
          DEVICES_PER_USER: '3',
          PUSH_PROVIDERS: 'log',
        },
      });
      [flooder, other, friend] = await Promise.all([
        t.signIn(uniquePhone(), 'Flood'),
        t.signIn(uniquePhone(), 'Other'),
        t.signIn(uniquePhone(), 'Friend'),
      ]);
      // The flooder is in 30 conversations with a message each: every sync reads all of them.
      for (let i = 0; i < 30; i++) {
        const group = await t.request('POST', '/api/v1/conversations', {
          token: flooder.accessToken,
          body: { kind: 'group', title: `g${i}` },
        });
        await t.request('POST', `/api/v1/conversations/${group.body.id}/messages`, {
          token: flooder.accessToken,
          body: { clientMsgId: `m${i}`, body: `message ${i}` },
        });
      }
      const direct = await t.request('POST', '/api/v1/conversations', {
        token: other.accessToken,
        body: { kind: 'direct', userId: friend.user.id },
      });
      conversationId = direct.body.id;
    });
    afterAll(async () => {
      for (const s of sockets) s.close();
      await t?.close();
    });

    it('1,000 syncs on one socket: the rest refused with rate_limited, and another user reads and sends meanwhile', async () => {
      const flood = await connect(t.url, flooder.accessToken);
      sockets.push(flood);
      const answers = Array.from({ length: 1000 }, () =>
        call<{ conversations: unknown[] }>(flood, 'sync', { since: {}, limit: 50 }, 60_000),
      );
      const reads = Array.from({ length: 60 }, () =>
        t.request('GET', `/api/v1/conversations/${conversationId}/messages?limit=5`, {
          token: other.accessToken,
        }),
      );
      const sends = Array.from({ length: 20 }, (_, i) =>
        t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
          token: other.accessToken,
          body: { clientMsgId: `during-flood-${i}`, body: `during the flood ${i}` },
        }),
      );
      const [flooded, read, sent] = await Promise.all([
        Promise.all(answers),
        Promise.all(reads),
        Promise.all(sends),
      ]);
      const outcome = (a: { ok: boolean; error?: { code: string } }) => (a.ok ? 'ok' : a.error!.code);
      const counts: Record<string, number> = {};
      for (const a of flooded) counts[outcome(a)] = (counts[outcome(a)] ?? 0) + 1;
      process.stdout.write(`fairness: flood of 1000 syncs answered ${JSON.stringify(counts)}\n`);
      // Bounded: nothing but served or refused for the rate; never the database given up on.
      expect(Object.keys(counts).sort()).toEqual(['ok', 'rate_limited']);
      expect(counts.ok).toBeLessThanOrEqual(120);
      // The other user had everything.
      expect(read.map((r) => r.status)).toEqual(Array.from({ length: 60 }, () => 200));
      expect(sent.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    });

    it('counts syncs per user, whatever socket they come from', async () => {
      const a = await connect(t.url, friend.accessToken);
      const b = await connect(t.url, friend.accessToken);
      const seen: string[] = [];
      for (let i = 0; i < 125; i++) {
        const ack = await call(i % 2 ? a : b, 'sync', { since: {}, limit: 5 });
        seen.push(ack.ok ? 'ok' : ack.error.code);
      }
      expect(seen.filter((x) => x === 'ok')).toHaveLength(120);
      expect(seen.slice(120)).toEqual(Array.from({ length: 5 }, () => 'rate_limited'));
      a.close();
      b.close();
      await new Promise((r) => setTimeout(r, 200));
    });

    it('counts a user’s sends per minute over socket and HTTP alike, and stores none it refuses', async () => {
      // `friend` has sent nothing yet: 40 a minute.
      const socket = await connect(t.url, friend.accessToken);
      const seen: string[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 44; i++) {
        const clientMsgId = `rate-${i}`;
        if (i % 2) {
          const ack = await call(socket, 'message:send', { conversationId, clientMsgId, body: `n ${i}` });
          seen.push(ack.ok ? 'ok' : ack.error.code);
        } else {
          const reply = await t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
            token: friend.accessToken,
            body: { clientMsgId, body: `n ${i}` },
          });
          seen.push(reply.status === 201 ? 'ok' : reply.body.error.code);
          if (reply.status === 429) retryAfter = reply.headers.get('retry-after');
        }
      }
      expect(seen.slice(0, 40)).toEqual(Array.from({ length: 40 }, () => 'ok'));
      expect(seen.slice(40)).toEqual(Array.from({ length: 4 }, () => 'rate_limited'));
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const history = await t.request('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, {
        token: friend.accessToken,
      });
      const mine = history.body.items.filter((m: { senderId: string }) => m.senderId === friend.user.id);
      expect(mine).toHaveLength(40);
      // The other member of the conversation sends on.
      const answer = await t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: other.accessToken,
        body: { clientMsgId: 'after-the-limit', body: 'still here' },
      });
      expect(answer.status).toBe(201);
      socket.close();
      await new Promise((r) => setTimeout(r, 200));
    });

    it('caps the connections one user holds on an instance', async () => {
      const held: ClientSocket[] = [];
      for (let i = 0; i < 3; i++) held.push(await connect(t.url, friend.accessToken));
      sockets.push(...held);
      await expect(connect(t.url, friend.accessToken)).rejects.toThrow(/rate_limited/);
      held[0]!.close();
      await new Promise((r) => setTimeout(r, 200));
      sockets.push(await connect(t.url, friend.accessToken));
    });

    it('keeps a user’s push devices within the cap, the most recently registered', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await t.request('POST', '/api/v1/devices', {
          token: other.accessToken,
          body: { platform: 'android', token: `fcm-token-${i}-${'x'.repeat(40)}` },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
        await new Promise((r) => setTimeout(r, 5));
      }
      const mine = await t.request('GET', '/api/v1/devices', { token: other.accessToken });
      expect(mine.body.map((d: { id: string }) => d.id).sort()).toEqual(ids.slice(2).sort());
    });
  },
);
