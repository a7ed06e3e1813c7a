import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC_INDIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';
const toPersian = (s: string) => s.replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)]!);
const toArabicIndic = (s: string) => s.replace(/\d/g, (d) => ARABIC_INDIC_DIGITS[Number(d)]!);
/** `+989121234567` → `09121234567`. */
const national = (e164: string) => `0${e164.slice(3)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectError(res: { status: number; body: any }, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error.message).toBe('string');
}

describe.each(BACKENDS)('users on %s', (backend) => {
  let t: TestApp;
  const started: TestApp[] = [];

  const lookup = (app: TestApp, who: AuthResult, phone: string) =>
    app.request('GET', `/api/v1/users/lookup?phone=${encodeURIComponent(phone)}`, { token: who.accessToken });
  const rename = (who: AuthResult, name: unknown) =>
    t.request('PATCH', '/api/v1/users/me', { token: who.accessToken, body: { name } });

  beforeAll(async () => {
    t = await startTestApp({ backend });
    started.push(t);
  });

  afterAll(async () => {
    await Promise.all(started.map((app) => app.close()));
  });

  it('GET /users/me answers the signed-in user with its own phone', async () => {
    const e164 = uniquePhone();
    const session = await t.signIn(e164);
    const res = await t.request('GET', '/api/v1/users/me', { token: session.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      name: null,
      role: 'customer',
      lastSeenAt: null,
      phone: e164,
    });
    expect(res.body.id).toBe(session.user.id);
    expectError(await t.request('GET', '/api/v1/users/me'), 401, 'auth/unauthenticated');
    expectError(
      await t.request('PATCH', '/api/v1/users/me', { body: { name: 'x' } }),
      401,
      'auth/unauthenticated',
    );
  });

  it('PATCH /users/me stores the name trimmed and NFC-normalised', async () => {
    const session = await t.signIn(uniquePhone());
    const decomposed = '  Jose\u0301 Cafe\u0301\t ';
    const renamed = await rename(session, decomposed);
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Jos\u00e9 Caf\u00e9');
    expect(renamed.body).toMatchObject({ id: session.user.id, phone: session.user.phone, role: 'customer' });
    const read = await t.request('GET', '/api/v1/users/me', { token: session.accessToken });
    expect(read.body.name).toBe('Jos\u00e9 Caf\u00e9');

    // Persian with a zero-width non-joiner (a format character, not a control one) is kept as is.
    const persian = await rename(session, ' علی‌رضا ');
    expect(persian.status).toBe(200);
    expect(persian.body.name).toBe('علی‌رضا');

    // 64 code points is the limit, however many UTF-16 units they take.
    expect((await rename(session, 'a'.repeat(64))).body.name).toBe('a'.repeat(64));
    expect((await rename(session, '😀'.repeat(64))).body.name).toBe('😀'.repeat(64));
  });

  it('PATCH /users/me refuses an empty, too long or control-character name with 400 and keeps the old one', async () => {
    const session = await t.signIn(uniquePhone(), 'Keeper');
    const bad: unknown[] = [
      '',
      '   ',
      '\u00a0\t',
      'a'.repeat(65),
      '😀'.repeat(65),
      'a\u0007b',
      'line\nbreak',
      'nul\u0000',
      'del\u007f',
      42,
      null,
    ];
    for (const name of bad) {
      const res = await rename(session, name);
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expectError(res, 400, 'validation/invalid');
    }
    expectError(
      await t.request('PATCH', '/api/v1/users/me', { token: session.accessToken, body: {} }),
      400,
      'validation/invalid',
    );
    const read = await t.request('GET', '/api/v1/users/me', { token: session.accessToken });
    expect(read.body.name).toBe('Keeper');
  });

  it('finds an existing user by any phone form and answers without the phone', async () => {
    const viewer = await t.signIn(uniquePhone());
    const e164 = uniquePhone();
    const target = await t.signIn(e164, 'Bob');
    const nat = national(e164);
    const forms = [
      nat,
      e164,
      e164.slice(1),
      `00${e164.slice(1)}`,
      toPersian(nat),
      toArabicIndic(nat),
      `${nat.slice(0, 4)} ${nat.slice(4, 7)} ${nat.slice(7)}`,
    ];
    for (const form of forms) {
      const res = await lookup(t, viewer, form);
      expect({ form, status: res.status }).toEqual({ form, status: 200 });
      expect(res.body).toEqual({ id: target.user.id, name: 'Bob', role: 'customer', lastSeenAt: null });
      expect(JSON.stringify(res.body)).not.toContain(e164.slice(3));
    }
    // The Persian digits travel percent-encoded.
    expect(`/api/v1/users/lookup?phone=${encodeURIComponent(toPersian(nat))}`).toMatch(/%DB%B0%DB%B9/);
  });

  it('answers 404 user/not_found for a phone nobody signed in with', async () => {
    const viewer = await t.signIn(uniquePhone());
    const res = await lookup(t, viewer, uniquePhone());
    expectError(res, 404, 'user/not_found');
  });

  it('answers 400 for an invalid phone and 401 without a token', async () => {
    const viewer = await t.signIn(uniquePhone());
    for (const phone of ['abc', '0912123456', '02188776655', '']) {
      expectError(await lookup(t, viewer, phone), 400, 'auth/invalid_phone');
    }
    expectError(await lookup(t, viewer, `${' '.repeat(30)}09121234567`), 400, 'validation/invalid');
    expectError(
      await t.request('GET', '/api/v1/users/lookup', { token: viewer.accessToken }),
      400,
      'validation/invalid',
    );
    expectError(
      await t.request('GET', `/api/v1/users/lookup?phone=${encodeURIComponent(viewer.user.phone)}`),
      401,
      'auth/unauthenticated',
    );
  });

  it('keeps looked-up phone numbers out of the logs', async () => {
    const viewer = await t.signIn(uniquePhone());
    const e164 = uniquePhone();
    await t.signIn(e164);
    expect((await lookup(t, viewer, national(e164))).status).toBe(200);
    expect((await lookup(t, viewer, e164)).status).toBe(200);
    const appLines = t.logs.filter(
      (line) => (JSON.parse(line) as { component?: string }).component !== 'sms.log',
    );
    expect(appLines.some((line) => line.includes('/api/v1/users/lookup'))).toBe(true);
    expect(appLines.join('\n')).not.toContain(e164.slice(3));
  });

  it('limits look-ups per user: with LOOKUP_PER_USER_HOUR=3 the 4th, found or not, answers 429', async () => {
    const app = await startTestApp({ backend, env: { LOOKUP_PER_USER_HOUR: '3' } });
    started.push(app);
    const viewer = await app.signIn(uniquePhone());
    const other = await app.signIn(uniquePhone());
    const known = await app.signIn(uniquePhone(), 'Known');

    expect((await lookup(app, viewer, known.user.phone)).status).toBe(200);
    expect((await lookup(app, viewer, uniquePhone())).status).toBe(404);
    expect((await lookup(app, viewer, national(known.user.phone))).status).toBe(200);
    for (const phone of [known.user.phone, uniquePhone()]) {
      const res = await lookup(app, viewer, phone);
      expectError(res, 429, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    // The limit is the viewer's own: someone else can still look up.
    const others = await lookup(app, other, known.user.phone);
    expect(others.status).toBe(200);
    expect(others.body.id).toBe(known.user.id);
  });
});
