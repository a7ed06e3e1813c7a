import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/modules/identity/token.service.js';
import { type AuthResult, startTestApp, TEST_JWT_SECRET, type TestApp, uniquePhone } from './support/app.js';
import { call, connect, next } from './support/sockets.js';

const TTL = 900;

/** Mints a token for the app's secret that expires `inSeconds` from now. */
function expiringToken(userId: string, role: 'customer' | 'agent' | 'admin', inSeconds: number) {
  const issuer = new TokenService({
    secret: TEST_JWT_SECRET,
    ttlSeconds: TTL,
    clockSkewSeconds: 0,
    now: () => Date.now() - (TTL - inSeconds) * 1000,
  });
  return issuer.signAccess(userId, role).then((r) => r.token);
}

describe('socket token expiry', () => {
  let t: TestApp;
  let alice: AuthResult;
  let bob: AuthResult;

  beforeAll(async () => {
    t = await startTestApp({ env: { SOCKET_AUTH_GRACE_SECONDS: '1' } });
    [alice, bob] = await Promise.all([t.signIn(uniquePhone(), 'Alice'), t.signIn(uniquePhone(), 'Bob')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('warns with auth:expired, then closes the socket when no refresh comes within the grace period', async () => {
    const socket = await connect(t.url, await expiringToken(alice.user.id, 'customer', 2));
    const warned = await next(socket, 'auth:expired', () => true, 10_000);
    expect(warned).toEqual({ graceSeconds: 1 });
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
  });

  it('keeps the socket open when the client answers auth:expired with a fresh token', async () => {
    const socket = await connect(t.url, await expiringToken(alice.user.id, 'customer', 2));
    let disconnected = false;
    socket.on('disconnect', () => {
      disconnected = true;
    });
    await next(socket, 'auth:expired', () => true, 10_000);
    const refreshed = await call<{ expiresAt: string }>(socket, 'auth:refresh', { token: alice.accessToken });
    expect(refreshed.ok).toBe(true);
    if (refreshed.ok) expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now() + 60_000);
    await new Promise((r) => setTimeout(r, 1800)); // past the 1 s grace period
    expect(disconnected).toBe(false);
    const conv = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    const sent = await call(socket, 'message:send', {
      conversationId: conv.body.id,
      clientMsgId: 'after-refresh',
      body: 'hi',
    });
    expect(sent.ok).toBe(true);
    socket.close();
  });

  it("refuses a refresh with another user's token or a bad token, and keeps the rules of the first", async () => {
    const socket = await connect(t.url, alice.accessToken);
    expect(await call(socket, 'auth:refresh', { token: bob.accessToken })).toMatchObject({
      ok: false,
      error: { code: 'auth/invalid_token' },
    });
    expect(await call(socket, 'auth:refresh', { token: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'auth/invalid_token' },
    });
    expect(await call(socket, 'auth:refresh', {})).toMatchObject({
      ok: false,
      error: { code: 'validation/invalid' },
    });
    socket.close();
  });

  it('refuses a handshake with an expired token', async () => {
    const issuer = new TokenService({
      secret: TEST_JWT_SECRET,
      ttlSeconds: 60,
      clockSkewSeconds: 0,
      now: () => Date.now() - 3_600_000,
    });
    const { token } = await issuer.signAccess(alice.user.id, 'customer');
    await expect(connect(t.url, token)).rejects.toMatchObject({ data: { code: 'auth/token_expired' } });
  });

  it('answers errors in the language the client asked for', async () => {
    const en = await connect(t.url, alice.accessToken, { lang: 'en' });
    const fa = await connect(t.url, alice.accessToken);
    const body = { conversationId: '00000000-0000-4000-8000-000000000000', clientMsgId: 'x', body: 'x' };
    expect(await call(en, 'message:send', body)).toMatchObject({
      error: { message: 'Conversation not found.' },
    });
    expect(await call(fa, 'message:send', body)).toMatchObject({ error: { message: 'گفتگو پیدا نشد.' } });
    en.close();
    fa.close();
  });
});
