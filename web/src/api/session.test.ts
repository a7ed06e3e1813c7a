import type { AuthTokens } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { SESSION_STORAGE_KEY, Session } from './session.js';

const USER = {
  id: '00000000-0000-4000-8000-000000000001',
  name: null,
  role: 'customer' as const,
  lastSeenAt: null,
  phone: '+989121234567',
};
const NOW = Date.parse('2024-03-20T12:00:00Z');

function tokens(n: number, expiresInMs = 900_000): AuthTokens {
  return {
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    accessTokenExpiresAt: new Date(NOW + expiresInMs).toISOString(),
    user: USER,
  };
}

describe(Session.name, () => {
  it('keeps the tokens across a reload', () => {
    const a = new Session(
      async () => tokens(2),
      localStorage,
      () => NOW,
    );
    a.signIn(tokens(1));
    const b = new Session(
      async () => tokens(2),
      localStorage,
      () => NOW,
    );
    expect(b.current?.refreshToken).toBe('refresh-1');
  });

  it('refreshes an access token about to expire, once for many callers', async () => {
    const presented: string[] = [];
    const session = new Session(
      async (refreshToken) => {
        presented.push(refreshToken);
        return tokens(2);
      },
      localStorage,
      () => NOW,
    );
    session.signIn(tokens(1, 5_000)); // expires in 5 s
    const all = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(all).toEqual(['access-2', 'access-2', 'access-2']);
    expect(presented).toEqual(['refresh-1']);
    expect(JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY)!).refreshToken).toBe('refresh-2');
  });

  it('gives a still valid access token without refreshing', async () => {
    let refreshed = 0;
    const session = new Session(
      async () => {
        refreshed++;
        return tokens(2);
      },
      localStorage,
      () => NOW,
    );
    session.signIn(tokens(1));
    expect(await session.accessToken()).toBe('access-1');
    expect(refreshed).toBe(0);
  });

  it('adopts the tokens another tab rotated instead of spending the old refresh token again', async () => {
    const presented: string[] = [];
    const session = new Session(
      async (t) => {
        presented.push(t);
        return tokens(9);
      },
      localStorage,
      () => NOW,
    );
    session.signIn(tokens(1, 5_000));
    // Another tab rotated meanwhile and wrote its tokens.
    localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ ...tokens(2), user: USER }));
    expect(await session.accessToken()).toBe('access-2');
    expect(presented).toEqual([]);
  });

  it('signs out when the refresh token is refused', async () => {
    const session = new Session(
      async () => {
        throw new ApiError(401, 'auth/invalid_refresh_token', 'sign in again');
      },
      localStorage,
      () => NOW,
    );
    session.signIn(tokens(1, 5_000));
    expect(await session.accessToken()).toBeNull();
    expect(session.current).toBeNull();
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('stays signed in when the server cannot be reached', async () => {
    const session = new Session(
      async () => {
        throw new ApiError(0, 'network', '');
      },
      localStorage,
      () => NOW,
    );
    session.signIn(tokens(1, 5_000));
    await expect(session.accessToken()).rejects.toThrow(ApiError);
    expect(session.current?.refreshToken).toBe('refresh-1');
    session.signOut();
  });
});
