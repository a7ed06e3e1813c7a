import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/modules/identity/token.service.js';
import { KavenegarSmsProvider } from '../src/providers/sms/kavenegar.provider.js';
import { type FakeKavenegar, startFakeKavenegar } from './fakes/kavenegar.fake.js';
import {
  startTestApp,
  TEST_JWT_SECRET,
  type TestApp,
  type TestAppOptions,
  uniquePhone,
} from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { capturingLogger } from './support/logs.js';
import { connect } from './support/sockets.js';

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC_INDIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';
const toPersian = (s: string) => s.replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)]!);
const toArabicIndic = (s: string) => s.replace(/\d/g, (d) => ARABIC_INDIC_DIGITS[Number(d)]!);
/** `+989121234567` → `09121234567`. */
const national = (e164: string) => `0${e164.slice(3)}`;
/** A 6-digit code that is not `code`. */
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A little more than the 1 s per-phone interval of the test defaults. */
const PAST_INTERVAL_MS = 1100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISSUER = 'abrik';
const AUDIENCE = 'abrik:access';

function expectError(res: { status: number; body: any }, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

const requestCode = (app: TestApp, phone: string, headers?: Record<string, string>) =>
  app.request('POST', '/api/v1/auth/otp', { body: { phone }, ...(headers ? { headers } : {}) });
const verify = (app: TestApp, phone: string, code: string | undefined) =>
  app.request('POST', '/api/v1/auth/verify', { body: { phone, code } });
const me = (app: TestApp, token: string) => app.request('GET', '/api/v1/users/me', { token });

describe.each(BACKENDS)('phone sign-in on %s', (backend) => {
  /** Shifts the main app's clock (code expiry and token signing); reset to 0 after each use. */
  let clockOffsetMs = 0;
  let t: TestApp;
  const started: TestApp[] = [];
  const fakes: FakeKavenegar[] = [];

  /** Another app over a fresh database, e.g. with the real rate limits; closed in afterAll. */
  const startApp = async (
    env: Record<string, string>,
    extra: Omit<TestAppOptions, 'backend' | 'env'> = {},
  ) => {
    const app = await startTestApp({ backend, env, ...extra });
    started.push(app);
    return app;
  };

  beforeAll(async () => {
    t = await startTestApp({ backend, now: () => Date.now() + clockOffsetMs });
    started.push(t);
  });

  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
    await Promise.all(fakes.map((fake) => fake.close()));
  });

  it('signs every way of writing one number in as the same user, code typed in Persian digits too', async () => {
    const e164 = uniquePhone();
    const nat = national(e164);
    const forms = [nat, e164, e164.slice(1), `00${e164.slice(1)}`, toPersian(nat), toArabicIndic(nat)];
    expect(forms).toEqual([
      expect.stringMatching(/^09\d{9}$/),
      expect.stringMatching(/^\+98\d{10}$/),
      expect.stringMatching(/^98\d{10}$/),
      expect.stringMatching(/^0098\d{10}$/),
      expect.stringMatching(/^[۰-۹]{11}$/),
      expect.stringMatching(/^[٠-٩]{11}$/),
    ]);

    const userIds: string[] = [];
    for (const [i, form] of forms.entries()) {
      if (i > 0) await sleep(PAST_INTERVAL_MS);
      const sent = await requestCode(t, form);
      expect(sent.status).toBe(200);
      const code = t.lastCode(e164);
      expect(code).toMatch(/^\d{6}$/);
      // Verify with a different form than the one the code was asked with.
      const verifyForm = forms[(i + 1) % forms.length]!;
      const typed = i % 2 === 0 ? toPersian(code!) : code!;
      const verified = await verify(t, verifyForm, typed);
      expect(verified.status).toBe(200);
      expect(verified.body.user.phone).toBe(e164);
      userIds.push(verified.body.user.id);
    }
    expect(userIds).toHaveLength(forms.length);
    expect(new Set(userIds).size).toBe(1);
    expect(userIds[0]).toMatch(UUID);
  });

  it('refuses invalid phone numbers with 400 and an {error:{code,message}} body', async () => {
    const cases: [unknown, string][] = [
      ['abc', 'auth/invalid_phone'],
      ['0912123456', 'auth/invalid_phone'], // one digit short
      ['02188776655', 'auth/invalid_phone'], // Tehran landline: cannot receive the SMS
      ['', 'auth/invalid_phone'],
      [`${' '.repeat(30)}09121234567`, 'validation/invalid'], // 41 characters: over the schema limit
      [9121234567, 'validation/invalid'], // a number, not a string
      [null, 'validation/invalid'],
    ];
    for (const [phone, code] of cases) {
      const res = await t.request('POST', '/api/v1/auth/otp', { body: { phone } });
      expectError(res, 400, code);
      const verified = await t.request('POST', '/api/v1/auth/verify', { body: { phone, code: '123456' } });
      expectError(verified, 400, code);
    }
    const noPhone = await t.request('POST', '/api/v1/auth/otp', { body: {} });
    expectError(noPhone, 400, 'validation/invalid');
  });

  it('makes a new phone a customer and answers tokens plus the user with its E.164 phone', async () => {
    const e164 = uniquePhone();
    const sent = await requestCode(t, national(e164));
    expect(sent.status).toBe(200);
    // The test defaults: 120 s codes, one request per phone per 1 s.
    expect(sent.body).toEqual({ sent: true, expiresInSeconds: 120, retryAfterSeconds: 1 });

    const res = await verify(t, national(e164), t.lastCode(e164));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'user'].sort(),
    );
    expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(res.body.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(res.body.refreshToken).not.toBe(res.body.accessToken);
    const expiresAt = Date.parse(res.body.accessTokenExpiresAt);
    expect(new Date(expiresAt).toISOString()).toBe(res.body.accessTokenExpiresAt);
    // JWT_ACCESS_TTL_SECONDS defaults to 900.
    expect(Math.abs(expiresAt - (Date.now() + 900_000))).toBeLessThan(10_000);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(UUID),
      name: null,
      role: 'customer',
      lastSeenAt: null,
      phone: e164,
    });

    const self = await me(t, res.body.accessToken);
    expect(self.status).toBe(200);
    expect(self.body).toEqual(res.body.user);
  });

  it('refuses a wrong code with 400 auth/invalid_code', async () => {
    const e164 = uniquePhone();
    expect((await requestCode(t, e164)).status).toBe(200);
    const code = t.lastCode(e164)!;
    expectError(await verify(t, e164, wrongCode(code)), 400, 'auth/invalid_code');
    // A wrong guess does not spend the code.
    expect((await verify(t, e164, code)).status).toBe(200);
  });

  it('drops the code after OTP_MAX_ATTEMPTS wrong codes: 429 auth/too_many_attempts, then even the right code fails', async () => {
    const e164 = uniquePhone();
    expect((await requestCode(t, e164)).status).toBe(200);
    const code = t.lastCode(e164)!;
    for (let i = 0; i < 5; i++) {
      expectError(await verify(t, e164, wrongCode(code)), 400, 'auth/invalid_code');
    }
    expectError(await verify(t, e164, code), 429, 'auth/too_many_attempts');
    expectError(await verify(t, e164, code), 400, 'auth/invalid_code');
    // A new code works again.
    await sleep(PAST_INTERVAL_MS);
    expect((await requestCode(t, e164)).status).toBe(200);
    expect((await verify(t, e164, t.lastCode(e164))).status).toBe(200);
  });

  it('makes a code single-use: a second verify with it answers 400', async () => {
    const e164 = uniquePhone();
    expect((await requestCode(t, e164)).status).toBe(200);
    const code = t.lastCode(e164)!;
    expect((await verify(t, e164, code)).status).toBe(200);
    expectError(await verify(t, e164, code), 400, 'auth/invalid_code');
    expectError(await verify(t, national(e164), toPersian(code)), 400, 'auth/invalid_code');
  });

  it('refuses an expired code with 400 auth/code_expired', async () => {
    const e164 = uniquePhone();
    expect((await requestCode(t, e164)).status).toBe(200);
    const code = t.lastCode(e164)!;
    try {
      clockOffsetMs = 121_000; // OTP_TTL_SECONDS defaults to 120
      expectError(await verify(t, e164, code), 400, 'auth/code_expired');
    } finally {
      clockOffsetMs = 0;
    }
    // The expired code is gone, even with the clock back.
    expectError(await verify(t, e164, code), 400, 'auth/invalid_code');
  });

  it('refuses a code that is not 6 digits with 400, without spending an attempt', async () => {
    const e164 = uniquePhone();
    expect((await requestCode(t, e164)).status).toBe(200);
    const code = t.lastCode(e164)!;
    for (const bad of ['12345', '1234567', 'abcdef', '12345a', '', '۱۲۳۴۵', `${code}0`]) {
      expectError(await verify(t, e164, bad), 400, 'auth/invalid_code');
    }
    expectError(await verify(t, e164, '1'.repeat(17)), 400, 'validation/invalid');
    expectError(await verify(t, e164, undefined), 400, 'validation/invalid');
    expectError(
      await t.request('POST', '/api/v1/auth/verify', { body: { phone: e164, code: 123456 } }),
      400,
      'validation/invalid',
    );
    // Eight malformed codes above, more than OTP_MAX_ATTEMPTS, and the right one still works.
    expect((await verify(t, e164, code)).status).toBe(200);
  });

  it('rotates refresh tokens; reusing an old one is refused and revokes the newest of its family', async () => {
    const e164 = uniquePhone();
    const first = await t.signIn(e164);
    await sleep(PAST_INTERVAL_MS);
    const otherSession = await t.signIn(e164);
    expect(otherSession.user.id).toBe(first.user.id);

    const second = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.user).toEqual(first.user);
    expect((await me(t, second.body.accessToken)).body.id).toBe(first.user.id);

    // The new refresh token works.
    const third = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(third.status).toBe(200);

    // The first one was rotated: using it again is reuse.
    const reuse = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expectError(reuse, 401, 'auth/invalid_refresh_token');
    // ... which revoked the whole family, the newest token included.
    const newest = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: third.body.refreshToken },
    });
    expectError(newest, 401, 'auth/invalid_refresh_token');

    // Another session (another sign-in) of the same user is untouched.
    const other = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: otherSession.refreshToken },
    });
    expect(other.status).toBe(200);
  });

  it('revokes the session on logout: refreshing afterwards answers 401', async () => {
    const session = await t.signIn(uniquePhone());
    const out = await t.request('POST', '/api/v1/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    expect(out.status).toBe(204);
    expect(out.body).toBeNull();
    const after = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expectError(after, 401, 'auth/invalid_refresh_token');
  });

  it('ends the session at logout: its access token is refused and its open sockets closed at once', async () => {
    const session = await t.signIn(uniquePhone());
    const other = await t.signIn(uniquePhone());
    const socket = await connect(t.url, session.accessToken);
    const otherSocket = await connect(t.url, other.accessToken);
    const closed = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    expect((await me(t, session.accessToken)).status).toBe(200);
    const out = await t.request('POST', '/api/v1/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    expect(out.status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expectError(await me(t, session.accessToken), 401, 'auth/invalid_token');
    // Nor can it connect again.
    await expect(connect(t.url, session.accessToken)).rejects.toThrow(/auth\/invalid_token/);
    // Someone else's session is untouched.
    expect(otherSocket.connected).toBe(true);
    expect((await me(t, other.accessToken)).status).toBe(200);
    otherSocket.close();
  });

  it('two refreshes of the same token at once (two tabs) get the same new pair, and the session lives on', async () => {
    const session = await t.signIn(uniquePhone());
    const [a, b] = await Promise.all([
      t.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      t.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refreshToken).toBe(b.body.refreshToken);
    expect(a.body.accessToken).toBe(b.body.accessToken);
    // A moment later, the same token once more (a retry after a lost reply): the same pair again.
    const late = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(late.body.refreshToken).toBe(a.body.refreshToken);
    // Not taken for theft: the new token works.
    const next = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: a.body.refreshToken },
    });
    expect(next.status).toBe(200);
    expect((await me(t, next.body.accessToken)).status).toBe(200);
  });

  it('refuses a garbage refresh token with 401 and a missing one with 400', async () => {
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      expectError(
        await t.request('POST', path, { body: { refreshToken: 'not-a-refresh-token' } }),
        401,
        'auth/invalid_refresh_token',
      );
      expectError(await t.request('POST', path), 400, 'validation/invalid');
      expectError(await t.request('POST', path, { body: {} }), 400, 'validation/invalid');
      expectError(
        await t.request('POST', path, { raw: '', headers: { 'content-type': 'application/json' } }),
        400,
        'validation/invalid',
      );
      expectError(await t.request('POST', path, { body: { refreshToken: '' } }), 400, 'validation/invalid');
    }
  });

  it('checks the access token on a protected route: missing, garbage, foreign, expired', async () => {
    const session = await t.signIn(uniquePhone());
    const path = '/api/v1/users/me';
    expect((await me(t, session.accessToken)).status).toBe(200);

    expectError(await t.request('GET', path), 401, 'auth/unauthenticated');
    expectError(
      await t.request('GET', path, { headers: { authorization: `Basic ${session.accessToken}` } }),
      401,
      'auth/unauthenticated',
    );
    expectError(await me(t, 'garbage'), 401, 'auth/invalid_token');

    const nowSeconds = Math.floor(Date.now() / 1000);
    const sign = (secret: string, claims: { iat: number; exp: number; aud?: string }) =>
      new SignJWT({ role: 'customer' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(session.user.id)
        .setIssuer(ISSUER)
        .setAudience(claims.aud ?? AUDIENCE)
        .setIssuedAt(claims.iat)
        .setExpirationTime(claims.exp)
        .sign(new TextEncoder().encode(secret));

    // The same claims with the right secret are accepted, so the refusals below are about one thing each.
    const good = await sign(TEST_JWT_SECRET, { iat: nowSeconds, exp: nowSeconds + 600 });
    const accepted = await me(t, good);
    expect(accepted.status).toBe(200);
    expect(accepted.body.id).toBe(session.user.id);

    const foreign = await sign('another-secret-that-is-also-long-enough-for-hs256', {
      iat: nowSeconds,
      exp: nowSeconds + 600,
    });
    expectError(await me(t, foreign), 401, 'auth/invalid_token');
    const wrongAudience = await sign(TEST_JWT_SECRET, { iat: nowSeconds, exp: nowSeconds + 600, aud: 'x' });
    expectError(await me(t, wrongAudience), 401, 'auth/invalid_token');
    const expired = await sign(TEST_JWT_SECRET, { iat: nowSeconds - 4000, exp: nowSeconds - 3600 });
    expectError(await me(t, expired), 401, 'auth/token_expired');
  });

  it('accepts a token expired by 10 s with JWT_CLOCK_SKEW_SECONDS=30 and refuses it with 0', async () => {
    const session = await t.signIn(uniquePhone());
    // Issued 20 s ago with a 10 s lifetime: expired 10 s ago.
    const minter = new TokenService({
      secret: TEST_JWT_SECRET,
      ttlSeconds: 10,
      clockSkewSeconds: 0,
      now: () => Date.now() - 20_000,
    });
    const { token, expiresAt } = await minter.signAccess(session.user.id, 'customer');
    expect(expiresAt.getTime()).toBeLessThan(Date.now() - 9_000);

    // The main app runs with the default skew of 30 s.
    expect(t.app.config.JWT_CLOCK_SKEW_SECONDS).toBe(30);
    const tolerated = await me(t, token);
    expect(tolerated.status).toBe(200);
    expect(tolerated.body.id).toBe(session.user.id);

    const strict = await startApp({ JWT_CLOCK_SKEW_SECONDS: '0' });
    expectError(await me(strict, token), 401, 'auth/token_expired');
  });

  describe('with Kavenegar failing', () => {
    let fake: FakeKavenegar;
    let app: TestApp;
    let smsLogs: string[];

    beforeAll(async () => {
      fake = await startFakeKavenegar();
      fakes.push(fake);
      const captured = capturingLogger();
      smsLogs = captured.lines;
      const sms = new KavenegarSmsProvider({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        otpTemplate: 'abrik-otp',
        timeoutMs: 500,
        logger: captured.logger,
      });
      // A 60 s interval, so a retry that is not refused proves the limit was given back.
      app = await startApp({ OTP_PHONE_INTERVAL_SECONDS: '60' }, { sms });
    });

    it('answers 502 sms/provider_error when Kavenegar refuses, gives the limit back, and a retry signs in', async () => {
      const e164 = uniquePhone();
      const receptor = national(e164);
      fake.failNext(418);
      const failed = await requestCode(app, e164);
      expectError(failed, 502, 'sms/provider_error');

      // The code of the failed send was forgotten: not even it works.
      const lost = fake.requests.at(-1)!;
      expect(lost.path).toBe('verify/lookup');
      expect(lost.params.receptor).toBe(receptor);
      expectError(await verify(app, e164, lost.params.token), 400, 'auth/invalid_code');

      // Not rate limited although the interval is 60 s.
      const retry = await requestCode(app, e164);
      expect(retry.status).toBe(200);
      const sent = fake.requests.at(-1)!;
      expect(sent).toEqual({
        path: 'verify/lookup',
        apiKey: fake.apiKey,
        params: { receptor, token: expect.stringMatching(/^\d{6}$/), template: 'abrik-otp' },
      });
      const code = fake.lastOtp(receptor);
      expect(code).toBe(sent.params.token);

      const signedIn = await verify(app, e164, code);
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user.phone).toBe(e164);

      // The accepted request did count: the next one within the interval is limited.
      expectError(await requestCode(app, e164), 429, 'rate_limited');

      // The provider logged the refusal without the number, the code or the API key.
      const refusal = smsLogs.find((line) => line.includes('"status":418'));
      expect(refusal).toBeDefined();
      for (const line of smsLogs) {
        expect(line).not.toContain(e164.slice(3));
        expect(line).not.toContain(lost.params.token);
        expect(line).not.toContain(code);
        expect(line).not.toContain(fake.apiKey);
      }
    });

    it('answers 503 sms/provider_error with Retry-After when Kavenegar is unavailable', async () => {
      const e164 = uniquePhone();
      fake.failNext(503);
      const failed = await requestCode(app, e164);
      expectError(failed, 503, 'sms/provider_error');
      expect(failed.headers.get('retry-after')).toBe('30');
      const retry = await requestCode(app, e164);
      expect(retry.status).toBe(200);
      expect(fake.lastOtp(national(e164))).toMatch(/^\d{6}$/);
    });
  });

  it('writes neither the phone, the code nor the tokens to the app logs', async () => {
    const e164 = uniquePhone();
    const before = t.logs.length;
    expect((await requestCode(t, national(e164))).status).toBe(200);
    const code = t.lastCode(e164)!;
    expectError(await verify(t, e164, wrongCode(code)), 400, 'auth/invalid_code');
    const verified = await verify(t, toPersian(national(e164)), code);
    expect(verified.status).toBe(200);
    const refreshed = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: verified.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect((await me(t, refreshed.body.accessToken)).status).toBe(200);
    await t.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: verified.body.refreshToken } });

    const appLines = t.logs.filter(
      (line) => (JSON.parse(line) as { component?: string }).component !== 'sms.log',
    );
    const written = appLines.join('\n');
    // The app did log this flow (requests, the new customer, the refresh reuse)...
    expect(t.logs.length).toBeGreaterThan(before);
    expect(written).toContain(verified.body.user.id);
    // ... without any of its secrets.
    const secrets = {
      phone: e164.slice(3),
      code,
      accessToken: verified.body.accessToken,
      refreshToken: verified.body.refreshToken,
      newAccessToken: refreshed.body.accessToken,
      newRefreshToken: refreshed.body.refreshToken,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: written.includes(secret) }).toEqual({ name, found: false });
    }
  });

  it('writes error messages in Persian by default and in English when Accept-Language asks', async () => {
    const persian = await requestCode(t, 'abc');
    expectError(persian, 400, 'auth/invalid_phone');
    expect(persian.body.error.message).toBe('شمارهٔ تلفن همراه معتبر نیست.');

    const english = await requestCode(t, 'abc', { 'accept-language': 'en' });
    expectError(english, 400, 'auth/invalid_phone');
    expect(english.body.error.message).toBe('This is not a valid mobile phone number.');

    const preferred = await requestCode(t, 'abc', { 'accept-language': 'de-DE, en-US;q=0.8, fa;q=0.5' });
    expect(preferred.body.error.message).toBe('This is not a valid mobile phone number.');
    const unknown = await requestCode(t, 'abc', { 'accept-language': 'de' });
    expect(unknown.body.error.message).toBe('شمارهٔ تلفن همراه معتبر نیست.');

    const unauthenticated = await t.request('GET', '/api/v1/users/me', {
      headers: { 'accept-language': 'en' },
    });
    expectError(unauthenticated, 401, 'auth/unauthenticated');
    expect(unauthenticated.body.error.message).toBe('You need to sign in for this.');
    const unauthenticatedFa = await t.request('GET', '/api/v1/users/me');
    expect(unauthenticatedFa.body.error.message).toBe('برای این کار باید وارد شوید.');
  });
});

/**
 * The request limits, each on an app started with its own: they count in memory (or Redis), not
 * in the database, so they run once, on PostgreSQL, where such an app starts in about a second
 * instead of several. The sign-in flow under them runs on both backends above.
 */
describe.each(BACKENDS.filter((b) => b === 'postgres'))('code request limits on %s', (backend) => {
  const started: TestApp[] = [];
  const startApp = async (env: Record<string, string>) => {
    const app = await startTestApp({ backend, env });
    started.push(app);
    return app;
  };

  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
  });

  it('limits code requests per phone: a second one within the interval answers 429 with Retry-After', async () => {
    const app = await startApp({ OTP_PHONE_INTERVAL_SECONDS: '60' });
    const e164 = uniquePhone();
    const first = await requestCode(app, e164);
    expect(first.status).toBe(200);
    expect(first.body.retryAfterSeconds).toBe(60);

    // Another way of writing the same number is the same phone for the limit.
    for (const again of [e164, national(e164)]) {
      const res = await requestCode(app, again);
      expectError(res, 429, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body.error.details).toEqual({ retryAfterSeconds: retryAfter });
    }
    // Another phone is not held back by it.
    expect((await requestCode(app, uniquePhone())).status).toBe(200);
  });

  it('limits code requests per phone per hour: the 6th request in the hour answers 429', async () => {
    const app = await startApp({ OTP_PHONE_INTERVAL_SECONDS: '1', OTP_PHONE_PER_HOUR: '5' });
    const e164 = uniquePhone();
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(PAST_INTERVAL_MS);
      const res = await requestCode(app, e164);
      expect({ request: i + 1, status: res.status }).toEqual({ request: i + 1, status: 200 });
    }
    await sleep(PAST_INTERVAL_MS);
    const sixth = await requestCode(app, e164);
    expectError(sixth, 429, 'rate_limited');
    // The hourly window, not the 1 s interval, holds it back.
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });

  it('limits code requests per IP: the 4th request for different phones answers 429', async () => {
    const app = await startApp({ OTP_REQUESTS_PER_IP_HOUR: '3' });
    for (let i = 0; i < 3; i++) {
      expect((await requestCode(app, uniquePhone())).status).toBe(200);
    }
    const fourth = await requestCode(app, uniquePhone());
    expectError(fourth, 429, 'rate_limited');
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });
});
