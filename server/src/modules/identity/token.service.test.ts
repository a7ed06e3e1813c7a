import { describe, expect, it } from 'vitest';
import { TokenService } from './token.service.js';

const secret = 'a-test-secret-of-more-than-thirty-two-characters';
const userId = '6f1c1b7e-3a55-4d8b-9a57-0f5c1ad2f001';

describe(TokenService.name, () => {
  it('round-trips a token and its claims', async () => {
    const tokens = new TokenService({ secret: secret, ttlSeconds: 900, clockSkewSeconds: 30 });
    const { token, expiresAt } = await tokens.signAccess(userId, 'agent');
    const claims = await tokens.verifyAccess(token);
    expect(claims).toEqual({ userId, role: 'agent', expiresAt: Math.floor(expiresAt.getTime() / 1000) });
  });

  it('accepts a token expired within the clock skew tolerance, and refuses it beyond', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const issuer = new TokenService({ secret: secret, ttlSeconds: 60, clockSkewSeconds: 0, now: () => now });
    const { token } = await issuer.signAccess(userId, 'customer');
    now += 70_000; // 10 s past expiry
    await expect(
      new TokenService({ secret: secret, ttlSeconds: 60, clockSkewSeconds: 30, now: () => now }).verifyAccess(
        token,
      ),
    ).resolves.toMatchObject({
      userId,
    });
    await expect(
      new TokenService({ secret: secret, ttlSeconds: 60, clockSkewSeconds: 0, now: () => now }).verifyAccess(
        token,
      ),
    ).rejects.toMatchObject({
      status: 401,
      code: 'auth/token_expired',
    });
  });

  it('refuses tokens signed with another secret, tampered with, or not JWTs', async () => {
    const mine = new TokenService({ secret: secret, ttlSeconds: 900, clockSkewSeconds: 0 });
    const theirs = new TokenService({ secret: `${secret}-other`, ttlSeconds: 900, clockSkewSeconds: 0 });
    const { token } = await theirs.signAccess(userId, 'admin');
    await expect(mine.verifyAccess(token)).rejects.toMatchObject({ code: 'auth/invalid_token' });
    const good = (await mine.signAccess(userId, 'customer')).token;
    const [h, p, s] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    await expect(mine.verifyAccess(`${h}.${forged}.${s}`)).rejects.toMatchObject({
      code: 'auth/invalid_token',
    });
    await expect(mine.verifyAccess('garbage')).rejects.toMatchObject({ code: 'auth/invalid_token' });
  });
});
