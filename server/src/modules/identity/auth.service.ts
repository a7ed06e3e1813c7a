import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db, Executor } from '../../platform/db/client.js';
import { AppError, UnauthorizedError, ValidationError } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { Locale } from '../../platform/i18n/messages.js';
import type { Logger } from '../../platform/logger.js';
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
    now?: () => number;
  }) {
    this.db = deps.db;
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
    const session = await this.auth.getSessionByHash(sha256(refreshToken));
    if (!session || session.revokedAt || session.expiresAt.getTime() <= this.now()) {
      throw new UnauthorizedError('auth/invalid_refresh_token');
    }
    if (session.rotatedAt) {
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
      await this.revokeReused(session);
      throw new UnauthorizedError('auth/invalid_refresh_token');
    }
    return issued;
  }

  /** A rotated refresh token came back (stolen, or replayed): its whole family goes, on the record. */
  private revokeReused(session: { userId: string; familyId: string }): Promise<number> {
    return this.db.transaction(async (tx) => {
      const revoked = await this.auth.revokeFamily(session.familyId, tx);
      await this.events.record(tx, {
        type: 'session.reuse_detected',
        actorId: null,
        subject: userSubject(session.userId),
        payload: { familyId: session.familyId, revoked },
      });
      return revoked;
    });
  }

  /** Ends the session the refresh token belongs to (its whole family). */
  async logout(refreshToken: string): Promise<void> {
    const session = await this.auth.getSessionByHash(sha256(refreshToken));
    if (!session) throw new UnauthorizedError('auth/invalid_refresh_token');
    await this.auth.revokeFamily(session.familyId);
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
    const access = await this.tokens.signAccess(user.id, user.role);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
  }

  private hashCode(phone: string, code: string): string {
    return createHmac('sha256', this.settings.otpSecret).update(`${phone}:${code}`).digest('base64url');
  }
}
