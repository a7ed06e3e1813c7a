import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { JobWithMetadata } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDeadLetters } from '../src/cli/jobs.js';
import type { DeadPushJob, PushSendJob } from '../src/modules/notifications/push-send.job.js';
import { generateVapidKeyPair, loadConfig } from '../src/platform/config.js';
import { t as texts } from '../src/platform/i18n/messages.js';
import { createLogger } from '../src/platform/logger.js';
import { FcmPushProvider } from '../src/providers/push/fcm/fcm.provider.js';
import { topicFor, WebPushProvider } from '../src/providers/push/webpush.provider.js';
import { KavenegarSmsProvider, toReceptor } from '../src/providers/sms/kavenegar.provider.js';
import { type FakeFcm, type FakeServiceAccount, startFakeFcm } from './fakes/fcm.fake.js';
import { type FakeKavenegar, startFakeKavenegar } from './fakes/kavenegar.fake.js';
import { type FakeWebPush, startFakeWebPush } from './fakes/webpush.fake.js';
import {
  type AuthResult,
  signInThrough,
  startTestApp,
  TEST_JWT_SECRET,
  type TestApp,
  uniquePhone,
} from './support/app.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';
import { capturingLogger } from './support/logs.js';
import { freePort } from './support/own-postgres.js';
import { eventually } from './support/sockets.js';

/**
 * The notification pipeline end to end with the real provider clients (FCM HTTP v1, Web Push,
 * Kavenegar) pointed at fake servers that speak the providers' wire formats, through the real
 * HTTP API and the real pg-boss workers. notifications.test.ts covers routing, collapse, mute,
 * presence, rollback and device registration with the log provider; this file covers what each
 * provider answer leads to, quota, SMS fallback, token maintenance, and crash recovery.
 *
 * On PostgreSQL only: what differs between the backends here is the job queue and the SQL under
 * it, and the PGlite side of both is run by notifications.test.ts (push-send batches, the quota
 * and outcome bookkeeping, devices), jobs.test.ts (retries, dead letters), desk-work.test.ts (the
 * SMS fallback job) and the desk's timers (delayed jobs), all on PGlite and PostgreSQL. What this
 * file adds, the providers' answers and what each one leads to, does not depend on the backend.
 */
const POSTGRES = BACKENDS.filter((b) => b === 'postgres');

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'server/bin/abrik.js');

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'abrik-push-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** The service-account key file FIREBASE_SERVICE_ACCOUNT_PATH points at. */
function writeServiceAccount(account: FakeServiceAccount | Record<string, unknown>): string {
  const path = join(tempDir(), 'service-account.json');
  writeFileSync(path, JSON.stringify(account, null, 2), { mode: 0o600 });
  return path;
}

/** An FCM registration token of the real shape (the fake refuses others as INVALID_ARGUMENT). */
const fcmToken = () =>
  `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`;

/** Records when each request reached the fake, index for index with its `requests` array. */
function stampArrivals(requests: unknown[]): number[] {
  const arrivals: number[] = [];
  const push = requests.push.bind(requests);
  requests.push = (...items: unknown[]) => {
    for (const _ of items) arrivals.push(Date.now());
    return push(...items);
  };
  return arrivals;
}

/** A sample's value in Prometheus text, 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const braces = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!braces) continue;
    const have = (braces[1] ?? '').split(/,(?=\w+=")/).filter(Boolean);
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(braces[2]);
  }
  return 0;
}

const today = () => new Date().toISOString().slice(0, 10);

interface Recipient {
  auth: AuthResult;
  conversationId: string;
}

/** What every app of this file shares: sign-in, conversations, devices, jobs, metrics. */
function harness(get: () => TestApp, codeOf: (phone: string) => string | undefined) {
  const h = {
    async signIn(name: string, phone = uniquePhone()): Promise<AuthResult> {
      return signInThrough(get().request, async () => codeOf(phone), phone, name);
    },
    async direct(from: AuthResult, to: AuthResult): Promise<string> {
      const res = await get().request('POST', '/api/v1/conversations', {
        token: from.accessToken,
        body: { kind: 'direct', userId: to.user.id },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    async recipient(from: AuthResult, name: string): Promise<Recipient> {
      const auth = await h.signIn(name);
      return { auth, conversationId: await h.direct(from, auth) };
    },
    async send(from: AuthResult, conversationId: string, body: string) {
      const res = await get().request('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: from.accessToken,
        body: { clientMsgId: randomBytes(8).toString('hex'), body },
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; seq: number };
    },
    async android(who: AuthResult, token: string): Promise<string> {
      const res = await get().request('POST', '/api/v1/devices', {
        token: who.accessToken,
        body: { platform: 'android', token },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    async devices(who: AuthResult): Promise<{ id: string; platform: string }[]> {
      const res = await get().request('GET', '/api/v1/devices', { token: who.accessToken });
      expect(res.status).toBe(200);
      return res.body;
    },
    /** Every push-send job (first tries, retries) for one device, oldest first. */
    async pushJobs(deviceId: string): Promise<JobWithMetadata<PushSendJob>[]> {
      return get().app.jobs.find('push-send', { data: { deviceId } });
    },
    /** Waits until the device has `count` push-send jobs and all of them are settled. */
    async settled(deviceId: string, count: number, timeoutMs = 20_000) {
      await eventually(
        async () => {
          const jobs = await h.pushJobs(deviceId);
          return jobs.length >= count && jobs.every((j) => j.state === 'completed' || j.state === 'failed');
        },
        timeoutMs,
        `${count} settled push job(s) for device ${deviceId}`,
      );
      return h.pushJobs(deviceId);
    },
    async deadLetters(): Promise<JobWithMetadata<DeadPushJob>[]> {
      return get().app.jobs.find('push-dead', { queued: true });
    },
    async metrics(): Promise<string> {
      const res = await get().request('GET', '/metrics');
      expect(res.status).toBe(200);
      return res.body as string;
    },
    async query<T>(statement: ReturnType<typeof sql>): Promise<T[]> {
      const result = (await get().app.database.db.execute(statement)) as unknown as { rows: T[] };
      return result.rows;
    },
  };
  return h;
}

describe.each(POSTGRES)('push pipeline with the real providers on %s', (backend) => {
  let fcm: FakeFcm;
  let web: FakeWebPush;
  let kavenegar: FakeKavenegar;
  let t: TestApp;
  let alice: AuthResult;
  let fcmArrivals: number[];
  const providerLogs: string[] = [];
  /** Moves the app's clock (circuit, quota day, tokens) without touching pg-boss or the fakes. */
  let clockOffsetMs = 0;
  const h = harness(
    () => t,
    (phone) => kavenegar.lastOtp(toReceptor(phone)!),
  );
  const sends = () => fcm.requests.filter((r) => r.kind === 'send');

  beforeAll(async () => {
    [fcm, web, kavenegar] = await Promise.all([startFakeFcm(), startFakeWebPush(), startFakeKavenegar()]);
    fcmArrivals = stampArrivals(fcm.requests);
    const vapid = generateVapidKeyPair();
    // The provider clients are built before the app and its logger.
    const { logger } = capturingLogger(providerLogs);
    t = await startTestApp({
      backend,
      env: {
        PUSH_PROVIDERS: 'fcm,webpush',
        FIREBASE_SERVICE_ACCOUNT_PATH: writeServiceAccount(fcm.serviceAccount),
        FCM_BASE_URL: fcm.url,
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        PUSH_MAX_ATTEMPTS: '2',
        SMS_PROVIDER: 'kavenegar',
        KAVENEGAR_API_KEY: kavenegar.apiKey,
        KAVENEGAR_BASE_URL: kavenegar.url,
        SMS_FALLBACK_MINUTES: '0.05',
        SMS_DAILY_CAP: '1',
      },
      push: {
        phone: new FcmPushProvider({ serviceAccount: fcm.serviceAccount, baseUrl: fcm.url, logger }),
        web: new WebPushProvider({ vapid: { ...vapid, subject: 'mailto:ops@abrik.test' }, logger }),
      },
      sms: new KavenegarSmsProvider({
        apiKey: kavenegar.apiKey,
        baseUrl: kavenegar.url,
        otpTemplate: 'abrik-otp',
        timeoutMs: 5000,
        logger,
      }),
      now: () => Date.now() + clockOffsetMs,
    });
    alice = await h.signIn('Alice');
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([fcm?.close(), web?.close(), kavenegar?.close()]);
  });

  it('FCM: an offline member gets exactly one FCM v1 message with title, body, collapse key and badge', async () => {
    const bob = await h.recipient(alice, 'Bob');
    const token = fcmToken();
    const deviceId = await h.android(bob.auth, token);
    const before = sends().length;
    const message = await h.send(alice, bob.conversationId, 'سلام باب، جلسه ساعت ۱۰');

    const jobs = await h.settled(deviceId, 1);
    expect(jobs).toHaveLength(1);
    expect(
      sends()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([200]);
    const got = fcm.messages.filter((m) => m.token === token);
    expect(got).toHaveLength(1);
    const collapse = `conv:${bob.conversationId}`;
    expect(got[0]!.project).toBe(fcm.serviceAccount.project_id);
    expect(got[0]!.message).toMatchObject({
      token,
      notification: { title: 'Alice', body: 'سلام باب، جلسه ساعت ۱۰' },
      data: {
        conversationId: bob.conversationId,
        messageId: message.id,
        seq: String(message.seq),
        kind: 'direct',
        url: `/c/${bob.conversationId}`,
        badge: '1',
      },
      android: {
        priority: 'HIGH',
        collapse_key: collapse,
        notification: { tag: collapse, notification_count: 1 },
      },
      apns: {
        headers: { 'apns-priority': '10', 'apns-collapse-id': collapse },
        payload: { aps: { badge: 1, 'thread-id': collapse } },
      },
    });
    // The device stays; the quota counts the send.
    expect((await h.devices(bob.auth)).map((d) => d.id)).toEqual([deviceId]);
    expect(sample(await h.metrics(), 'notifications_sent_total', { provider: 'fcm', outcome: 'sent' })).toBe(
      1,
    );
    // The quota is written in batches: within a second.
    await eventually(
      async () => sample(await h.metrics(), 'push_quota_used') === 1,
      5000,
      'push_quota_used 1',
    );
  });

  it('FCM: UNREGISTERED (404) and an INVALID_ARGUMENT token delete the device at once, with no retry', async () => {
    const cases = [
      { name: 'Carol', token: fcmToken(), reason: '404 UNREGISTERED', status: 404 },
      // Not the shape of a registration token: the fake answers as FCM does, 400 INVALID_ARGUMENT.
      {
        name: 'Dan',
        token: `not-a-registration-token-${randomBytes(12).toString('hex')}`,
        reason: '400 INVALID_ARGUMENT (registration token)',
        status: 400,
      },
    ];
    for (const c of cases) {
      const who = await h.recipient(alice, c.name);
      const deviceId = await h.android(who.auth, c.token);
      if (c.status === 404) fcm.unregister(c.token);
      const before = sends().length;
      const removedBefore = sample(await h.metrics(), 'push_tokens_removed_total', { reason: c.reason });
      await h.send(alice, who.conversationId, `for ${c.name}`);

      const jobs = await h.settled(deviceId, 1);
      // One job, one attempt, one request: nothing was retried.
      expect(jobs.map((j) => [j.state, j.retryCount, j.data.attempt])).toEqual([['completed', 0, 1]]);
      expect(
        sends()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([c.status]);
      expect(await h.devices(who.auth)).toEqual([]);
      expect(fcm.messages.some((m) => m.token === c.token)).toBe(false);
      const text = await h.metrics();
      expect(sample(text, 'push_tokens_removed_total', { reason: c.reason })).toBe(removedBefore + 1);
      expect((await h.deadLetters()).filter((d) => d.data.deviceId === deviceId)).toEqual([]);
    }
    const text = await h.metrics();
    expect(sample(text, 'notifications_sent_total', { provider: 'fcm', outcome: 'invalid_token' })).toBe(2);
  });

  it('FCM: 503 UNAVAILABLE is retried after Retry-After and delivered once; kept failing, it is dead-lettered', async () => {
    const erin = await h.recipient(alice, 'Erin');
    const token = fcmToken();
    const deviceId = await h.android(erin.auth, token);
    // Retry-After 3 s is longer than the first backoff (1–2 s), so only honouring it explains a
    // gap of 3 s or more.
    fcm.failNext('UNAVAILABLE', 1, { retryAfter: '3' });
    const before = sends().length;
    const beforeIndex = fcm.requests.length;
    await h.send(alice, erin.conversationId, 'are you there?');

    const jobs = await h.settled(deviceId, 2);
    expect(jobs.map((j) => [j.state, j.data.attempt])).toEqual([
      ['completed', 1],
      ['completed', 2],
    ]);
    expect(
      sends()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([503, 200]);
    expect(fcm.messages.filter((m) => m.token === token)).toHaveLength(1);
    const sendIndexes = fcm.requests
      .map((r, i) => ({ r, i }))
      .filter(({ r, i }) => r.kind === 'send' && i >= beforeIndex)
      .map(({ i }) => i);
    const gap = fcmArrivals[sendIndexes[1]!]! - fcmArrivals[sendIndexes[0]!]!;
    expect(gap).toBeGreaterThanOrEqual(2900);

    // 429 QUOTA_EXCEEDED and 500 INTERNAL are retried the same way: one message each in the end.
    const pair = [await h.recipient(alice, 'Kim'), await h.recipient(alice, 'Lee')];
    const pairTokens = [fcmToken(), fcmToken()];
    const pairDevices = [
      await h.android(pair[0]!.auth, pairTokens[0]!),
      await h.android(pair[1]!.auth, pairTokens[1]!),
    ];
    fcm.failNext('QUOTA_EXCEEDED', 1, { retryAfter: '1' });
    fcm.failNext('INTERNAL');
    const beforePair = sends().length;
    await Promise.all(pair.map((p) => h.send(alice, p.conversationId, 'busy?')));
    for (const device of pairDevices) {
      expect((await h.settled(device, 2)).map((j) => j.data.attempt)).toEqual([1, 2]);
    }
    expect(
      sends()
        .slice(beforePair)
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 200, 429, 500]);
    for (const token of pairTokens) expect(fcm.messages.filter((m) => m.token === token)).toHaveLength(1);

    // PUSH_MAX_ATTEMPTS=2: two 503s in a row and the push lands in the dead-letter queue.
    const frank = await h.recipient(alice, 'Frank');
    const frankToken = fcmToken();
    const frankDevice = await h.android(frank.auth, frankToken);
    fcm.failNext('UNAVAILABLE', 2);
    const beforeFrank = sends().length;
    await h.send(alice, frank.conversationId, 'still there?');
    await eventually(
      async () => (await h.deadLetters()).some((d) => d.data.deviceId === frankDevice),
      20_000,
      'the dead letter',
    );
    const dead = (await h.deadLetters()).filter((d) => d.data.deviceId === frankDevice);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.data).toMatchObject({
      deviceId: frankDevice,
      provider: 'fcm',
      attempt: 2,
      reason: 'gave up after 2 attempts: 503 UNAVAILABLE',
      message: { title: 'Alice', body: 'still there?' },
    });
    const frankJobs = await h.settled(frankDevice, 2);
    expect(frankJobs.map((j) => j.data.attempt)).toEqual([1, 2]);
    expect(
      sends()
        .slice(beforeFrank)
        .map((r) => r.status),
    ).toEqual([503, 503]);
    expect(fcm.messages.some((m) => m.token === frankToken)).toBe(false);
    // A transient failure never costs the device.
    expect((await h.devices(frank.auth)).map((d) => d.id)).toEqual([frankDevice]);
  });

  it('Web Push: the encrypted payload carries title, body, badge and tag; 429 is retried; 410 Gone deletes the subscription', async () => {
    const key = await t.request('GET', '/api/v1/push/vapid-public-key');
    expect(key.status).toBe(200);
    const grace = await h.recipient(alice, 'Grace');
    // Subscribed with the server's key, as PushManager.subscribe does: the fake then checks that
    // the VAPID token is signed by exactly that key.
    const subscription = web.subscribe({ applicationServerKey: key.body.publicKey });
    const registered = await t.request('POST', '/api/v1/devices', {
      token: grace.auth.accessToken,
      body: { platform: 'web', subscription },
    });
    expect(registered.status).toBe(201);
    const deviceId = registered.body.id as string;
    const id = subscription.endpoint.split('/').at(-1)!;
    const mine = () => web.requests.filter((r) => r.id === id).length;

    const message = await h.send(alice, grace.conversationId, 'یک پیام برای مرورگر');
    await h.settled(deviceId, 1);
    const received = web.received.filter((r) => r.id === id);
    expect(received).toHaveLength(1);
    const collapse = `conv:${grace.conversationId}`;
    expect(received[0]!.payload).toEqual({
      title: 'Alice',
      body: 'یک پیام برای مرورگر',
      badge: 1,
      tag: collapse,
      url: `/c/${grace.conversationId}`,
      data: {
        conversationId: grace.conversationId,
        messageId: message.id,
        seq: String(message.seq),
        kind: 'direct',
        url: `/c/${grace.conversationId}`,
      },
    });
    expect(received[0]!.headers).toMatchObject({ topic: topicFor(collapse), urgency: 'high', ttl: '86400' });
    expect(received[0]!.vapid.claims).toMatchObject({ aud: web.url, sub: 'mailto:ops@abrik.test' });

    // 429 with Retry-After: retried, delivered once more (the second message), not lost.
    web.failNext(429, { retryAfter: 1 });
    await h.send(alice, grace.conversationId, 'دومی');
    await h.settled(deviceId, 3);
    expect(mine()).toBe(3);
    expect(web.received.filter((r) => r.id === id).map((r) => (r.payload as { body: string }).body)).toEqual([
      'یک پیام برای مرورگر',
      '۲ پیام تازه — دومی',
    ]);

    web.expire(subscription);
    await h.send(alice, grace.conversationId, 'سومی');
    const jobs = await h.settled(deviceId, 4);
    expect(jobs.at(-1)).toMatchObject({ state: 'completed', retryCount: 0, data: { attempt: 1 } });
    expect(mine()).toBe(4);
    expect(web.rejected.filter((r) => r.id === id).map((r) => r.status)).toEqual([410]);
    expect(await h.devices(grace.auth)).toEqual([]);
    const text = await h.metrics();
    expect(
      sample(text, 'push_tokens_removed_total', {
        reason: 'push service answered 410: subscription expired',
      }),
    ).toBe(1);
    expect(sample(text, 'notifications_sent_total', { provider: 'webpush', outcome: 'sent' })).toBe(2);
    expect(sample(text, 'notifications_sent_total', { provider: 'webpush', outcome: 'retry' })).toBe(1);
  });

  it('tokens: devices not refreshed for 31 days are counted stale, for 91 days purged, by the scheduled maintenance job', async () => {
    expect(await t.app.jobs.schedules('device-tokens')).toEqual([{ cron: '17 3 * * *', data: {} }]);
    expect(await t.app.jobs.schedules('auth-purge')).toEqual([{ cron: '7 * * * *', data: {} }]);
    // The string-dispatched queue of earlier versions is gone with its schedules.
    expect(await h.query(sql`select name from pgboss.queue where name = 'maintenance'`)).toEqual([]);

    const hana = await h.signIn('Hana');
    const fresh = await h.android(hana, fcmToken());
    const stale = await h.android(hana, fcmToken());
    const oldDevice = await h.android(hana, fcmToken());
    await h.query(sql`update devices set updated_at = now() - interval '31 days' where id = ${stale}`);
    await h.query(sql`update devices set updated_at = now() - interval '91 days' where id = ${oldDevice}`);
    // Other tests' devices were all refreshed today: only these two are stale.
    const removedBefore = sample(await h.metrics(), 'push_tokens_removed_total', { reason: 'stale' });

    // What the daily schedule enqueues, run by the worker with PUSH_TOKEN_STALE_DAYS / PURGE_DAYS (30 / 90).
    await t.app.jobs.send('device-tokens', {});
    await eventually(
      async () => !(await h.devices(hana)).some((d) => d.id === oldDevice),
      15_000,
      'the purge',
    );
    expect((await h.devices(hana)).map((d) => d.id).sort()).toEqual([fresh, stale].sort());
    const text = await h.metrics();
    expect(sample(text, 'push_tokens_stale')).toBe(2);
    expect(sample(text, 'push_tokens_removed_total', { reason: 'stale' })).toBe(removedBefore + 1);
    // Run again directly: the stale one is still reported, nothing is left to purge.
    expect(await t.app.notifications.devices.maintainTokens()).toEqual({ stale: 1, purged: 0 });
  });

  it('SMS fallback: a customer without push who has not read the reply gets one SMS; read in time, none; over the daily cap, none', async () => {
    const agentPhone = uniquePhone();
    await t.app.identity.users.createWithRole(agentPhone, 'agent', 'Agent');
    const agent = await h.signIn('Agent', agentPhone);
    const smsSends = () => kavenegar.requests.filter((r) => r.path === 'sms/send');
    const open = async (customer: AuthResult) => {
      const res = await t.request('POST', '/api/v1/conversations', {
        token: customer.accessToken,
        body: { kind: 'support', subject: 'سفارش نرسید' },
      });
      expect(res.status).toBe(201);
      const id = res.body.id as string;
      await h.send(customer, id, 'سفارش من کجاست؟');
      return id;
    };
    const outcome = async (name: string) => sample(await h.metrics(), 'sms_sent_total', { outcome: name });
    const customerPhone = uniquePhone();
    const unluckyPhone = uniquePhone();
    const [customer, reader, unlucky] = [
      await h.signIn('Customer', customerPhone),
      await h.signIn('Reader'),
      await h.signIn('Unlucky', unluckyPhone),
    ];
    const [ticket, readerTicket, unluckyTicket] = [
      await open(customer),
      await open(reader),
      await open(unlucky),
    ];
    const before = smsSends().length;

    // The customer has no device and never reads: one SMS, though the agent replied twice. The
    // reader reads the reply before SMS_FALLBACK_MINUTES (3 s) is up: no SMS.
    await h.send(agent, ticket, 'در حال بررسی است');
    await h.send(agent, ticket, 'ارسال شد، کد رهگیری ۱۲۳');
    const reply = await h.send(agent, readerTicket, 'پاسخ شما');
    const read = await t.request('POST', `/api/v1/conversations/${readerTicket}/read`, {
      token: reader.accessToken,
      body: { seq: reply.seq },
    });
    expect(read.status).toBeLessThan(300);
    await eventually(
      async () => (await outcome('sent')) === 1 && (await outcome('read')) === 1,
      15_000,
      'the fallback SMS and the read one',
    );
    // One SMS job for the burst, not one per reply (so nothing else is still to come).
    expect(await t.app.jobs.find('sms-fallback', { data: { userId: customer.user.id } })).toHaveLength(1);
    const sms = smsSends().slice(before);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.apiKey).toBe(kavenegar.apiKey);
    expect(sms[0]!.params).toMatchObject({
      receptor: toReceptor(customerPhone),
      message: texts('fa').supportReplySms(),
    });
    expect(sms[0]!.params.receptor).toMatch(/^09\d{9}$/);
    expect(await outcome('capped')).toBe(0);

    // SMS_DAILY_CAP=1: the customer's next unread reply the same day is not sent. Kavenegar
    // failing once (502) for another customer is retried, and the failed try does not use up
    // that customer's cap.
    await h.send(agent, ticket, 'لطفا تایید کنید');
    kavenegar.failNext(502);
    await h.send(agent, unluckyTicket, 'پاسخ');
    await eventually(
      async () => (await outcome('capped')) === 1 && (await outcome('sent')) === 2,
      20_000,
      'the capped fallback and the retried one',
    );
    expect(await outcome('retry')).toBe(1);
    expect(
      smsSends()
        .slice(before + 1)
        .map((r) => r.params.receptor),
    ).toEqual([toReceptor(unluckyPhone), toReceptor(unluckyPhone)]);
    expect(await outcome('read')).toBe(1);
  });

  // Last: the open circuit stays open in this app for five minutes.
  it('FCM: SENDER_ID_MISMATCH dead-letters and trips the circuit: the next push does not reach FCM until five minutes on', async () => {
    const ivan = await h.recipient(alice, 'Ivan');
    const ivanDevice = await h.android(ivan.auth, fcmToken());
    const judy = await h.recipient(alice, 'Judy');
    const judyToken = fcmToken();
    const judyDevice = await h.android(judy.auth, judyToken);
    fcm.failNext('SENDER_ID_MISMATCH');
    const before = sends().length;
    await h.send(alice, ivan.conversationId, 'mismatch');
    await h.settled(ivanDevice, 1);
    expect(
      sends()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([403]);

    await h.send(alice, judy.conversationId, 'circuit');
    await h.settled(judyDevice, 1);
    // No request for Judy: the circuit held it back.
    expect(sends().length).toBe(before + 1);
    expect(fcm.messages.some((m) => m.token === judyToken)).toBe(false);

    const dead = (await h.deadLetters()).filter((d) => [ivanDevice, judyDevice].includes(d.data.deviceId));
    expect(dead.map((d) => [d.data.deviceId, d.data.reason]).sort()).toEqual(
      [
        [ivanDevice, '403 SENDER_ID_MISMATCH'],
        [judyDevice, 'circuit_open'],
      ].sort(),
    );
    // Both devices are kept: the credentials are wrong, not the tokens.
    expect((await h.devices(ivan.auth)).length).toBe(1);
    expect((await h.devices(judy.auth)).length).toBe(1);
    const text = await h.metrics();
    expect(sample(text, 'notifications_sent_total', { provider: 'fcm', outcome: 'auth_error' })).toBe(1);
    expect(sample(text, 'notifications_sent_total', { provider: 'fcm', outcome: 'circuit_open' })).toBe(1);
    const errors = [...providerLogs, ...t.logs]
      .map((line) => JSON.parse(line) as { level: string; component?: string; msg: string })
      .filter((l) => l.level === 'error');
    expect(errors.filter((l) => l.component === 'push.fcm' && /SENDER_ID_MISMATCH/.test(l.msg))).toHaveLength(
      1,
    );
    expect(errors.filter((l) => l.component === 'jobs' && /circuit open/.test(l.msg))).toHaveLength(1);

    // Five minutes on (the app's clock), the circuit closes by itself: the next push goes out.
    clockOffsetMs = 301_000;
    await h.send(alice, judy.conversationId, 'circuit closed');
    await h.settled(judyDevice, 2);
    expect(
      sends()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([403, 200]);
    expect(fcm.messages.filter((m) => m.token === judyToken).map((m) => m.message.notification)).toEqual([
      { title: 'Alice', body: '۲ پیام تازه — circuit closed' },
    ]);
  });
});

describe.each(POSTGRES)('daily push quota on %s', (backend) => {
  let fcm: FakeFcm;
  let t: TestApp;
  const h = harness(
    () => t,
    (phone) => t.lastCode(phone),
  );

  beforeAll(async () => {
    fcm = await startFakeFcm();
    t = await startTestApp({
      backend,
      env: {
        PUSH_PROVIDERS: 'fcm',
        FIREBASE_SERVICE_ACCOUNT_PATH: writeServiceAccount(fcm.serviceAccount),
        FCM_BASE_URL: fcm.url,
        PUSH_DAILY_LIMIT: '10',
      },
      push: {
        phone: new FcmPushProvider({
          serviceAccount: fcm.serviceAccount,
          baseUrl: fcm.url,
          logger: createLogger({ level: 'silent' }),
        }),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fcm?.close();
  });

  it('warns at 80 %, stops chat at 90 % while support replies still go, and stops everything at 100 %', async () => {
    const agentPhone = uniquePhone();
    await t.app.identity.users.createWithRole(agentPhone, 'agent', 'Agent');
    const [alice, customer, agent] = [
      await h.signIn('Alice'),
      await h.signIn('Customer'),
      await h.signIn('Agent', agentPhone),
    ];
    const chat = await h.direct(alice, customer);
    const opened = await t.request('POST', '/api/v1/conversations', {
      token: customer.accessToken,
      body: { kind: 'support', subject: 'quota' },
    });
    expect(opened.status).toBe(201);
    const ticket = opened.body.id as string;
    await h.send(customer, ticket, 'help');
    const token = fcmToken();
    const deviceId = await h.android(customer, token);
    // As if other instances had sent that many today. The guard may go by a quota read up to half
    // a second old (notification.service.ts batches its bookkeeping): wait that out.
    const setQuota = async (used: number) => {
      await h.query(sql`insert into push_quota (day, used) values (${today()}, ${used})
                  on conflict (day) do update set used = ${used}`);
      await new Promise((r) => setTimeout(r, 1000));
    };
    const used = async () =>
      Number(
        (await h.query<{ used: number }>(sql`select used from push_quota where day = ${today()}`))[0]?.used,
      );
    const skipped = async () =>
      sample(await h.metrics(), 'notifications_sent_total', { provider: 'fcm', outcome: 'quota_skipped' });
    let jobs = 0;
    const push = async (from: AuthResult, conversationId: string, body: string) => {
      await h.send(from, conversationId, body);
      jobs += 1;
      await h.settled(deviceId, jobs);
    };
    const warnings = () => t.logs.filter((l) => l.includes('push quota 80 % used today')).length;
    const usedBecomes = (n: number) =>
      eventually(async () => (await used()) === n, 5000, `push_quota today = ${n}`);

    // 7 of 10 used: a chat push goes out and brings the day to 8 = 80 %: one warning.
    await setQuota(7);
    await push(alice, chat, 'chat at 70 %');
    expect(fcm.messages.map((m) => m.message.notification)).toEqual([
      { title: 'Alice', body: 'chat at 70 %' },
    ]);
    await usedBecomes(8);
    await eventually(() => warnings() === 1, 5000, 'the 80 % warning');

    // 9 of 10 (90 %): chat yields, the support reply still goes.
    await setQuota(9);
    await push(alice, chat, 'chat at 90 %');
    expect(await skipped()).toBe(1);
    expect(fcm.messages).toHaveLength(1);
    await push(agent, ticket, 'support at 90 %');
    expect(fcm.messages.map((m) => (m.message.notification as { body: string }).body)).toEqual([
      'chat at 70 %',
      'support at 90 %',
    ]);
    await usedBecomes(10);

    // 10 of 10: nothing goes, support included.
    await push(agent, ticket, 'support at 100 %');
    await push(alice, chat, 'chat at 100 %');
    expect(await skipped()).toBe(3);
    expect(fcm.messages).toHaveLength(2);
    expect(fcm.requests.filter((r) => r.kind === 'send')).toHaveLength(2);
    expect(await used()).toBe(10);
    expect(warnings()).toBe(1);
    expect(sample(await h.metrics(), 'push_quota_used')).toBe(10);
  });
});

// ---- real processes on PostgreSQL ------------------------------------------------------------

interface Worker {
  child: ChildProcess;
  output: string[];
  port: number;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function abrik(args: string[], env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  children.add(child);
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  return { child, output };
}

/** Runs a short CLI command to its end. */
async function runAbrik(args: string[], env: Record<string, string>) {
  const { child, output } = abrik(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const { code } = await exitOf(child);
  clearTimeout(timer);
  return { code, output: output.join('') };
}

describe.each(POSTGRES)('crash recovery, replay and doctor on %s', () => {
  let fcm: FakeFcm;
  let database: TestDatabase;
  let api: TestApp;
  let env: Record<string, string>;
  const workers: Worker[] = [];
  const h = harness(
    () => api,
    (phone) => api.lastCode(phone),
  );

  const startWorker = async (): Promise<Worker> => {
    const port = await freePort();
    const { child, output } = abrik(['worker'], { ...env, PORT: String(port) });
    const worker = { child, output, port };
    workers.push(worker);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited: ${output.join('')}`);
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return res?.status === 200;
      },
      30_000,
      'the worker process to listen',
    );
    return worker;
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'server/dist/cli/main.js'))) {
      throw new Error('server/dist is missing: run `npm run build` before this suite');
    }
    fcm = await startFakeFcm();
    database = await createTestDatabase('postgres');
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url!,
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: tempDir(),
      LOG_LEVEL: 'info',
      PUSH_PROVIDERS: 'fcm',
      FIREBASE_SERVICE_ACCOUNT_PATH: writeServiceAccount(fcm.serviceAccount),
      FCM_BASE_URL: fcm.url,
      PUSH_COLLAPSE_SECONDS: '0',
      // A lost job is found and run again within 15–30 s, not 60–120 s.
      JOBS_EXPIRE_SECONDS: '15',
    };
    // The API alone (WORKERS=false): it stores messages and enqueues their jobs; workers send.
    api = await startTestApp({
      database,
      env: {
        WORKERS: 'false',
        PUSH_PROVIDERS: env.PUSH_PROVIDERS!,
        FIREBASE_SERVICE_ACCOUNT_PATH: env.FIREBASE_SERVICE_ACCOUNT_PATH!,
        FCM_BASE_URL: fcm.url,
        JOBS_EXPIRE_SECONDS: env.JOBS_EXPIRE_SECONDS!,
      },
    });
  });
  /** Kills what an earlier test left running (when it failed before stopping its workers). */
  const killWorkers = async () => {
    for (const { child } of workers) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = exitOf(child);
        child.kill('SIGKILL');
        await exited;
      }
    }
  };

  afterAll(async () => {
    await killWorkers();
    await api?.close();
    await fcm?.close();
    await database?.drop();
  });

  it('a worker killed mid-send: after restart the job runs again, and each device gets exactly one notification', async () => {
    const alice = await h.signIn('Alice');
    const bob = await h.recipient(alice, 'Bob');
    const tokens = [fcmToken(), fcmToken()];
    const devices = [await h.android(bob.auth, tokens[0]!), await h.android(bob.auth, tokens[1]!)];
    const first = await startWorker();

    fcm.hangNext();
    await h.send(alice, bob.conversationId, 'survives a crash');
    // One send hangs (the fake never answers it), the other is delivered.
    await eventually(
      () => fcm.requests.filter((r) => r.kind === 'send').length === 2 && fcm.messages.length === 1,
      20_000,
      'one push delivered and one hanging',
    );
    expect(
      fcm.requests
        .filter((r) => r.kind === 'send')
        .map((r) => r.status)
        .sort(),
    ).toEqual([0, 200]);
    const delivered = fcm.messages[0]!.token;
    const deliveredDevice = devices[tokens.indexOf(delivered)]!;
    const hung = devices.find((d) => d !== deliveredDevice)!;
    // The delivered push's job must be settled while the other send still hangs (FCM's 10 s
    // timeout is far off): a job completed only with the rest of its batch would be sent again
    // after the crash below.
    await eventually(
      async () => (await h.pushJobs(deliveredDevice))[0]?.state === 'completed',
      5000,
      'the delivered push to be completed while another send hangs',
    );
    expect((await h.pushJobs(hung)).map((j) => j.state)).toEqual(['active']);

    first.child.kill('SIGKILL');
    expect((await exitOf(first.child)).signal).toBe('SIGKILL');
    await startWorker();

    await eventually(() => fcm.messages.length >= 2, 60_000, 'the lost push to be sent again');
    const jobs = await h.settled(hung, 1);
    expect(jobs).toHaveLength(1);
    // The same job, claimed a second time after it expired: not a new one.
    expect(jobs[0]).toMatchObject({ state: 'completed', retryCount: 1 });
    const other = await h.pushJobs(devices.find((d) => d !== hung)!);
    expect(other).toMatchObject([{ state: 'completed', retryCount: 0 }]);
    // Nothing else is waiting to run.
    const pending = await h.query<{ name: string; state: string }>(
      sql`select name, state from pgboss.job where state in ('created', 'retry', 'active') and name not in ('auth-purge', 'device-tokens', 'support-sweep')
            and name not like '\\_\\_pgboss\\_\\_%'`,
    );
    // (pg-boss's own scheduler jobs, __pgboss__send-it, come and go with the cron schedules.)
    expect(pending).toEqual([]);
    expect(fcm.messages.map((m) => m.token).sort()).toEqual([...tokens].sort());
    expect(fcm.messages.filter((m) => m.token === delivered)).toHaveLength(1);
    expect(
      fcm.requests
        .filter((r) => r.kind === 'send')
        .map((r) => r.status)
        .sort(),
    ).toEqual([0, 200, 200]);

    // Stopped cleanly: the next test runs its own workers.
    const second = workers.at(-1)!;
    second.child.kill('SIGTERM');
    expect(await exitOf(second.child)).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('dead letters replayed after a restart are sent by a process whose circuit is closed', async () => {
    await killWorkers();
    const appEnv = {
      PUSH_PROVIDERS: 'fcm',
      FIREBASE_SERVICE_ACCOUNT_PATH: env.FIREBASE_SERVICE_ACCOUNT_PATH!,
      FCM_BASE_URL: fcm.url,
      JOBS_EXPIRE_SECONDS: env.JOBS_EXPIRE_SECONDS!,
    };
    const withWorkers = () =>
      startTestApp({
        database,
        env: appEnv,
        push: {
          phone: new FcmPushProvider({
            serviceAccount: fcm.serviceAccount,
            baseUrl: fcm.url,
            logger: createLogger({ level: 'silent' }),
          }),
        },
      });
    const alice = await h.signIn('Alice');
    const ivan = await h.recipient(alice, 'Ivan');
    const judy = await h.recipient(alice, 'Judy');
    const tokens = [fcmToken(), fcmToken()];
    const devices = [await h.android(ivan.auth, tokens[0]!), await h.android(judy.auth, tokens[1]!)];
    const sendsBefore = fcm.requests.filter((r) => r.kind === 'send').length;
    const messagesBefore = fcm.messages.length;

    const first = await withWorkers();
    try {
      // APNs refused the project's APNs key (FCM 401 THIRD_PARTY_AUTH_ERROR): credentials, not the token.
      fcm.failNext('THIRD_PARTY_AUTH_ERROR');
      await h.send(alice, ivan.conversationId, 'refused');
      await h.settled(devices[0]!, 1);
      await h.send(alice, judy.conversationId, 'held back');
      await h.settled(devices[1]!, 1);
    } finally {
      await first.close();
    }
    expect(fcm.requests.filter((r) => r.kind === 'send').length).toBe(sendsBefore + 1);
    const dead = await h.deadLetters();
    expect(dead.map((d) => [d.data.deviceId, d.data.reason]).sort()).toEqual(
      [
        [devices[0], '401 THIRD_PARTY_AUTH_ERROR'],
        [devices[1], 'circuit_open'],
      ].sort(),
    );

    // The operator fixed the credentials and restarted; now `abrik jobs dead-letter replay --all`.
    const config = loadConfig({ ...env, PORT: '0' });
    expect(await replayDeadLetters(config, 'all')).toBe(2);
    expect(await h.deadLetters()).toEqual([]);
    for (const device of devices) {
      const waiting = (await h.pushJobs(device)).filter((j) => j.state === 'created');
      expect(waiting.map((j) => j.data.attempt)).toEqual([1]);
    }

    const second = await withWorkers();
    try {
      for (const device of devices) await h.settled(device, 2);
    } finally {
      await second.close();
    }
    expect(
      fcm.messages
        .slice(messagesBefore)
        .map((m) => m.token)
        .sort(),
    ).toEqual([...tokens].sort());
    expect(
      fcm.messages
        .slice(messagesBefore)
        .map((m) => (m.message.notification as { body: string }).body)
        .sort(),
    ).toEqual(['held back', 'refused']);
    expect(await h.deadLetters()).toEqual([]);
  }, 60_000);

  it('abrik doctor push checks the FCM credentials against the token endpoint and reads the outcome counts', async () => {
    const outcomes = await h.query<{ outcome: string; n: number }>(
      sql`select outcome, count(*)::int as n from push_outcomes where provider = 'fcm' group by outcome`,
    );
    // What the earlier tests of this suite left: sends, a refusal and a held-back push.
    expect(outcomes.map((o) => o.outcome)).toEqual(
      expect.arrayContaining(['auth_error', 'circuit_open', 'sent']),
    );

    const ok = await runAbrik(['doctor', 'push', '--json'], { ...env, LOG_LEVEL: 'warn' });
    const report = JSON.parse(ok.output) as { checks: { id: string; status: string; detail: string }[] };
    const check = (id: string) => report.checks.find((c) => c.id === id)!;
    expect(check('push.credentials'), ok.output).toMatchObject({
      status: 'ok',
      detail: 'fcm: credentials accepted',
    });
    for (const { outcome, n } of outcomes) expect(check('push.failures').detail).toContain(`${outcome} ${n}`);
    const sent = outcomes.find((o) => o.outcome === 'sent')!.n;
    expect(check('push.quota').detail).toMatch(new RegExp(`^${sent} of 500000 `));
    const dead = (await h.deadLetters()).length;
    expect(check('push.dead_letters').status).toBe(dead === 0 ? 'ok' : 'warn');
    // The refusal and the held-back push push the hour's failure rate up; the exit code says so.
    expect(check('push.failures').status).not.toBe('ok');
    const statuses = report.checks.map((c) => c.status);
    expect(ok.code).toBe(statuses.includes('fail') ? 1 : 2);

    // A key the token endpoint does not know: the check fails and the command exits 1.
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const wrong = writeServiceAccount({ ...fcm.serviceAccount, private_key: privateKey });
    const tokenRequests = fcm.tokenRequests;
    const bad = await runAbrik(['doctor', 'push.credentials'], {
      ...env,
      LOG_LEVEL: 'warn',
      FIREBASE_SERVICE_ACCOUNT_PATH: wrong,
    });
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toMatch(
      /^\[FAIL\] push\.credentials .*fcm: FCM credentials check failed: .*Invalid JWT Signature/m,
    );
    expect(bad.output).not.toContain('BEGIN PRIVATE KEY');
    expect(fcm.tokenRequests).toBe(tokenRequests + 1);
  });
});
