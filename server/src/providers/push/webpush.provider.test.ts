import { createECDH, createPrivateKey, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import {
  decryptAes128gcm,
  type FakeWebPush,
  type FakeWebPushSubscription,
  startFakeWebPush,
} from '../../../test/fakes/webpush.fake.js';
import { capturingLogger } from '../../../test/support/logs.js';
import { parseRetryAfter } from '../http.js';
import type { PushMessage, PushOutcome, PushTarget } from './push.provider.js';
import {
  buildWebPushPayload,
  generateVapidKeys,
  topicFor,
  WEB_PUSH_MAX_PAYLOAD_BYTES,
  WebPushProvider,
} from './webpush.provider.js';

const VAPID = { ...generateVapidKeys(), subject: 'mailto:push-ops@abrik.example' };
const TITLE = 'Shirin Ahmadi';
const BODY = 'سلام! فردا ساعت ۱۰ جلسه داریم 🌱';

/** Every log line written by any provider in this file, to check none of them leaks a secret. */
const allLines: string[] = [];
/** Every outcome any provider returned in this file: the pipeline logs and stores their reasons. */
const allOutcomes: PushOutcome[] = [];
/** Every subscription handed to a provider, whose endpoint path and keys must stay secret. */
const subscriptions: FakeWebPushSubscription[] = [];

let fake: FakeWebPush;

beforeAll(async () => {
  fake = await startFakeWebPush();
});

afterAll(async () => {
  await fake.close();
  // Covers every scenario in this file, including the ones that fail on purpose.
  expectNoSecrets(allLines.join('\n'));
  expectNoSecrets(JSON.stringify(allOutcomes));
});

function setup(overrides: { vapid?: typeof VAPID; timeoutMs?: number } = {}) {
  const { logger, logs } = capturingLogger(allLines);
  const provider = new WebPushProvider({
    vapid: overrides.vapid ?? VAPID,
    logger,
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });
  const send = async (target: PushTarget, msg: PushMessage = message()) => {
    if (target.platform === 'web') subscriptions.push(target.subscription);
    const outcome = await provider.send(target, msg);
    allOutcomes.push(outcome);
    return outcome;
  };
  return { provider, logs, send };
}

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    title: TITLE,
    body: BODY,
    data: { conversationId: 'c-42', messageId: 'm-7', kind: 'message', url: '/chat/c-42' },
    collapseKey: 'conversation:c-42',
    badge: 3,
    priority: 'high',
    ttlSeconds: 3600,
    ...overrides,
  };
}

function web(subscription: FakeWebPushSubscription, deviceId = 'dev-web-1'): PushTarget {
  return { deviceId, platform: 'web', subscription };
}

/** The endpoint path (the capability), both keys, the VAPID private key and the message texts. */
function expectNoSecrets(text: string): void {
  const secrets = [VAPID.privateKey, TITLE, BODY, 'x'.repeat(64)];
  for (const s of subscriptions) {
    secrets.push(s.endpoint, s.keys.p256dh, s.keys.auth);
    if (URL.canParse(s.endpoint)) secrets.push(new URL(s.endpoint).pathname);
  }
  // Strings this short (a deliberately broken key) could match by chance.
  for (const secret of secrets.filter((s) => s.length >= 8)) expect(text).not.toContain(secret);
}

/**
 * Sends one request with web-push's own encryption and VAPID, bypassing the provider; `edit` may
 * change the headers first. Resolves with the status the fake answered.
 */
async function rawSend(
  subscription: FakeWebPushSubscription,
  vapid: typeof VAPID,
  edit: (headers: Record<string, string>) => void = () => {},
): Promise<number> {
  const details = webpush.generateRequestDetails(subscription, '{"title":"raw"}', {
    vapidDetails: vapid,
    TTL: 60,
    contentEncoding: 'aes128gcm',
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) {
    if (name !== 'Content-Length') headers[name] = String(value);
  }
  edit(headers);
  const response = await fetch(subscription.endpoint, { method: 'POST', headers, body: details.body });
  await response.arrayBuffer();
  return response.status;
}

/** An ES256 JWT with any claims, signed with our VAPID private key (web-push refuses odd claims). */
function signJwt(claims: Record<string, unknown>): string {
  const point = Buffer.from(VAPID.publicKey, 'base64url');
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: VAPID.privateKey,
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ typ: 'JWT', alg: 'ES256' })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('helpers', () => {
  it('builds the service-worker payload from the message, with url from data.url', () => {
    expect(buildWebPushPayload(message())).toEqual({
      title: TITLE,
      body: BODY,
      data: { conversationId: 'c-42', messageId: 'm-7', kind: 'message', url: '/chat/c-42' },
      badge: 3,
      tag: 'conversation:c-42',
      url: '/chat/c-42',
    });
    expect(buildWebPushPayload(message({ data: { kind: 'call' } }))).not.toHaveProperty('url');
  });

  it('makes a Topic of at most 32 URL-safe characters, the same for the same collapse key', () => {
    const keys = ['conversation:c-42', 'x'.repeat(500), 'گفتگو:۴۲', ''];
    for (const key of keys) {
      expect(topicFor(key)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      expect(topicFor(key)).toBe(topicFor(key));
    }
    expect(new Set(keys.map(topicFor)).size).toBe(keys.length);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('generates VAPID keys: a 65-byte uncompressed P-256 point and its 32-byte private key', () => {
    const keys = generateVapidKeys();
    const publicKey = Buffer.from(keys.publicKey, 'base64url');
    expect(publicKey).toHaveLength(65);
    expect(publicKey[0]).toBe(0x04);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(keys.privateKey, 'base64url'));
    expect(ecdh.getPublicKey().equals(publicKey)).toBe(true);
    expect(generateVapidKeys().privateKey).not.toBe(keys.privateKey);
  });
});

describe('the fake push service', () => {
  // RFC 8291 Appendix A: the user agent's keys and the body the RFC's application server sent.
  const RFC = {
    uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
    auth: 'BTBZMqHH6r4Tts7J_aSIgg',
    body: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
  };
  const ua = {
    privateKey: Buffer.from(RFC.uaPrivate, 'base64url'),
    authSecret: Buffer.from(RFC.auth, 'base64url'),
  };

  it('decrypts the RFC 8291 example body to its plaintext', () => {
    const plaintext = decryptAes128gcm(Buffer.from(RFC.body, 'base64url'), ua);
    expect(plaintext.toString('utf8')).toBe('When I grow up, I want to be a watermelon');
  });

  it('refuses the RFC body with one ciphertext byte changed, or with another auth secret', () => {
    const tampered = Buffer.from(RFC.body, 'base64url');
    const at = tampered.length - 20;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    expect(() => decryptAes128gcm(tampered, ua)).toThrow(/decryption failed/);
    const otherAuth = { ...ua, authSecret: Buffer.alloc(16, 7) };
    expect(() => decryptAes128gcm(Buffer.from(RFC.body, 'base64url'), otherAuth)).toThrow(
      /decryption failed/,
    );
  });

  it('rejects a payload encrypted for another subscription’s keys', async () => {
    const { send } = setup();
    const mine = fake.subscribe();
    const other = fake.subscribe();
    const before = fake.received.length;

    // The endpoint is mine, so the fake decrypts with my private key; the body is for other's keys.
    const outcome = await send(web({ endpoint: mine.endpoint, keys: other.keys }));

    expect(outcome).toEqual({ outcome: 'failed', reason: expect.stringContaining('400') });
    expect(fake.received.length).toBe(before);
    expect(fake.rejected.at(-1)).toEqual({
      id: mine.endpoint.split('/').at(-1),
      status: 400,
      reason: expect.stringContaining('decryption failed'),
    });
    // The same message to the right keys goes through, so the keys were the only difference.
    expect(await send(web(mine))).toEqual({ outcome: 'sent' });
  });

  it('rejects the right public key with the wrong auth secret', async () => {
    const { send } = setup();
    const mine = fake.subscribe();
    const other = fake.subscribe();
    const outcome = await send(
      web({ endpoint: mine.endpoint, keys: { ...mine.keys, auth: other.keys.auth } }),
    );
    expect(outcome.outcome).toBe('failed');
    expect(fake.rejected.at(-1)?.reason).toContain('decryption failed');
  });

  it('answers 401 without VAPID and 403 for a token not signed by k or for another origin', async () => {
    const subscription = fake.subscribe();

    const noVapid = await rawSend(subscription, VAPID, (headers) => delete headers.Authorization);
    expect(noVapid).toBe(401);
    expect(fake.rejected.at(-1)?.reason).toBe('no Authorization header');

    // Signed with another private key while naming our public key as k.
    const forged = { ...VAPID, privateKey: generateVapidKeys().privateKey };
    expect(await rawSend(subscription, forged)).toBe(403);
    expect(fake.rejected.at(-1)?.reason).toBe('JWT signature does not verify with k');

    // A genuine token, but for another push service's origin.
    const wrongAud = await rawSend(subscription, VAPID, (headers) => {
      headers.Authorization = webpush.getVapidHeaders(
        'https://fcm.googleapis.com',
        VAPID.subject,
        VAPID.publicKey,
        VAPID.privateKey,
        'aes128gcm',
      ).Authorization;
    });
    expect(wrongAud).toBe(403);
    expect(fake.rejected.at(-1)?.reason).toContain('aud');

    // The unchanged request is accepted, so each refusal above came from the one thing changed.
    expect(await rawSend(subscription, VAPID)).toBe(201);
    expect(fake.received.at(-1)?.payload).toEqual({ title: 'raw' });
  });

  it('answers 403 for a token that expired, lives longer than 24 h or names no contact', async () => {
    const subscription = fake.subscribe();
    const now = Math.floor(Date.now() / 1000);
    const withClaims = (claims: Record<string, unknown>) => (headers: Record<string, string>) => {
      headers.Authorization = `vapid t=${signJwt(claims)}, k=${VAPID.publicKey}`;
    };
    const good = { aud: fake.url, exp: now + 3600, sub: VAPID.subject };

    // The hand-made token is accepted as is, so each refusal below is the one claim changed.
    expect(await rawSend(subscription, VAPID, withClaims(good))).toBe(201);
    expect(await rawSend(subscription, VAPID, withClaims({ ...good, exp: now - 60 }))).toBe(403);
    expect(fake.rejected.at(-1)?.reason).toBe('JWT exp is missing or past');
    expect(await rawSend(subscription, VAPID, withClaims({ ...good, exp: now + 25 * 3600 }))).toBe(403);
    expect(fake.rejected.at(-1)?.reason).toBe('JWT exp is more than 24 hours away');
    expect(await rawSend(subscription, VAPID, withClaims({ ...good, sub: 'push-ops@abrik.example' }))).toBe(
      403,
    );
    expect(fake.rejected.at(-1)?.reason).toBe('JWT sub is not a mailto: or https: contact');
  });

  it('answers 400 without a TTL header', async () => {
    const subscription = fake.subscribe();
    expect(await rawSend(subscription, VAPID, (headers) => delete headers.TTL)).toBe(400);
    expect(fake.rejected.at(-1)?.reason).toBe('no TTL header');
  });
});

describe(WebPushProvider.name, () => {
  describe('when the push service accepts the notification', () => {
    it('sends a payload the browser decrypts to exactly the message', async () => {
      const { send, logs } = setup();
      const subscription = fake.subscribe();
      const msg = message();

      const outcome = await send(web(subscription), msg);

      expect(outcome).toEqual({ outcome: 'sent' });
      const got = fake.received.at(-1);
      expect(got?.id).toBe(subscription.endpoint.split('/').at(-1));
      expect(got?.payload).toEqual({
        title: TITLE,
        body: BODY,
        data: { conversationId: 'c-42', messageId: 'm-7', kind: 'message', url: '/chat/c-42' },
        badge: 3,
        tag: 'conversation:c-42',
        url: '/chat/c-42',
      });
      expect(got?.text).toBe(JSON.stringify(buildWebPushPayload(msg)));
      const line = logs().at(-1);
      expect(line).toMatchObject({
        level: 'debug',
        component: 'push.webpush',
        deviceId: 'dev-web-1',
        host: new URL(fake.url).host,
        status: 201,
        outcome: 'sent',
      });
    });

    it('leaves url out of the payload when data has none', async () => {
      const { send } = setup();
      const subscription = fake.subscribe();
      await send(web(subscription), message({ data: { kind: 'reminder' }, badge: 0 }));
      expect(fake.received.at(-1)?.payload).toEqual({
        title: TITLE,
        body: BODY,
        data: { kind: 'reminder' },
        badge: 0,
        tag: 'conversation:c-42',
      });
    });

    it('sets TTL, Urgency and a Topic that is the same for the same collapse key', async () => {
      const { send } = setup();
      const subscription = fake.subscribe();

      await send(web(subscription), message({ ttlSeconds: 600, priority: 'high' }));
      const first = fake.received.at(-1)!.headers;
      await send(web(subscription), message({ ttlSeconds: 86_400, priority: 'normal' }));
      const second = fake.received.at(-1)!.headers;
      await send(web(subscription), message({ collapseKey: 'conversation:c-43' }));
      const third = fake.received.at(-1)!.headers;

      expect(first).toMatchObject({ ttl: '600', urgency: 'high', 'content-encoding': 'aes128gcm' });
      expect(second).toMatchObject({ ttl: '86400', urgency: 'normal' });
      expect(first.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      expect(second.topic).toBe(first.topic);
      expect(first.topic).toBe(topicFor('conversation:c-42'));
      expect(third.topic).not.toBe(first.topic);
    });

    it('carries a VAPID token the fake verified: our key, the push service origin, our subject', async () => {
      const { send } = setup();
      await send(web(fake.subscribe()));
      const { vapid } = fake.received.at(-1)!;
      expect(vapid.k).toBe(VAPID.publicKey);
      expect(vapid.claims.aud).toBe(fake.url);
      expect(vapid.claims.sub).toBe(VAPID.subject);
      const now = Math.floor(Date.now() / 1000);
      expect(vapid.claims.exp).toBeGreaterThan(now);
      expect(vapid.claims.exp).toBeLessThanOrEqual(now + 24 * 60 * 60);
    });

    it('is accepted by a subscription restricted to our application server key', async () => {
      const { send } = setup();
      const restricted = fake.subscribe({ applicationServerKey: VAPID.publicKey });
      expect(await send(web(restricted))).toEqual({ outcome: 'sent' });
    });
  });

  describe('when the subscription is gone', () => {
    it.each([404, 410])('answers invalid_token for %i', async (status) => {
      const { send, logs } = setup();
      fake.failNext(status);
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({ outcome: 'invalid_token', reason: expect.stringContaining(String(status)) });
      expect(logs().at(-1)).toMatchObject({ level: 'info', status, outcome: 'invalid_token' });
      expect(logs().at(-1)?.msg).toContain('the device is deleted');
    });

    it('answers invalid_token for an expired subscription, every time', async () => {
      const { send } = setup();
      const subscription = fake.subscribe();
      expect(await send(web(subscription))).toEqual({ outcome: 'sent' });
      fake.expire(subscription);
      for (let i = 0; i < 2; i++) {
        expect(await send(web(subscription))).toEqual({
          outcome: 'invalid_token',
          reason: expect.stringContaining('410'),
        });
      }
      expect(fake.rejected.at(-1)).toMatchObject({ status: 410 });
    });

    it('answers invalid_token for an endpoint the push service never issued (404)', async () => {
      const { send } = setup();
      const real = fake.subscribe();
      const unknown = { ...real, endpoint: `${fake.url}/push/never-issued-subscription-id` };
      expect((await send(web(unknown))).outcome).toBe('invalid_token');
      expect(fake.rejected.at(-1)).toMatchObject({ status: 404 });
    });

    it('answers invalid_token without a request when the subscription keys are unusable', async () => {
      const { send } = setup();
      const subscription = fake.subscribe();
      const before = fake.requests.length;
      const short = { ...subscription, keys: { ...subscription.keys, p256dh: 'BAAA' } };
      const notAPoint = {
        ...subscription,
        keys: { ...subscription.keys, p256dh: Buffer.alloc(65, 4).toString('base64url') },
      };
      for (const bad of [short, notAPoint]) {
        expect(await send(web(bad))).toEqual({
          outcome: 'invalid_token',
          reason: expect.stringContaining('subscription keys are unusable'),
        });
      }
      expect(await send(web({ ...subscription, endpoint: 'not a url' }))).toMatchObject({
        outcome: 'invalid_token',
      });
      expect(fake.requests.length).toBe(before);
    });
  });

  describe('when the push service fails for a while', () => {
    it('retries after the Retry-After seconds of a 429', async () => {
      const { send, logs } = setup();
      fake.failNext(429, { retryAfter: 5 });
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({
        outcome: 'retry',
        reason: expect.stringContaining('429'),
        retryAfterMs: 5000,
      });
      expect(logs().at(-1)).toMatchObject({ level: 'warn', status: 429, retryAfterMs: 5000 });
      expect(logs().at(-1)?.msg).toContain('the job queue retries after 5000 ms');
    });

    it('retries after a Retry-After given as an HTTP date', async () => {
      const { send } = setup();
      fake.failNext(503, { retryAfter: new Date(Date.now() + 120_000).toUTCString() });
      const outcome = await send(web(fake.subscribe()));
      expect(outcome.outcome).toBe('retry');
      const after = outcome.outcome === 'retry' ? outcome.retryAfterMs : undefined;
      // The date has whole seconds, so up to one second is lost.
      expect(after).toBeGreaterThan(100_000);
      expect(after).toBeLessThanOrEqual(120_000);
    });

    it.each([500, 502, 503])('retries with backoff on %i', async (status) => {
      const { send } = setup();
      fake.failNext(status);
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({ outcome: 'retry', reason: expect.stringContaining(String(status)) });
    });

    it('retries once the timeout passes when the push service never answers', async () => {
      const { send, logs } = setup({ timeoutMs: 300 });
      fake.hangNext();
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({ outcome: 'retry', reason: 'no answer from the push service within 300 ms' });
      expect(logs().at(-1)).toMatchObject({ level: 'warn', status: 'timeout' });
    });

    it('retries when nothing listens at the endpoint', async () => {
      const closed = await startFakeWebPush();
      const subscription = closed.subscribe();
      await closed.close();
      const { send, logs } = setup();
      const outcome = await send(web(subscription));
      expect(outcome).toEqual({ outcome: 'retry', reason: 'network error ECONNREFUSED' });
      expect(logs().at(-1)).toMatchObject({ level: 'warn', status: 'network' });
    });
  });

  describe('when the notification can never be delivered as is', () => {
    it.each([413, 400])('fails without retry on %i', async (status) => {
      const { send, logs } = setup();
      fake.failNext(status);
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({ outcome: 'failed', reason: expect.stringContaining(String(status)) });
      expect(logs().at(-1)).toMatchObject({ level: 'error', status, outcome: 'failed' });
    });

    it('fails a payload over 3993 bytes without sending it', async () => {
      const { send } = setup();
      const before = fake.requests.length;
      const outcome = await send(
        web(fake.subscribe()),
        message({ body: 'x'.repeat(WEB_PUSH_MAX_PAYLOAD_BYTES) }),
      );
      expect(outcome).toEqual({ outcome: 'failed', reason: expect.stringContaining('payload too large') });
      expect(fake.requests.length).toBe(before);
    });

    it('sends a payload of exactly 3993 bytes, which fits the 4096-byte body', async () => {
      const { send } = setup();
      const base = JSON.stringify(buildWebPushPayload(message({ body: '' })));
      const body = 'x'.repeat(WEB_PUSH_MAX_PAYLOAD_BYTES - Buffer.byteLength(base));
      const outcome = await send(web(fake.subscribe()), message({ body }));
      expect(outcome).toEqual({ outcome: 'sent' });
      expect(Buffer.byteLength(fake.received.at(-1)!.text)).toBe(WEB_PUSH_MAX_PAYLOAD_BYTES);
    });
  });

  describe('when our VAPID identity is refused', () => {
    it.each([401, 403])('answers auth_error on %i', async (status) => {
      const { send, logs } = setup();
      fake.failNext(status);
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({ outcome: 'auth_error', reason: expect.stringContaining(String(status)) });
      expect(logs().at(-1)).toMatchObject({ level: 'error', status, outcome: 'auth_error' });
    });

    it('answers auth_error when the subscription was made for another application server key', async () => {
      const { send } = setup();
      const restricted = fake.subscribe({ applicationServerKey: generateVapidKeys().publicKey });
      expect((await send(web(restricted))).outcome).toBe('auth_error');
      expect(fake.rejected.at(-1)).toMatchObject({
        status: 403,
        reason: 'k is not the applicationServerKey the subscription was made with',
      });
    });

    it('answers auth_error without a request when the VAPID keys are unusable', async () => {
      const { send } = setup({ vapid: { ...VAPID, publicKey: generateVapidKeys().publicKey } });
      const before = fake.requests.length;
      const outcome = await send(web(fake.subscribe()));
      expect(outcome).toEqual({
        outcome: 'auth_error',
        reason: expect.stringContaining('does not belong to the private key'),
      });
      expect(fake.requests.length).toBe(before);
    });
  });

  describe('checkCredentials', () => {
    it('passes with generated keys and a mailto: or https: subject', async () => {
      await expect(setup().provider.checkCredentials()).resolves.toBeUndefined();
      const https = { ...generateVapidKeys(), subject: 'https://abrik.example/contact' };
      await expect(setup({ vapid: https }).provider.checkCredentials()).resolves.toBeUndefined();
    });

    it.each([
      {
        name: 'a short public key',
        vapid: { ...VAPID, publicKey: VAPID.publicKey.slice(0, 40) },
        why: /65 bytes/,
      },
      { name: 'a short private key', vapid: { ...VAPID, privateKey: 'c2hvcnQ' }, why: /32 bytes/ },
      {
        name: 'a key with padding',
        vapid: { ...VAPID, privateKey: `${VAPID.privateKey}=` },
        why: /without "="/,
      },
      { name: 'an empty private key', vapid: { ...VAPID, privateKey: '' }, why: /privateKey/ },
      {
        name: 'a subject without mailto:',
        vapid: { ...VAPID, subject: 'ops@abrik.example' },
        why: /subject/,
      },
      {
        name: 'keys from two different pairs',
        vapid: { ...VAPID, publicKey: generateVapidKeys().publicKey },
        why: /does not belong/,
      },
    ])('throws with the reason for $name', async ({ vapid, why }) => {
      const error = await setup({ vapid })
        .provider.checkCredentials()
        .then(
          () => new Error('resolved'),
          (e: unknown) => e as Error,
        );
      expect(error.message).toMatch(/^Web Push VAPID credentials are unusable: /);
      expect(error.message).toMatch(why);
      expect(error.message).not.toContain(VAPID.privateKey);
    });
  });

  it('throws for a phone target, which is a routing bug', async () => {
    const { provider } = setup();
    await expect(
      provider.send({ deviceId: 'dev-phone', platform: 'android', token: 'fcm-token' }, message()),
    ).rejects.toThrow(/android/);
  });

  it('never logs the endpoint path, the subscription keys, the VAPID private key or the texts', async () => {
    const { send, logs } = setup({ timeoutMs: 300 });
    const subscription = fake.subscribe();
    await send(web(subscription));
    // Even a push service reply that echoes the endpoint and keys must not carry them into the log.
    fake.failNext(400, {
      body: `bad request for ${subscription.endpoint} with ${subscription.keys.p256dh} / ${subscription.keys.auth}`,
    });
    await send(web(subscription));
    fake.failNext(429, { retryAfter: 1 });
    await send(web(subscription));
    fake.hangNext();
    await send(web(subscription));
    fake.expire(subscription);
    await send(web(subscription));

    const lines = logs();
    expect(lines.map((l) => [l.level, l.outcome])).toEqual([
      ['debug', 'sent'],
      ['error', 'failed'],
      ['warn', 'retry'],
      ['warn', 'retry'],
      ['info', 'invalid_token'],
    ]);
    expect(lines.every((l) => l.component === 'push.webpush' && l.deviceId === 'dev-web-1')).toBe(true);
    expect(lines.every((l) => l.host === new URL(fake.url).host)).toBe(true);
    expect(lines[1]?.providerMessage).toContain('[redacted]');
    expectNoSecrets(lines.map((l) => JSON.stringify(l)).join('\n'));
  });
});
