import { type PlatformRole, PlatformRoleSchema } from '@abrik/protocol';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { AccessTokenVerifier } from '../../platform/auth.js';
import { UnauthorizedError } from '../../platform/errors.js';

export interface AccessClaims {
  userId: string;
  role: PlatformRole;
  /** The session (refresh token family) it was issued to; absent in tokens of older versions. */
  sessionId: string | undefined;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const ISSUER = 'abrik';
const AUDIENCE = 'abrik:access';
const ROLES = new Set<string>(PlatformRoleSchema.options);

export interface TokenSettings {
  /** HMAC key (JWT_SECRET). */
  secret: string;
  ttlSeconds: number;
  clockSkewSeconds: number;
  now?: () => number;
  /** Sessions ended (logout, reuse): their access tokens are refused before they expire. */
  isRevoked?: (sessionId: string) => Promise<boolean>;
}

/** Signs and checks short-lived access tokens (HS256 JWTs). */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  private readonly clockSkewSeconds: number;
  private readonly now: () => number;
  private readonly isRevoked: (sessionId: string) => Promise<boolean>;

  constructor(settings: TokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
    this.ttlSeconds = settings.ttlSeconds;
    this.clockSkewSeconds = settings.clockSkewSeconds;
    this.now = settings.now ?? Date.now;
    this.isRevoked = settings.isRevoked ?? (async () => false);
  }

  get accessTtlSeconds(): number {
    return this.ttlSeconds;
  }

  get clockSkew(): number {
    return this.clockSkewSeconds;
  }

  /** The check the HTTP and socket edges run on every access token. */
  readonly verifier: AccessTokenVerifier = async (token) => {
    const claims = await this.verifyAccess(token);
    if (claims.sessionId && (await this.isRevoked(claims.sessionId))) {
      throw new UnauthorizedError('auth/invalid_token');
    }
    return {
      actor: { id: claims.userId, role: claims.role, sessionId: claims.sessionId },
      expiresAt: claims.expiresAt,
    };
  };

  async signAccess(
    userId: string,
    role: PlatformRole,
    sessionId?: string,
  ): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const exp = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ role, ...(sessionId ? { sid: sessionId } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies a token; throws 401 `auth/token_expired` or `auth/invalid_token`. */
  async verifyAccess(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        clockTolerance: this.clockSkewSeconds,
        currentDate: new Date(this.now()),
      });
      if (typeof payload.sub !== 'string' || typeof payload.role !== 'string' || !ROLES.has(payload.role)) {
        throw new UnauthorizedError('auth/invalid_token');
      }
      return {
        userId: payload.sub,
        role: payload.role as PlatformRole,
        sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
        expiresAt: payload.exp ?? 0,
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('auth/token_expired');
      if (error instanceof UnauthorizedError) throw error;
      throw new UnauthorizedError('auth/invalid_token');
    }
  }
}
