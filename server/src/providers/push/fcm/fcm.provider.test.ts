import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeFcm, type FakeFcmFailure, startFakeFcm } from '../../../../test/fakes/fcm.fake.js';
import { capturingLogger } from '../../../../test/support/logs.js';
import type { PushMessage, PushOutcome, PushTarget } from '../push.provider.js';
import { FcmPushProvider, loadServiceAccount, type ServiceAccount } from './fcm.provider.js';

// Shaped like real registration tokens: `<instance id>:APA91b<base64url>`.
const ANDROID_TOKEN =
  'fYx3Zk2WQ9e8Lr0VbN1mTq:APA91bHq7Lk2v9Xw3Rz8Tn5Yp1Bd6Fg4Hj0Kl2Mn8Qr7St3Uv5Wx9Yz1Ab4Cd6Ef8Gh0Ij2Kl4Mn6Op8Qr0St2Uv4Wx6Yz8';
const IOS_TOKEN =
  'c2Vjb25kLWRldmljZS1pb3M:APA91bEr5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Qw9Er1Ty3Ui5Op7As9Df1Gh3Jk5Lz7Xc9Vb1Nm3Qw5Er7Ty9Ui1';
const DEAD_TOKEN =
  'ZGVhZC1kZXZpY2UtYW5kcm9pZA:APA91bZz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll5Kk4Jj3Ii2Hh1Gg0Ff9Ee8Dd7Cc6Bb5Aa4Zz3Yy2';
const TITLE = 'Reza: are we still on for tonight?';
const BODY = 'Bring the signed contract draft, please';
/** A fixed clock in whole seconds, so `apns-expiration` and HTTP-date Retry-After are exact. */
const NOW = Date.UTC(2026, 2, 1, 9, 30, 0);

const android: PushTarget = { deviceId: 'dev_android_1', platform: 'android', token: ANDROID_TOKEN };
const ios: PushTarget = { deviceId: 'dev_ios_1', platform: 'ios', token: IOS_TOKEN };

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    title: TITLE,
    body: BODY,
    data: { conversationId: 'conv_01HZX3QK', messageId: 'msg_01HZX4RT', kind: 'message' },
    collapseKey: 'conversation:conv_01HZX3QK',
    badge: 3,
    priority: 'high',
    ttlSeconds: 3600,
    ...overrides,
  };
}

/** Every log line written by any provider in this file, to check none of them leaks a secret. */
const allLines: string[] = [];
/** Every outcome returned in this file: reasons end up in job records and dead letters. */
const allOutcomes: PushOutcome[] = [];
const providers: FcmPushProvider[] = [];
/** Private keys used in this file (the good one and a tampered one). */
const privateKeys: string[] = [];

let fake: FakeFcm;
let tmp: string;

function setup(
  overrides: {
    serviceAccount?: ServiceAccount;
    baseUrl?: string;
    timeoutMs?: number;
    now?: () => number;
  } = {},
) {
  const { logger, logs } = capturingLogger(allLines);
  const provider = new FcmPushProvider({
    serviceAccount: overrides.serviceAccount ?? fake.serviceAccount,
    baseUrl: overrides.baseUrl ?? fake.url,
    logger,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    now: overrides.now ?? (() => NOW),
  });
  providers.push(provider);
  const send = async (target: PushTarget, msg: PushMessage = message()) => {
    const outcome = await provider.send(target, msg);
    allOutcomes.push(outcome);
    return outcome;
  };
  return { provider, send, logs };
}

const sends = () => fake.requests.filter((r) => r.kind === 'send');

function otherKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

/** Chunks of a PEM's base64 body: a log line holding the key would hold these (JSON escapes newlines). */
function keyChunks(pem: string): string[] {
  return pem
    .split('\n')
    .filter((line) => line.length > 40 && !line.startsWith('-----'))
    .slice(2, 6);
}

beforeAll(async () => {
  fake = await startFakeFcm();
  privateKeys.push(fake.serviceAccount.private_key);
  tmp = await mkdtemp(join(tmpdir(), 'abrik-fcm-'));
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await fake.close();
  await rm(tmp, { recursive: true, force: true });
  // Covers every scenario in this file, including the ones that fail on purpose.
  const text = `${allLines.join('\n')}\n${JSON.stringify(allOutcomes)}`;
  expect(allLines.length).toBeGreaterThan(20);
  for (const secret of [ANDROID_TOKEN, IOS_TOKEN, DEAD_TOKEN, TITLE, BODY, ...fake.accessTokens]) {
    expect(text).not.toContain(secret);
  }
  expect(fake.accessTokens.length).toBeGreaterThan(0);
  for (const pem of privateKeys) for (const chunk of keyChunks(pem)) expect(text).not.toContain(chunk);
});

describe(loadServiceAccount.name, () => {
  const write = async (name: string, content: string) => {
    const path = join(tmp, name);
    await writeFile(path, content);
    return path;
  };

  it('loads a complete key file', async () => {
    const path = await write('good.json', JSON.stringify(fake.serviceAccount, null, 2));
    const account = await loadServiceAccount(path);
    const { type, project_id, private_key_id, private_key, client_email, token_uri } = fake.serviceAccount;
    expect(account).toEqual({ type, project_id, private_key_id, private_key, client_email, token_uri });
  });

  it('refuses a file without private_key, naming the field and the file', async () => {
    const { private_key: _key, ...rest } = fake.serviceAccount;
    const path = await write('no-key.json', JSON.stringify(rest));
    await expect(loadServiceAccount(path)).rejects.toThrow(/"private_key" is missing/);
    await expect(loadServiceAccount(path)).rejects.toThrow(path);
  });

  it.each([
    ['type', { type: 'authorized_user' }, /"type" must be "service_account"/],
    ['project_id', { project_id: '' }, /"project_id" is missing/],
    ['client_email', { client_email: undefined }, /"client_email" is missing/],
    ['token_uri', { token_uri: 'oauth2.googleapis.com/token' }, /"token_uri" is not an http\(s\) URL/],
    [
      'private_key',
      { private_key: 'not a pem at all, just a secret-looking string' },
      /"private_key" is not/,
    ],
  ])('refuses a bad %s', async (_field, change, error) => {
    const path = await write('bad.json', JSON.stringify({ ...fake.serviceAccount, ...change }));
    const rejection = await loadServiceAccount(path).catch((e: unknown) => e as Error);
    expect(rejection).toBeInstanceOf(Error);
    expect((rejection as Error).message).toMatch(error);
    expect((rejection as Error).message).not.toContain('secret-looking');
  });

  it('refuses a file that is not JSON without quoting any of it (it may hold the key)', async () => {
    const text = JSON.stringify(fake.serviceAccount).replace('"client_email"', 'client_email');
    const path = await write('broken.json', text);
    const rejection = (await loadServiceAccount(path).catch((e: unknown) => e)) as Error;
    expect(rejection.message).toMatch(/is not valid JSON/);
    for (const chunk of keyChunks(fake.serviceAccount.private_key))
      expect(rejection.message).not.toContain(chunk);
  });

  it('refuses a file that does not exist', async () => {
    await expect(loadServiceAccount(join(tmp, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe(FcmPushProvider.name, () => {
  describe('the message it sends', () => {
    it('carries the notification, the data with the badge, and Android and APNs options', async () => {
      const { send } = setup();
      const outcome = await send(android);

      expect(outcome).toStrictEqual({
        outcome: 'sent',
        providerMessageId: expect.stringMatching(/^projects\/abrik-fake\/messages\/0:\d+%[0-9a-f]{16}$/),
      });
      expect(fake.messages.at(-1)).toStrictEqual({
        project: 'abrik-fake',
        token: ANDROID_TOKEN,
        message: {
          token: ANDROID_TOKEN,
          notification: { title: TITLE, body: BODY },
          data: { conversationId: 'conv_01HZX3QK', messageId: 'msg_01HZX4RT', kind: 'message', badge: '3' },
          android: {
            priority: 'HIGH',
            ttl: '3600s',
            collapse_key: 'conversation:conv_01HZX3QK',
            notification: { sound: 'default', tag: 'conversation:conv_01HZX3QK', notification_count: 3 },
          },
          apns: {
            headers: {
              'apns-priority': '10',
              'apns-collapse-id': 'conversation:conv_01HZX3QK',
              'apns-expiration': String(NOW / 1000 + 3600),
            },
            payload: { aps: { sound: 'default', badge: 3, 'thread-id': 'conversation:conv_01HZX3QK' } },
          },
        },
      });
    });

    it('sends normal priority as NORMAL and apns-priority 5, and hashes a collapse key over 64 bytes', async () => {
      const { send } = setup();
      const longKey = `conversation:${'x'.repeat(40)}:thread:${'y'.repeat(20)}`;
      expect(Buffer.byteLength(longKey)).toBeGreaterThan(64);

      const outcome = await send(ios, message({ priority: 'normal', collapseKey: longKey, badge: 0 }));

      expect(outcome.outcome).toBe('sent');
      const sent = fake.messages.at(-1)?.message as Record<string, any>;
      expect(sent.android.priority).toBe('NORMAL');
      expect(sent.android.collapse_key).toBe(longKey);
      expect(sent.android.notification.notification_count).toBe(0);
      expect(sent.apns.headers['apns-priority']).toBe('5');
      expect(sent.apns.headers['apns-collapse-id']).toBe(createHash('sha256').update(longKey).digest('hex'));
      expect(sent.apns.headers['apns-collapse-id']).toHaveLength(64);
      expect(sent.apns.payload.aps).toEqual({ sound: 'default', badge: 0, 'thread-id': longKey });
      expect(sent.data.badge).toBe('0');
    });

    it('keeps the TTL within FCM limits: 0 means now-or-never, more than 4 weeks is cut to 4 weeks', async () => {
      const { send } = setup();
      expect((await send(android, message({ ttlSeconds: 0 }))).outcome).toBe('sent');
      let sent = fake.messages.at(-1)?.message as Record<string, any>;
      expect(sent.android.ttl).toBe('0s');
      expect(sent.apns.headers['apns-expiration']).toBe('0');

      expect((await send(android, message({ ttlSeconds: 90 * 86_400 }))).outcome).toBe('sent');
      sent = fake.messages.at(-1)?.message as Record<string, any>;
      expect(sent.android.ttl).toBe('2419200s');
      expect(sent.apns.headers['apns-expiration']).toBe(String(NOW / 1000 + 2_419_200));
    });

    it('does not send a web push subscription through FCM', async () => {
      const { send } = setup();
      const before = sends().length;
      const outcome = await send({
        deviceId: 'dev_web_1',
        platform: 'web',
        subscription: { endpoint: 'https://push.example/abc', keys: { p256dh: 'p', auth: 'a' } },
      });
      expect(outcome).toStrictEqual({ outcome: 'failed', reason: expect.any(String) });
      expect(sends().length).toBe(before);
    });
  });

  describe('the access token', () => {
    it('is minted once and shared by 20 concurrent sends, then reused', async () => {
      const { send } = setup();
      const tokensBefore = fake.tokenRequests;
      const messagesBefore = fake.messages.length;

      const outcomes = await Promise.all(Array.from({ length: 20 }, () => send(android)));
      await send(ios);

      expect(outcomes.every((o) => o.outcome === 'sent')).toBe(true);
      expect(fake.messages.length - messagesBefore).toBe(21);
      expect(fake.tokenRequests - tokensBefore).toBe(1);
    });

    it('is minted again once it is within 60 s of expiry', async () => {
      let clock = NOW;
      const { send } = setup({ now: () => clock });
      const before = fake.tokenRequests;

      await send(android);
      // The fake's tokens live 3599 s; at 61 s before expiry the cached one is still used…
      clock = NOW + (3599 - 61) * 1000;
      await send(android);
      expect(fake.tokenRequests - before).toBe(1);
      // …and at 60 s before expiry a fresh one is minted.
      clock = NOW + (3599 - 60) * 1000;
      expect((await send(android)).outcome).toBe('sent');
      expect(fake.tokenRequests - before).toBe(2);
    });

    it('is refreshed once when FCM refuses it as revoked (401), and the send succeeds', async () => {
      const { send, logs } = setup();
      await send(android);
      const tokensBefore = fake.tokenRequests;
      const sendsBefore = sends().length;
      fake.revokeAccessTokens();

      const outcome = await send(android);

      expect(outcome.outcome).toBe('sent');
      expect(fake.tokenRequests - tokensBefore).toBe(1);
      expect(
        sends()
          .slice(sendsBefore)
          .map((r) => r.status),
      ).toEqual([401, 200]);
      expect(logs().find((l) => l.level === 'info')).toMatchObject({ component: 'push.fcm', status: 401 });
    });

    it('is refreshed only once for 20 concurrent sends refused with the same revoked token', async () => {
      const { send } = setup();
      await send(android);
      fake.revokeAccessTokens();
      const before = fake.tokenRequests;

      const outcomes = await Promise.all(Array.from({ length: 20 }, () => send(android)));

      expect(outcomes.every((o) => o.outcome === 'sent')).toBe(true);
      expect(fake.tokenRequests - before).toBe(1);
    });

    it('gives auth_error when FCM still answers 401 after one fresh token (no retry storm)', async () => {
      const { send, logs } = setup();
      await send(android);
      const tokensBefore = fake.tokenRequests;
      const sendsBefore = sends().length;
      fake.failNext('UNAUTHENTICATED', 2);

      const outcome = await send(android);

      expect(outcome).toStrictEqual({ outcome: 'auth_error', reason: expect.stringContaining('401') });
      expect(fake.tokenRequests - tokensBefore).toBe(1);
      expect(sends().length - sendsBefore).toBe(2);
      expect(logs().find((l) => l.level === 'error')).toMatchObject({
        deviceId: android.deviceId,
        status: 401,
      });
    });

    it('gives auth_error when the token endpoint refuses the grant (invalid_grant), without calling FCM', async () => {
      const { send, logs } = setup();
      const before = sends().length;
      fake.failTokenNext(400, 'invalid_grant', 'Invalid grant: account not found');

      const outcome = await send(android);

      expect(outcome).toStrictEqual({
        outcome: 'auth_error',
        reason: expect.stringContaining('invalid_grant'),
      });
      expect(sends().length).toBe(before);
      expect(logs().find((l) => l.level === 'error')).toMatchObject({ status: 400 });
    });

    it('gives retry when the token endpoint is down for a while (503)', async () => {
      const { send } = setup();
      fake.failTokenNext(503, 'backend_error', 'Backend Error');
      expect(await send(android)).toStrictEqual({ outcome: 'retry', reason: expect.stringContaining('503') });
      // The failure is not cached: the next send mints and succeeds.
      expect((await send(android)).outcome).toBe('sent');
    });
  });

  describe(FcmPushProvider.prototype.checkCredentials.name, () => {
    it('passes for the good account, minting a token every time (no cache)', async () => {
      const { provider } = setup();
      const before = fake.tokenRequests;
      await provider.checkCredentials();
      await provider.checkCredentials();
      expect(fake.tokenRequests - before).toBe(2);
    });

    it('throws with the token endpoint reason when the key is not the account key', async () => {
      const tampered: ServiceAccount = { ...fake.serviceAccount, private_key: otherKey() };
      privateKeys.push(tampered.private_key);
      const { provider, send } = setup({ serviceAccount: tampered });

      await expect(provider.checkCredentials()).rejects.toThrow(/invalid_grant: Invalid JWT Signature\./);
      expect(await send(android)).toStrictEqual({
        outcome: 'auth_error',
        reason: expect.stringContaining('Invalid JWT Signature.'),
      });
    });
  });

  describe('the replies it classifies', () => {
    type Case = {
      name: string;
      arrange?: (fake: FakeFcm) => void;
      target?: PushTarget;
      msg?: PushMessage;
      expected: PushOutcome;
      status: number;
      fcmError?: string;
      level: 'warn' | 'error';
    };
    const fail =
      (kind: FakeFcmFailure, retryAfter?: string) =>
      (f: FakeFcm): void =>
        f.failNext(kind, 1, { retryAfter });
    const reason: string = expect.any(String);
    const dead: PushTarget = { deviceId: 'dev_dead', platform: 'android', token: DEAD_TOKEN };

    it.each<Case>([
      {
        name: 'UNREGISTERED (404) → invalid_token',
        arrange: fail('UNREGISTERED'),
        expected: { outcome: 'invalid_token', reason },
        status: 404,
        fcmError: 'UNREGISTERED',
        level: 'warn',
      },
      {
        name: 'a bare 404 NOT_FOUND without details → invalid_token',
        arrange: fail('NOT_FOUND'),
        expected: { outcome: 'invalid_token', reason },
        status: 404,
        level: 'warn',
      },
      {
        name: 'a token FCM no longer knows → invalid_token',
        arrange: (f) => f.unregister(DEAD_TOKEN),
        target: dead,
        expected: { outcome: 'invalid_token', reason },
        status: 404,
        fcmError: 'UNREGISTERED',
        level: 'warn',
      },
      {
        name: 'INVALID_ARGUMENT about the registration token → invalid_token',
        arrange: fail('INVALID_TOKEN'),
        expected: { outcome: 'invalid_token', reason },
        status: 400,
        fcmError: 'INVALID_ARGUMENT',
        level: 'warn',
      },
      {
        name: 'a malformed registration token → invalid_token',
        target: { deviceId: 'dev_bad', platform: 'ios', token: 'not-a-registration-token' },
        expected: { outcome: 'invalid_token', reason },
        status: 400,
        fcmError: 'INVALID_ARGUMENT',
        level: 'warn',
      },
      {
        name: 'INVALID_ARGUMENT about the payload (too big) → failed',
        msg: message({ body: 'long '.repeat(1000) }),
        expected: { outcome: 'failed', reason },
        status: 400,
        level: 'error',
      },
      {
        name: 'INVALID_ARGUMENT about a reserved data key → failed',
        msg: message({ data: { from: 'someone' } }),
        expected: { outcome: 'failed', reason },
        status: 400,
        level: 'error',
      },
      {
        name: 'QUOTA_EXCEEDED (429, Retry-After: 7) → retry in 7000 ms',
        arrange: fail('QUOTA_EXCEEDED', '7'),
        expected: { outcome: 'retry', reason, retryAfterMs: 7000 },
        status: 429,
        fcmError: 'QUOTA_EXCEEDED',
        level: 'warn',
      },
      {
        name: 'the project-wide 429 without FcmError or Retry-After → retry',
        arrange: fail('RATE_LIMIT_EXCEEDED'),
        expected: { outcome: 'retry', reason },
        status: 429,
        level: 'warn',
      },
      {
        name: 'UNAVAILABLE (503) → retry',
        arrange: fail('UNAVAILABLE'),
        expected: { outcome: 'retry', reason },
        status: 503,
        fcmError: 'UNAVAILABLE',
        level: 'warn',
      },
      {
        name: 'UNAVAILABLE (503) with an HTTP-date Retry-After → retry at that date',
        arrange: fail('UNAVAILABLE', new Date(NOW + 30_000).toUTCString()),
        expected: { outcome: 'retry', reason, retryAfterMs: 30_000 },
        status: 503,
        fcmError: 'UNAVAILABLE',
        level: 'warn',
      },
      {
        name: 'INTERNAL (500) → retry',
        arrange: fail('INTERNAL'),
        expected: { outcome: 'retry', reason },
        status: 500,
        fcmError: 'INTERNAL',
        level: 'warn',
      },
      {
        name: 'an HTML 502 from the front end → retry',
        arrange: (f) => f.htmlNext(502),
        expected: { outcome: 'retry', reason },
        status: 502,
        level: 'warn',
      },
      {
        name: 'an HTML 404 (a wrong FCM_BASE_URL) → failed, not invalid_token',
        arrange: (f) => f.htmlNext(404),
        expected: { outcome: 'failed', reason },
        status: 404,
        level: 'error',
      },
      {
        name: 'an HTML 200 → failed, not sent',
        arrange: (f) => f.htmlNext(200),
        expected: { outcome: 'failed', reason },
        status: 200,
        level: 'error',
      },
      {
        name: 'SENDER_ID_MISMATCH (403) → auth_error',
        arrange: fail('SENDER_ID_MISMATCH'),
        expected: { outcome: 'auth_error', reason },
        status: 403,
        fcmError: 'SENDER_ID_MISMATCH',
        level: 'error',
      },
      {
        name: 'THIRD_PARTY_AUTH_ERROR (401) → auth_error',
        arrange: fail('THIRD_PARTY_AUTH_ERROR'),
        target: ios,
        expected: { outcome: 'auth_error', reason },
        status: 401,
        fcmError: 'THIRD_PARTY_AUTH_ERROR',
        level: 'error',
      },
      {
        name: 'PERMISSION_DENIED (403) → auth_error',
        arrange: fail('PERMISSION_DENIED'),
        expected: { outcome: 'auth_error', reason },
        status: 403,
        level: 'error',
      },
    ])('$name', async ({ arrange, target = android, msg, expected, status, fcmError, level }) => {
      const { send, logs } = setup();
      await send(android); // warm the token so the case makes exactly one request
      const sendsBefore = sends().length;
      const tokensBefore = fake.tokenRequests;
      arrange?.(fake);

      const outcome = await send(target, msg);

      expect(outcome).toStrictEqual(expected);
      // One request per send: the provider never retries on its own (the queue does).
      expect(sends().length - sendsBefore).toBe(1);
      expect(fake.tokenRequests).toBe(tokensBefore);
      const line = logs().find((l) => l.level === level);
      expect(line).toMatchObject({ component: 'push.fcm', deviceId: target.deviceId, status });
      expect(line?.fcmError).toBe(fcmError);
      expect(line?.msg).toMatch(
        { warn: /deleted now|retries with backoff/, error: /not retried|never retried/ }[level],
      );
    });

    it('gives retry when FCM never answers within the timeout', async () => {
      const { send, logs } = setup({ timeoutMs: 200 });
      await send(android);
      fake.hangNext();
      expect(await send(android)).toStrictEqual({
        outcome: 'retry',
        reason: expect.stringContaining('timeout'),
      });
      expect(logs().find((l) => l.level === 'warn')).toMatchObject({ status: 'timeout' });
    });

    it('gives retry when nothing listens at FCM_BASE_URL', async () => {
      const closed = await startFakeFcm();
      await closed.close();
      const { send } = setup({ baseUrl: closed.url });
      expect(await send(android)).toStrictEqual({
        outcome: 'retry',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
    });

    it('keeps the token and the texts out of reasons and logs even when FCM echoes them', async () => {
      const { send, logs } = setup();
      fake.failNext('INVALID_ARGUMENT', 1, {
        message: `Invalid value at 'message.notification.title', "${TITLE}"`,
      });
      fake.failNext('INVALID_TOKEN', 1, {
        message: `The registration token ${ANDROID_TOKEN} is not a valid FCM registration token`,
      });

      const payload = await send(android);
      const token = await send(android);

      expect(payload).toStrictEqual({ outcome: 'failed', reason: expect.stringContaining('[redacted]') });
      expect(token.outcome).toBe('invalid_token');
      const lines = logs().filter((l) => l.level !== 'debug');
      expect(lines.map((l) => l.providerMessage)).toEqual([
        expect.stringContaining('[redacted]'),
        expect.stringContaining('[redacted]'),
      ]);
      const text = JSON.stringify([lines, payload, token]);
      expect(text).not.toContain(TITLE);
      expect(text).not.toContain(ANDROID_TOKEN);
    });
  });
});
