import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db, Executor } from '../../platform/db/client.js';
import { AppError, UnauthorizedError, ValidationError } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { Locale } from '../../platform/i18n/messages.js';
import type { Logger } from '../../platform/logger.js';
import type { EphemeralStore } from '../../platform/redis/ephemeral.js';
import type { RateLimit, RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { SmsProvider } from '../../providers/sms/sms.provider.js';
import type { AuthRepository } from './auth.repository.js';
import { userSubject } from './events.js';
import type { UserRow } from './tables.js';
import type { TokenService } from './token.service.js';
import { requirePhone, type UserService } from './user.service.js';

export interface AuthSettings {
  otpSecret: string;
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  otpPhoneIntervalSeconds: number;
  otpPhonePerHour: number;
  otpRequestsPerIpHour: number;
  otpVerifyPerIpHour: number;
  refreshTtlDays: number;
}

export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: UserRow;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * A refresh token presented again this soon after it was rotated answers the same new pair: two
 * tabs (or a retry after a lost reply) refreshing at once are not a theft. Later, reuse revokes.
 */
const REFRESH_GRACE_MS = 10_000;

/** Where sessions that ended, and the pairs of recent rotations, are kept for a while. */
export interface SessionStores {
  /** Session ids (refresh token families) ended before their access tokens expire. */
  revoked: EphemeralStore;
  /** The pair a rotation issued, by the hash of the refresh token it replaced (REFRESH_GRACE_MS). */
  rotations: EphemeralStore;
  /** Tells the session's open connections (they are closed). */
  ended(sessionId: string): void;
}

/** Phone sign-in with SMS codes, and refresh-token rotation. */
export class AuthService {
  private readonly perPhoneMinute: RateLimit;
  private readonly perPhoneHour: RateLimit;
  private readonly perIp: RateLimit;
  private readonly verifyPerIp: RateLimit;
  private readonly log: Logger;

  private readonly db: Db;
  private readonly auth: AuthRepository;
  private readonly users: UserService;
  private readonly tokens: TokenService;
  private readonly sms: SmsProvider;
  private readonly events: DomainEvents;
  private readonly settings: AuthSettings;
  private readonly now: () => number;
  private readonly sessions: SessionStores;

  constructor(deps: {
    db: Db;
    auth: AuthRepository;
    users: UserService;
    tokens: TokenService;
    sms: SmsProvider;
    events: DomainEvents;
    settings: AuthSettings;
    limits: RateLimitFactory;
    logger: Logger;
    sessions: SessionStores;
    now?: () => number;
  }) {
    this.db = deps.db;
    this.sessions = deps.sessions;
    this.auth = deps.auth;
    this.users = deps.users;
    this.tokens = deps.tokens;
    this.sms = deps.sms;
    this.events = deps.events;
    this.settings = deps.settings;
    this.now = deps.now ?? Date.now;
    const { settings, limits } = deps;
    this.log = deps.logger.child({ component: 'auth' });
    this.perPhoneMinute = limits({
      name: 'otp:phone:interval',
      points: 1,
      durationSeconds: settings.otpPhoneIntervalSeconds,
    });
    this.perPhoneHour = limits({
      name: 'otp:phone:1h',
      points: settings.otpPhonePerHour,
      durationSeconds: 3600,
    });
    this.perIp = limits({
      name: 'otp:ip:1h',
      points: settings.otpRequestsPerIpHour,
      durationSeconds: 3600,
    });
    this.verifyPerIp = limits({
      name: 'verify:ip:1h',
      points: settings.otpVerifyPerIpHour,
      durationSeconds: 3600,
    });
  }

  /** Sends a 6-digit sign-in code by SMS. Resolves only once the SMS provider has accepted it. */
  async requestCode(
    phoneInput: string,
    ip: string,
    locale: Locale,
  ): Promise<{ expiresInSeconds: number; retryAfterSeconds: number }> {
    const phone = requirePhone(phoneInput);
    await this.perIp.consume(ip);
    await this.perPhoneMinute.consume(phone);
    await this.perPhoneHour.consume(phone);

    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(this.now() + this.settings.otpTtlSeconds * 1000);
    try {
      await this.auth.putOtp(phone, this.hashCode(phone, code), expiresAt);
      await this.sms.sendOtp(phone, code, locale);
    } catch (error) {
      // The code never reached the person (SMS refused, or the database was down): forget it and
      // give the limits back, so they can retry at once.
      await this.auth.deleteOtp(phone).catch(() => {});
      await Promise.all([this.perPhoneMinute.refund(phone), this.perPhoneHour.refund(phone)]).catch(() => {});
      throw error;
    }
    return {
      expiresInSeconds: this.settings.otpTtlSeconds,
      retryAfterSeconds: this.settings.otpPhoneIntervalSeconds,
    };
  }

  /** Checks a code; on success the code is spent and the person is signed in (a new phone becomes a customer). */
  async verifyCode(phoneInput: string, code: string, ip: string): Promise<IssuedTokens> {
    const phone = requirePhone(phoneInput);
    await this.verifyPerIp.consume(ip);
    if (!/^\d{6}$/.test(code)) throw new ValidationError('auth/invalid_code');

    const pending = await this.auth.takeOtpAttempt(phone, this.settings.otpMaxAttempts);
    if (!pending) {
      if (await this.auth.hasOtp(phone)) {
        await this.auth.deleteOtp(phone);
        throw new AppError(429, 'auth/too_many_attempts');
      }
      throw new ValidationError('auth/invalid_code');
    }
    if (pending.expiresAt.getTime() <= this.now()) {
      await this.auth.deleteOtp(phone);
      throw new ValidationError('auth/code_expired');
    }
    const expected = Buffer.from(pending.codeHash);
    const given = Buffer.from(this.hashCode(phone, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ValidationError('auth/invalid_code');
    }
    // Deleting by hash makes the code single-use even when two requests race with it.
    if (!(await this.auth.deleteOtp(phone, pending.codeHash))) throw new ValidationError('auth/invalid_code');

    const user = await this.users.signUpOrFind(phone);
    return this.issue(user, randomUUID());
  }

  /** Trades a refresh token for new tokens; a token used twice revokes its whole family. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const hash = sha256(refreshToken);
    const session = await this.auth.getSessionByHash(hash);
    if (!session || session.revokedAt || session.expiresAt.getTime() <= this.now()) {
      throw new UnauthorizedError('auth/invalid_refresh_token');
    }
    if (session.rotatedAt) {
      const again = await this.recentRotation(hash, session.rotatedAt.getTime());
      if (again) return again;
      const revoked = await this.revokeReused(session);
      this.log.warn(
        { userId: session.userId, familyId: session.familyId, revoked },
        'rotated refresh token presented again; revoked its family, the user must sign in again',
      );
      throw new UnauthorizedError('auth/invalid_refresh_token');
    }
    const user = await this.users.findById(session.userId);
    if (!user) throw new UnauthorizedError('auth/invalid_refresh_token');

    const issued = await this.db.transaction(async (tx) => {
      // Another request rotated it a moment ago: that is reuse too (handled below, outside the
      // transaction: PGlite runs one transaction at a time, so no other query may run inside).
      if (!(await this.auth.markRotated(session.id, tx))) return undefined;
      return this.issue(user, session.familyId, tx);
    });
    if (!issued) {
      // Another request rotated it this very moment: the same pair, once it has it.
      const again = await this.recentRotation(hash, this.now());
      if (again) return again;
      await this.revokeReused(session);
      throw new UnauthorizedError('auth/invalid_refresh_token');
    }
    await this.sessions.rotations.set(
      hash,
      JSON.stringify({
        accessToken: issued.accessToken,
        accessTokenExpiresAt: issued.accessTokenExpiresAt.toISOString(),
        refreshToken: issued.refreshToken,
      }),
      REFRESH_GRACE_MS,
    );
    return issued;
  }

  /**
   * The pair issued when this refresh token was rotated, if that was within the grace; waits a
   * moment for a rotation still being written (a concurrent refresh).
   */
  private async recentRotation(hash: string, rotatedAt: number): Promise<IssuedTokens | undefined> {
    if (this.now() - rotatedAt > REFRESH_GRACE_MS) return undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = await this.sessions.rotations.get(hash);
      if (stored) {
        const pair = JSON.parse(stored) as {
          accessToken: string;
          accessTokenExpiresAt: string;
          refreshToken: string;
        };
        // Only while that pair is still the newest: once it was itself rotated, this is reuse.
        const session = await this.auth.getSessionByHash(sha256(pair.refreshToken));
        const fresh = session && !session.revokedAt && !session.rotatedAt;
        const user = fresh ? await this.users.findById(session.userId) : undefined;
        if (!user) return undefined;
        return { ...pair, accessTokenExpiresAt: new Date(pair.accessTokenExpiresAt), user };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  /** A rotated refresh token came back (stolen, or replayed): its whole family goes, on the record. */
  private async revokeReused(session: { userId: string; familyId: string }): Promise<number> {
    const revoked = await this.db.transaction(async (tx) => {
      const revoked = await this.auth.revokeFamily(session.familyId, tx);
      await this.events.record(tx, {
        type: 'session.reuse_detected',
        actorId: null,
        subject: userSubject(session.userId),
        payload: { familyId: session.familyId, revoked },
      });
      return revoked;
    });
    await this.endSession(session.familyId);
    return revoked;
  }

  /**
   * A session ended (logout, reuse): its access tokens are refused from now on (for as long as
   * one could still be valid) and its open connections are closed.
   */
  private async endSession(familyId: string): Promise<void> {
    const validFor = (this.tokens.accessTtlSeconds + this.tokens.clockSkew + 5) * 1000;
    await this.sessions.revoked.set(familyId, '1', validFor);
    this.sessions.ended(familyId);
  }

  /** Ends the session the refresh token belongs to (its whole family). */
  async logout(refreshToken: string): Promise<void> {
    const session = await this.auth.getSessionByHash(sha256(refreshToken));
    if (!session) throw new UnauthorizedError('auth/invalid_refresh_token');
    await this.auth.revokeFamily(session.familyId);
    await this.endSession(session.familyId);
  }

  /** Removes expired codes and sessions. */
  async purgeExpired(): Promise<{ codes: number; sessions: number }> {
    const now = new Date(this.now());
    return {
      codes: await this.auth.deleteExpiredOtps(now),
      sessions: await this.auth.deleteExpiredSessions(now),
    };
  }

  private async issue(user: UserRow, familyId: string, db?: Executor) {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.auth.insertSession(
      {
        userId: user.id,
        familyId,
        tokenHash: sha256(refreshToken),
        expiresAt: new Date(this.now() + this.settings.refreshTtlDays * 86_400_000),
      },
      db,
    );
    const access = await this.tokens.signAccess(user.id, user.role, familyId);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
  }

  private hashCode(phone: string, code: string): string {
    return createHmac('sha256', this.settings.otpSecret).update(`${phone}:${code}`).digest('base64url');
  }
}
