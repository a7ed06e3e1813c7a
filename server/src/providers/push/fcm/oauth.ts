import { importPKCS8, SignJWT } from 'jose';
import { Pool } from 'undici';
import { firstHeader, isObject, networkErrorCode, parseJson, parseRetryAfter, scrub } from '../../http.js';
import type { ServiceAccount } from './service-account.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600;
/** Refresh this long before the access token expires (at most half its lifetime). */
const REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  refreshAt: number;
}

/** Why an access token could not be had; `transient` failures are retried like a 503. */
export class TokenError extends Error {
  constructor(
    readonly transient: boolean,
    readonly reason: string,
    readonly status: number | string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
    this.name = 'TokenError';
  }
}

export interface AccessTokensOptions {
  account: ServiceAccount;
  /** Deadline for one token request, body included. */
  timeoutMs: number;
  /** Clock for the cache and Retry-After dates; the JWT's `iat`/`exp` use the wall clock. */
  now: () => number;
}

/**
 * OAuth2 access tokens for FCM from the JWT-bearer grant (RFC 7523) at the account's `token_uri`:
 * cached until shortly before they expire, with at most one request in flight.
 */
export class AccessTokens {
  private readonly account: ServiceAccount;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly pool: Pool;
  private readonly path: string;
  private signingKey: ReturnType<typeof importPKCS8> | undefined;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;

  constructor(options: AccessTokensOptions) {
    this.account = options.account;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now;
    const url = new URL(this.account.token_uri);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, { connections: 2, keepAliveTimeout: 60_000 });
  }

  /** A cached access token, or the one being minted, or a new one. Rejects with a TokenError. */
  get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.value);
    if (!this.inflight) {
      this.inflight = this.mint()
        .then((token) => {
          this.cached = token;
          return token.value;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  /** Mints a new token whatever the cache holds (the credentials check), and caches it. */
  async refresh(): Promise<void> {
    this.cached = await this.mint();
  }

  /** Forgets `value` if it is still the cached token (concurrent 401s refresh only once). */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Signs the JWT assertion and exchanges it at `token_uri`. */
  private async mint(): Promise<CachedToken> {
    const account = this.account;
    let key: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      this.signingKey ??= importPKCS8(account.private_key, 'RS256');
      key = await this.signingKey;
    } catch {
      this.signingKey = undefined;
      throw new TokenError(false, 'private_key is not a usable RS256 PKCS#8 key', 'bad_key');
    }
    const iat = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(account.private_key_id ? { kid: account.private_key_id } : {}),
      })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_S)
      .sign(key);

    const started = this.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
        signal,
      });
      status = response.statusCode;
      retryAfter = firstHeader(response.headers['retry-after']);
      text = await response.body.text();
    } catch (error) {
      if (signal.aborted) {
        throw new TokenError(true, `token endpoint gave no answer within ${this.timeoutMs} ms`, 'timeout');
      }
      throw new TokenError(true, `token endpoint unreachable (${networkErrorCode(error)})`, 'network');
    }

    const json = parseJson(text);
    const transient = status >= 500 || status === 429;
    const retryAfterMs = parseRetryAfter(retryAfter, this.now());
    if (status === 200 && isObject(json)) {
      const { access_token: value, expires_in: expiresIn, token_type: type } = json;
      if (
        typeof value === 'string' &&
        value !== '' &&
        typeof expiresIn === 'number' &&
        expiresIn > 0 &&
        typeof type === 'string' &&
        type.toLowerCase() === 'bearer'
      ) {
        const lifetimeMs = expiresIn * 1000;
        return { value, refreshAt: started + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2) };
      }
      throw new TokenError(false, 'token endpoint answered 200 without a bearer access token', status);
    }
    if (isObject(json) && typeof json.error === 'string') {
      // `{error: 'invalid_grant', error_description: 'Invalid JWT Signature.'}` and the like.
      const description = typeof json.error_description === 'string' ? `: ${json.error_description}` : '';
      const reason = scrub(`${json.error}${description}`, [account.private_key]);
      throw new TokenError(transient, `token endpoint refused (${status} ${reason})`, status, retryAfterMs);
    }
    throw new TokenError(
      transient,
      `token endpoint answered HTTP ${status} with an unreadable reply`,
      status,
      retryAfterMs,
    );
  }
}
