import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  memoryReplayGuard,
  userHashOf,
  verifyIdentityToken,
  verifyUserHash,
  type WidgetSecrets,
} from './identity.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const SECRET = 'current-secret-of-the-widget-32-bytes!';
const OLD = 'previous-secret-of-the-widget-32-byte!';
const secrets: WidgetSecrets = { current: SECRET, previous: null, previousExpiresAt: null };
const rotated = (until: number): WidgetSecrets => ({
  current: SECRET,
  previous: OLD,
  previousExpiresAt: new Date(until),
});

let jtis = 0;
async function sign(
  claims: Record<string, unknown>,
  options: { secret?: string; exp?: number | null; alg?: 'HS256' | 'HS512' } = {},
) {
  jtis += 1;
  const body = { sub: 'customer-42', jti: `jti-${jtis}`, ...claims };
  const jwt = new SignJWT(body).setProtectedHeader({ alg: options.alg ?? 'HS256' });
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? Math.floor(NOW / 1000) + 600);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const check = (s: WidgetSecrets = secrets, replay = memoryReplayGuard(() => NOW)) => ({
  widgetId: 'w1',
  secrets: s,
  now: NOW,
  replay,
  clockSkewSeconds: 30,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
}

describe(verifyIdentityToken.name, () => {
  it('accepts a token signed with the current secret and answers its claims', async () => {
    const token = await sign({ name: 'Sara', email: 'sara@example.ir', phone: '+989121234567' });
    expect(await verifyIdentityToken(token, check())).toEqual({
      sub: 'customer-42',
      name: 'Sara',
      email: 'sara@example.ir',
      phone: '+989121234567',
    });
  });

  it('refuses a token signed with another secret as invalid', async () => {
    expect(await codeOf(verifyIdentityToken(await sign({}, { secret: 'someone-else' }), check()))).toBe(
      'widget/identity_invalid',
    );
  });

  it('refuses a token whose signature was tampered with', async () => {
    const token = await sign({});
    const [header, , signature] = token.split('.');
    const claims = { sub: 'admin', jti: 'x', exp: NOW / 1000 + 60 };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect(await codeOf(verifyIdentityToken(forged, check()))).toBe('widget/identity_invalid');
  });

  it('refuses an unsigned (alg none) and a non-HS256 token', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'a', jti: 'b', exp: NOW / 1000 + 60 }),
    ).toString('base64url')}.`;
    expect(await codeOf(verifyIdentityToken(none, check()))).toBe('widget/identity_invalid');
    expect(await codeOf(verifyIdentityToken(await sign({}, { alg: 'HS512' }), check()))).toBe(
      'widget/identity_invalid',
    );
  });

  it('refuses an expired token (beyond the clock skew)', async () => {
    const token = await sign({}, { exp: Math.floor(NOW / 1000) - 31 });
    expect(await codeOf(verifyIdentityToken(token, check()))).toBe('widget/identity_expired');
  });

  it('refuses a token valid for more than 24 hours', async () => {
    const token = await sign({}, { exp: Math.floor(NOW / 1000) + 24 * 3600 + 120 });
    expect(await codeOf(verifyIdentityToken(token, check()))).toBe('widget/identity_too_long');
  });

  it.each([
    ['sub', { sub: undefined }, {}],
    ['jti', { jti: undefined }, {}],
    ['exp', {}, { exp: null }],
    ['an empty sub', { sub: '' }, {}],
    ['a numeric sub', { sub: 42 }, {}],
    ['a name that is not text', { name: { first: 'x' } }, {}],
  ] as const)('refuses a token without %s', async (_what, claims, options) => {
    const token = await sign({ ...claims }, options as { exp?: null });
    expect(await codeOf(verifyIdentityToken(token, check()))).toBe('widget/identity_invalid');
  });

  it('refuses the same jti a second time, and burns none on a refused token', async () => {
    const replay = memoryReplayGuard(() => NOW);
    const token = await sign({ jti: 'once' });
    expect(await codeOf(verifyIdentityToken(token, check(secrets, replay)))).toBe('accepted');
    expect(await codeOf(verifyIdentityToken(token, check(secrets, replay)))).toBe('widget/identity_replayed');
    // A too-long token with a jti is refused before its jti is remembered.
    const tooLong = await sign({ jti: 'fresh' }, { exp: Math.floor(NOW / 1000) + 2 * 86_400 });
    expect(await codeOf(verifyIdentityToken(tooLong, check(secrets, replay)))).toBe(
      'widget/identity_too_long',
    );
    expect(await codeOf(verifyIdentityToken(await sign({ jti: 'fresh' }), check(secrets, replay)))).toBe(
      'accepted',
    );
  });

  it('keeps the jti of another widget apart', async () => {
    const replay = memoryReplayGuard(() => NOW);
    const token = await sign({ jti: 'shared' });
    await verifyIdentityToken(token, check(secrets, replay));
    expect(await codeOf(verifyIdentityToken(token, { ...check(secrets, replay), widgetId: 'w2' }))).toBe(
      'accepted',
    );
  });

  it('accepts the previous secret during the rotation grace and refuses it after', async () => {
    const old = await sign({}, { secret: OLD });
    expect(await codeOf(verifyIdentityToken(old, check(rotated(NOW + 1000))))).toBe('accepted');
    const again = await sign({}, { secret: OLD });
    expect(await codeOf(verifyIdentityToken(again, check(rotated(NOW - 1))))).toBe('widget/identity_invalid');
    expect(await codeOf(verifyIdentityToken(await sign({}), check(rotated(NOW - 1))))).toBe('accepted');
  });
});

describe(verifyUserHash.name, () => {
  afterEach(() => vi.restoreAllMocks());

  it('accepts the hex HMAC-SHA256 of the user id, compared in constant time', () => {
    const compare = vi.spyOn(crypto, 'timingSafeEqual');
    const hash = userHashOf(SECRET, 'user-7');
    expect(hash).toBe(crypto.createHmac('sha256', SECRET).update('user-7').digest('hex'));
    expect(verifyUserHash('user-7', hash, secrets, NOW).sub).toBe('user-7');
    expect(compare).toHaveBeenCalled();
  });

  it('refuses a hash of another user id, another secret, or of the wrong length', () => {
    for (const hash of [userHashOf(SECRET, 'user-8'), userHashOf('other', 'user-7'), 'abc']) {
      expect(() => verifyUserHash('user-7', hash, secrets, NOW)).toThrow(
        expect.objectContaining({ code: 'widget/identity_invalid', status: 401 }),
      );
    }
  });

  it('accepts the previous secret only until the grace ends', () => {
    const hash = userHashOf(OLD, 'user-7');
    expect(verifyUserHash('user-7', hash, rotated(NOW + 1), NOW).sub).toBe('user-7');
    expect(() => verifyUserHash('user-7', hash, rotated(NOW), NOW)).toThrow(
      expect.objectContaining({ code: 'widget/identity_invalid' }),
    );
  });
});

describe(memoryReplayGuard.name, () => {
  it('forgets a key once its time is over', async () => {
    let now = 0;
    const guard = memoryReplayGuard(() => now);
    expect(await guard.claimOnce('k', 1000)).toBe(true);
    expect(await guard.claimOnce('k', 1000)).toBe(false);
    now = 1000;
    expect(await guard.claimOnce('k', 1000)).toBe(true);
  });
});
