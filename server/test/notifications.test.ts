import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageRepository } from '../src/modules/chat/message.repository.js';
import { storedMessagesJob } from '../src/modules/notifications/notify-message.job.js';
import { APP_INBOX_ID } from '../src/modules/support/tables.js';
import { queryRows } from '../src/platform/db/client.js';
import { LogPushProvider } from '../src/providers/push/log.provider.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { connect, eventually } from './support/sockets.js';

interface Pushed {
  deviceId: string;
  platform: string;
  title: string;
  body: string;
  badge: number;
  collapseKey: string;
  data: Record<string, string>;
}

const FCM_TOKEN = (n: number) => `fcm-token-${n}-${'x'.repeat(40)}`;

describe.each(BACKENDS)('notification pipeline on %s', (backend) => {
  let t: TestApp;
  const pushed: Pushed[] = [];
  let alice: AuthResult;
  let bob: AuthResult;
  let conversationId: string;
  let bobDevice: string;
  let tokens = 0;

  const send = (who: AuthResult, clientMsgId: string, body: string, conversation = conversationId) =>
    t.request('POST', `/api/v1/conversations/${conversation}/messages`, {
      token: who.accessToken,
      body: { clientMsgId, body },
    });
  const register = async (who: AuthResult, lang = 'fa') => {
    tokens += 1;
    const res = await t.request('POST', '/api/v1/devices', {
      token: who.accessToken,
      headers: { 'accept-language': lang },
      body: { platform: 'android', token: FCM_TOKEN(tokens) },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Notification jobs not finished yet (created, retrying or running). */
  const pendingJobs = async () => {
    const result = (await t.app.database.db.execute(
      sql`select count(*)::int as n from pgboss.job
          where name in ('notify-message', 'notify-user', 'push-send') and state in ('created', 'retry', 'active')
            and start_after <= now()`,
    )) as unknown as { rows: { n: number }[] };
    return Number(result.rows[0]?.n ?? 0);
  };
  const jobCount = async (name: string) => {
    const result = (await t.app.database.db.execute(
      sql`select count(*)::int as n from pgboss.job where name = ${name}`,
    )) as unknown as { rows: { n: number }[] };
    return Number(result.rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    const log = new LogPushProvider((line) => pushed.push(JSON.parse(line)));
    t = await startTestApp({ backend, push: { phone: log, web: log }, env: { PUSH_COLLAPSE_SECONDS: '2' } });
    [alice, bob] = await Promise.all([t.signIn(uniquePhone(), 'Alice'), t.signIn(uniquePhone(), 'Bob')]);
    conversationId = (
      await t.request('POST', '/api/v1/conversations', {
        token: alice.accessToken,
        body: { kind: 'direct', userId: bob.user.id },
      })
    ).body.id;
    bobDevice = await register(bob);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('notifies an offline member on each of their devices, in their language, with the unread badge', async () => {
    const bobPhone2 = await register(bob, 'en');
    expect((await send(alice, 'n-1', 'سلام باب، جلسه ساعت ۱۰')).status).toBe(201);
    await eventually(() => pushed.filter((p) => p.data.messageId).length >= 2, 15_000, 'two pushes');
    const first = pushed.find((p) => p.deviceId === bobDevice)!;
    expect(first).toMatchObject({
      platform: 'android',
      title: 'Alice',
      body: 'سلام باب، جلسه ساعت ۱۰',
      badge: 1,
      collapseKey: `conv:${conversationId}`,
      data: { conversationId, seq: '1', kind: 'direct', url: `/c/${conversationId}` },
    });
    expect(pushed.find((p) => p.deviceId === bobPhone2)).toMatchObject({ title: 'Alice', badge: 1 });
    // Alice sent it: she is not notified of her own message.
    expect(pushed.every((p) => p.deviceId === bobDevice || p.deviceId === bobPhone2)).toBe(true);
    await t.request('DELETE', '/api/v1/devices', { token: bob.accessToken, body: { id: bobPhone2 } });
  });

  it('collapses a burst into one notification now and one with the count at the end of the window', async () => {
    await t.request('POST', `/api/v1/conversations/${conversationId}/read`, {
      token: bob.accessToken,
      body: { seq: 1 },
    });
    pushed.length = 0;
    for (let i = 0; i < 5; i++) expect((await send(alice, `burst-${i}`, `پیام ${i}`)).status).toBe(201);
    await eventually(
      () => pushed.some((p) => p.body.startsWith('۵ پیام تازه')),
      20_000,
      'the collapsed notification',
    );
    await new Promise((r) => setTimeout(r, 2500));
    const mine = pushed.filter((p) => p.deviceId === bobDevice);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.length).toBeLessThanOrEqual(2);
    expect(mine.at(-1)).toMatchObject({ body: '۵ پیام تازه — پیام 4', badge: 5 });
  });

  it('does not notify members who are connected or who muted the conversation', async () => {
    await t.request('POST', `/api/v1/conversations/${conversationId}/read`, {
      token: bob.accessToken,
      body: { seq: 1000 },
    });
    pushed.length = 0;
    const socket = await connect(t.url, bob.accessToken);
    expect((await send(alice, 'while-online', 'you are here')).status).toBe(201);
    // The decision is made when the job runs: keep Bob connected until it has.
    await eventually(async () => (await pendingJobs()) === 0, 15_000, 'notification jobs done');
    socket.close();
    await eventually(async () => !(await t.app.presence.presence.isOnline(bob.user.id)), 5000, 'bob offline');
    try {
      const muted = await t.request('PUT', `/api/v1/conversations/${conversationId}/mute`, {
        token: bob.accessToken,
        body: { muted: true },
      });
      expect(muted).toMatchObject({ status: 200, body: { muted: true } });
      expect((await send(alice, 'while-muted', 'shh')).status).toBe(201);
      await eventually(async () => (await pendingJobs()) === 0, 15_000, 'notification jobs done');
      await new Promise((r) => setTimeout(r, 1000));
      expect(pushed).toEqual([]);
    } finally {
      await t.request('PUT', `/api/v1/conversations/${conversationId}/mute`, {
        token: bob.accessToken,
        body: { muted: false },
      });
    }
  });

  it('pushes to the browser of a connected member unless that conversation is on screen', async () => {
    await t.request('POST', `/api/v1/conversations/${conversationId}/read`, {
      token: bob.accessToken,
      body: { seq: 1000 },
    });
    const web = await t.request('POST', '/api/v1/devices', {
      token: bob.accessToken,
      body: {
        platform: 'web',
        subscription: {
          endpoint: 'http://127.0.0.1:9/push/bob',
          keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
        },
      },
    });
    expect(web.status).toBe(201);
    const socket = await connect(t.url, bob.accessToken);
    try {
      pushed.length = 0;
      expect((await send(alice, 'to-other-tab', 'در تب دیگر')).status).toBe(201);
      await eventually(() => pushed.some((p) => p.deviceId === web.body.id), 15_000, 'web push');
      // Only the browser: the phone app is connected and got it live.
      expect(pushed.filter((p) => p.deviceId === bobDevice)).toEqual([]);

      socket.emit('focus', { conversationId });
      await eventually(
        async () => (await t.app.presence.store.watching([bob.user.id], conversationId)).size === 1,
        5000,
        'focus recorded',
      );
      pushed.length = 0;
      expect((await send(alice, 'on-screen', 'روی صفحه')).status).toBe(201);
      await eventually(async () => (await pendingJobs()) === 0, 15_000, 'notification jobs done');
      await new Promise((r) => setTimeout(r, 1000));
      expect(pushed).toEqual([]);
    } finally {
      socket.close();
      await t.request('DELETE', '/api/v1/devices', { token: bob.accessToken, body: { id: web.body.id } });
    }
  });

  it('tells the agents on duty of a support conversation nobody has taken; once assigned, the assignee', async () => {
    const [agentPhone, adminPhone] = [uniquePhone(), uniquePhone()];
    await t.app.identity.users.createWithRole(agentPhone, 'agent', 'Agent');
    await t.app.identity.users.createWithRole(adminPhone, 'admin', 'Admin');
    const [agent, admin] = [await t.signIn(agentPhone), await t.signIn(adminPhone)];
    const agentDevice = await register(agent, 'en');
    const agentSocket = await connect(t.url, agent.accessToken);
    const carol = await t.signIn(uniquePhone(), 'Carol');
    const routing = (value: string) =>
      t.request('PATCH', `/api/v1/support/inboxes/${APP_INBOX_ID}`, {
        token: admin.accessToken,
        body: { routing: value },
      });
    try {
      // Agents claim by hand in this inbox: the conversation stays unassigned.
      expect((await routing('manual')).status).toBe(200);
      const support = await t.request('POST', '/api/v1/conversations', {
        token: carol.accessToken,
        body: { kind: 'support', subject: 'refund' },
      });
      pushed.length = 0;
      expect((await send(carol, 'help-1', 'I need help', support.body.id)).status).toBe(201);
      await eventually(() => pushed.some((p) => p.deviceId === agentDevice), 15_000, 'agent push');
      expect(pushed.find((p) => p.deviceId === agentDevice)).toMatchObject({
        title: 'Support request from Carol',
        body: 'I need help',
        data: { conversationId: support.body.id, queue: 'waiting' },
      });
      // Away: not on duty.
      await new Promise<void>((resolve) =>
        agentSocket.emit('presence:set', { availability: 'away' }, () => resolve()),
      );
      pushed.length = 0;
      expect((await send(carol, 'help-2', 'still there?', support.body.id)).status).toBe(201);
      await new Promise((r) => setTimeout(r, 2500));
      expect(pushed.filter((p) => p.deviceId === agentDevice)).toEqual([]);
      // Claimed: the agent is its member now, and hears of the customer as any member does.
      await new Promise<void>((resolve) =>
        agentSocket.emit('presence:set', { availability: 'online' }, () => resolve()),
      );
      const claimed = await t.request('POST', `/api/v1/support/conversations/${support.body.id}/claim`, {
        token: agent.accessToken,
      });
      expect(claimed.body).toMatchObject({ assigneeId: agent.user.id, status: 'open' });
      agentSocket.close();
      await eventually(
        async () => !(await t.app.presence.presence.isOnline(agent.user.id)),
        5000,
        'agent offline',
      );
      pushed.length = 0;
      expect((await send(carol, 'help-3', 'hello?', support.body.id)).status).toBe(201);
      await eventually(() => pushed.some((p) => p.deviceId === agentDevice), 15_000, 'assignee push');
      expect(pushed.find((p) => p.deviceId === agentDevice)).toMatchObject({
        title: 'Carol',
        body: '3 new messages — hello?',
      });
    } finally {
      agentSocket.close();
      await routing('round_robin');
    }
  });

  it("enqueues the notification in the messages' own statement: a rolled-back message leaves no job", async () => {
    const before = await jobCount('notify-message');
    const repo = new MessageRepository(t.app.database.db);
    const job = await storedMessagesJob(t.app.jobs);
    await expect(
      t.app.database.db.transaction(async (tx) => {
        const outcomes = await repo.insertBatch(
          [{ conversationId, senderId: alice.user.id, clientMsgId: 'rolled-back', body: 'never' }],
          job,
          tx,
        );
        expect(outcomes.map((o) => o.outcome)).toEqual(['stored']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await jobCount('notify-message')).toBe(before);
    // And a duplicate send (the statement stores nothing) creates no job either.
    expect((await send(alice, 'n-1', 'again')).status).toBe(200);
    expect(await jobCount('notify-message')).toBe(before);
  });

  it('one notify-message job per commit covers each stored message once; members without a device cost no job', async () => {
    const carol = await t.signIn(uniquePhone(), 'Carol'); // no device registered
    const group = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'group', title: 'batch', memberIds: [bob.user.id, carol.user.id] },
    });
    expect(group.status).toBe(201);
    await eventually(async () => (await pendingJobs()) === 0, 15_000, 'earlier jobs done');
    const jobsBefore = await jobCount('notify-message');
    pushed.length = 0;
    // Concurrent sends: the group commit stores most of them together.
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(alice, `batch-${i}`, `پیام گروهی ${i}`, group.body.id)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(201));
    const ids = replies.map((r) => r.body.id as string);
    const rows = (await t.app.database.db.execute(
      sql`select data from pgboss.job where name = 'notify-message' order by created_on desc
          limit ${(await jobCount('notify-message')) - jobsBefore}`,
    )) as unknown as { rows: { data: { messages: { messageId: string }[] } }[] };
    const referenced = rows.rows.flatMap((r) => r.data.messages.map((m) => m.messageId));
    expect(referenced.sort()).toEqual([...ids].sort());
    expect(rows.rows.length).toBeLessThanOrEqual(30);

    await eventually(() => pushed.some((p) => p.data.conversationId === group.body.id), 15_000, 'bob pushed');
    await eventually(async () => (await pendingJobs()) === 0, 15_000, 'notification jobs done');
    const notifyUsers = (await t.app.database.db.execute(
      sql`select data->>'userId' as "userId", count(*)::int as n from pgboss.job
          where name = 'notify-user' and data->>'conversationId' = ${group.body.id} group by 1`,
    )) as unknown as { rows: { userId: string; n: number }[] };
    const byUser = new Map(notifyUsers.rows.map((r) => [r.userId, r.n]));
    expect(byUser.get(bob.user.id)).toBeGreaterThanOrEqual(1);
    expect(byUser.has(carol.user.id)).toBe(false);
    expect(byUser.has(alice.user.id)).toBe(false);
  });

  it('still runs notify-message jobs of the earlier one-message shape', async () => {
    await t.request('POST', `/api/v1/conversations/${conversationId}/read`, {
      token: bob.accessToken,
      body: { seq: 1000 },
    });
    const reply = await send(alice, 'legacy-shape', 'از نسخهٔ قبل');
    expect(reply.status).toBe(201);
    await eventually(async () => (await pendingJobs()) === 0, 15_000, 'notification jobs done');
    const id = await t.app.jobs.send('notify-message', { messageId: reply.body.id, conversationId });
    const state = async () => {
      const [row] = await queryRows<{ state: string }>(
        t.app.database.db,
        sql`select state from pgboss.job where id = ${id}`,
      );
      return row?.state;
    };
    // A handler that could not read the old shape would fail it (state retry, then failed).
    await eventually(async () => (await state()) === 'completed', 15_000, 'legacy job completed');
  });

  it('registers devices: re-registering moves the token to the current user; bad input is refused', async () => {
    const token = FCM_TOKEN(999);
    const first = await t.request('POST', '/api/v1/devices', {
      token: alice.accessToken,
      body: { platform: 'ios', token },
    });
    const again = await t.request('POST', '/api/v1/devices', {
      token: bob.accessToken,
      body: { platform: 'ios', token },
    });
    expect(again.body.id).toBe(first.body.id);
    expect((await t.request('GET', '/api/v1/devices', { token: alice.accessToken })).body).toEqual([]);
    expect(Date.parse(again.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.updatedAt));
    const bad = [
      { platform: 'android' },
      { platform: 'android', token: 'short' },
      { platform: 'blackberry', token },
      { platform: 'web', subscription: { endpoint: 'not a url', keys: { p256dh: 'x', auth: 'y' } } },
    ];
    for (const body of bad) {
      const res = await t.request('POST', '/api/v1/devices', { token: bob.accessToken, body });
      expect(res.status).toBe(400);
    }
    const ssrf = await t.request('POST', '/api/v1/devices', {
      token: bob.accessToken,
      body: {
        platform: 'web',
        subscription: {
          endpoint: 'http://169.254.169.254/latest/meta-data',
          keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
        },
      },
    });
    expect(ssrf).toMatchObject({ status: 400, body: { error: { code: 'device/endpoint_not_allowed' } } });
    const notMine = await t.request('DELETE', '/api/v1/devices', {
      token: alice.accessToken,
      body: { token },
    });
    expect(notMine).toMatchObject({ status: 404, body: { error: { code: 'device/not_found' } } });
    expect(
      (await t.request('DELETE', '/api/v1/devices', { token: bob.accessToken, body: { token } })).status,
    ).toBe(204);
    expect((await t.request('GET', '/api/v1/devices')).status).toBe(401);
  });

  it('serves the VAPID public key browsers subscribe with (the development key with the log provider)', async () => {
    const res = await t.request('GET', '/api/v1/push/vapid-public-key');
    expect(res.status).toBe(200);
    expect(res.body.publicKey).toBe(t.app.config.VAPID_PUBLIC_KEY);
    expect(Buffer.from(res.body.publicKey, 'base64url')).toHaveLength(65);
  });

  it('exposes the pipeline in metrics', async () => {
    const text: string = (await t.request('GET', '/metrics')).body;
    expect(text).toMatch(/^notifications_sent_total\{provider="log",outcome="sent"\} [1-9]\d*$/m);
    expect(text).toMatch(/^job_queue_depth\{queue="push-send"\} \d+$/m);
    expect(text).toMatch(/^job_queue_oldest_seconds\{queue="notify-message"\} [\d.]+$/m);
    expect(text).toMatch(/^push_quota_used [1-9]\d*$/m);
  });
});
