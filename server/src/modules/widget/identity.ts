import crypto from 'node:crypto';
import { WIDGET_IDENTITY_MAX_LIFETIME_SECONDS } from '@abrik/protocol';
import { errors as joseErrors, jwtVerify } from 'jose';
import { AppError } from '../../platform/errors.js';

/**
 * Checks who a widget's visitor is, as the site's backend states it: an HS256 JWT of
 * `{sub, name?, phone?, email?, exp, jti}` signed with the widget's secret, or the HMAC mode
 * (`userHash` = hex HMAC-SHA256(secret, userId)). Pure but for the replay guard it is given.
 * Every refusal is 401 with a `widget/identity_*` code.
 */

/** The secrets a widget accepts now: the current one, and the previous one until it expires. */
export interface WidgetSecrets {
  current: string;
  previous: string | null;
  previousExpiresAt: Date | null;
}

export interface VerifiedIdentity {
  /** The site's stable id of the person. */
  sub: string;
  name: string | undefined;
  phone: string | undefined;
  email: string | undefined;
}

/** Remembers the ids of identity tokens seen, each until its token expires. */
export interface ReplayGuard {
  /** True the first time a key is claimed; false while an earlier claim of it lasts. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

export interface IdentityCheck {
  widgetId: string;
  secrets: WidgetSecrets;
  now: number;
  replay: ReplayGuard;
  clockSkewSeconds?: number;
  maxLifetimeSeconds?: number;
}

const refuse = (code: 'invalid' | 'expired' | 'too_long' | 'replayed') =>
  new AppError(401, `widget/identity_${code}`);

/** The secrets to try, newest first. */
export function validSecrets(secrets: WidgetSecrets, now: number): string[] {
  const previousValid =
    secrets.previous !== null &&
    secrets.previousExpiresAt !== null &&
    secrets.previousExpiresAt.getTime() > now;
  return previousValid ? [secrets.current, secrets.previous as string] : [secrets.current];
}

const Optional = (value: unknown, max: number): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw refuse('invalid');
  return value.trim() || undefined;
};

/** Verifies a site's identity token; its `jti` is claimed last, so a refused token burns none. */
export async function verifyIdentityToken(token: string, check: IdentityCheck): Promise<VerifiedIdentity> {
  const skew = check.clockSkewSeconds ?? 30;
  let payload: Record<string, unknown> | undefined;
  for (const secret of validSecrets(check.secrets, check.now)) {
    try {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp', 'jti'],
        clockTolerance: skew,
        currentDate: new Date(check.now),
      }));
      break;
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) continue; // the next secret
      if (error instanceof joseErrors.JWTExpired) throw refuse('expired');
      throw refuse('invalid');
    }
  }
  if (!payload) throw refuse('invalid');
  const { sub, exp, jti } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw refuse('invalid');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 200) throw refuse('invalid');
  if (typeof exp !== 'number') throw refuse('invalid');
  const maxLifetime = check.maxLifetimeSeconds ?? WIDGET_IDENTITY_MAX_LIFETIME_SECONDS;
  if (exp * 1000 - check.now > (maxLifetime + skew) * 1000) throw refuse('too_long');
  const identity = {
    sub,
    name: Optional(payload.name, 64),
    phone: Optional(payload.phone, 40),
    email: Optional(payload.email, 254),
  };
  // Remembered until the token could no longer be used anyway (its exp, with the clock skew).
  const ttlMs = Math.max(1000, exp * 1000 - check.now + skew * 1000);
  if (!(await check.replay.claimOnce(`${check.widgetId}:${jti}`, ttlMs))) throw refuse('replayed');
  return identity;
}

/** The HMAC mode's hash of a user id: hex HMAC-SHA256(secret, userId). */
export function userHashOf(secret: string, userId: string): string {
  return crypto.createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/**
 * Verifies the HMAC mode (`userId`, `userHash`), comparing in constant time with each valid
 * secret. It carries no expiry or id, so it cannot be refused as replayed: a site that needs that
 * signs tokens instead.
 */
export function verifyUserHash(
  userId: string,
  userHash: string,
  secrets: WidgetSecrets,
  now: number,
): VerifiedIdentity {
  if (userId.length === 0 || userId.length > 200) throw refuse('invalid');
  const given = Buffer.from(userHash.toLowerCase(), 'utf8');
  let matched = false;
  for (const secret of validSecrets(secrets, now)) {
    const expected = Buffer.from(userHashOf(secret, userId), 'utf8');
    // Lengths are not secret (always 64 hex digits); only equal lengths may be compared.
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) throw refuse('invalid');
  return { sub: userId, name: undefined, phone: undefined, email: undefined };
}

/** An in-process replay guard: for a server without Redis, and for tests. */
export function memoryReplayGuard(now: () => number = Date.now): ReplayGuard {
  const seen = new Map<string, number>();
  return {
    async claimOnce(key, ttlMs) {
      const at = now();
      if (seen.size > 10_000) for (const [k, until] of seen) if (until <= at) seen.delete(k);
      const until = seen.get(key);
      if (until !== undefined && until > at) return false;
      seen.set(key, at + ttlMs);
      return true;
    },
  };
}
