import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importPKCS8, SignJWT } from 'jose';
import { Pool } from 'undici';
import type { Logger } from '../../logger.js';
import { networkErrorCode, scrub } from '../provider-errors.js';
import type { PushMessage, PushOutcome, PushProvider, PushTarget } from './push.provider.js';

/** The fields of a Google service-account key file that the FCM client uses. */
export interface ServiceAccount {
  type: 'service_account';
  project_id: string;
  /** Sent as the JWT `kid` so the token endpoint picks the right public key. */
  private_key_id?: string | undefined;
  /** PKCS#8 PEM. Never logged, never put in an error message. */
  private_key: string;
  client_email: string;
  /** Where the JWT assertion is exchanged for an access token (`https://oauth2.googleapis.com/token`). */
  token_uri: string;
}

export interface FcmOptions {
  serviceAccount: ServiceAccount;
  /** `https://fcm.googleapis.com` in production (FCM_BASE_URL); a fake in tests. */
  baseUrl: string;
  logger: Logger;
  /** Deadline for one HTTP exchange (token or send), body included. */
  timeoutMs?: number;
  /**
   * Clock for the access-token cache, `apns-expiration` and Retry-After dates. The JWT's own
   * `iat`/`exp` always use the wall clock: the token endpoint checks them against real time.
   */
  now?: () => number;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600;
/** Refresh this long before the access token expires (at most half its lifetime). */
const REFRESH_MARGIN_MS = 60_000;
const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/** AndroidConfig.ttl: 0 to 4 weeks. */
const MAX_TTL_S = 2_419_200;
/** APNs rejects an `apns-collapse-id` longer than 64 bytes. */
const APNS_COLLAPSE_ID_MAX_BYTES = 64;
/** `APNS_AUTH_ERROR` is the older spelling of `THIRD_PARTY_AUTH_ERROR`, still seen from some projects. */
const THIRD_PARTY_AUTH = new Set(['THIRD_PARTY_AUTH_ERROR', 'APNS_AUTH_ERROR']);

/**
 * Reads and checks a service-account key file (FIREBASE_SERVICE_ACCOUNT_PATH). Errors name the
 * file and the bad field, never a field's value.
 */
export async function loadServiceAccount(path: string): Promise<ServiceAccount> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(
      `cannot read the FCM service account file ${path} (${typeof code === 'string' ? code : 'read error'})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the fault, which may be part of the key.
    throw new Error(`the FCM service account file ${path} is not valid JSON`);
  }
  if (!isObject(json)) throw new Error(`the FCM service account file ${path} is not a JSON object`);
  const bad = (field: string, why: string) =>
    new Error(`the FCM service account file ${path} is unusable: "${field}" ${why}`);

  if (json.type !== 'service_account') throw bad('type', 'must be "service_account"');
  for (const field of ['project_id', 'private_key', 'client_email', 'token_uri'] as const) {
    const value = json[field];
    if (typeof value !== 'string' || value.trim() === '') throw bad(field, 'is missing or empty');
  }
  const privateKey = json.private_key as string;
  if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(privateKey)) {
    throw bad('private_key', 'is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)');
  }
  try {
    await importPKCS8(privateKey, 'RS256');
  } catch {
    throw bad('private_key', 'is not a usable RSA key');
  }
  const tokenUri = json.token_uri as string;
  if (!isHttpUrl(tokenUri)) throw bad('token_uri', 'is not an http(s) URL');
  const keyId = json.private_key_id;
  if (keyId !== undefined && typeof keyId !== 'string') throw bad('private_key_id', 'is not a string');
  return {
    type: 'service_account',
    project_id: json.project_id as string,
    private_key_id: keyId,
    private_key: privateKey,
    client_email: json.client_email as string,
    token_uri: tokenUri,
  };
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/** Why an access token could not be had; `transient` failures are retried like a 503. */
class TokenError extends Error {
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

type Reply =
  | { kind: 'http'; status: number; retryAfter: string | undefined; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string };

interface GoogleError {
  status: string | undefined;
  message: string | undefined;
  fcmError: string | undefined;
  fields: string[];
}

/** What a classified reply leads to, with the log fields that explain it. */
interface Verdict {
  outcome: PushOutcome;
  status: number | string;
  fcmError: string | undefined;
  providerMessage: string | undefined;
}

/**
 * Sends to Android and iOS devices through FCM HTTP v1 with a service account of our own: the
 * OAuth2 JWT-bearer grant at the account's `token_uri` (cached, one request in flight) and
 * `messages:send` over a keep-alive pool to FCM_BASE_URL. Each reply is classified into a
 * PushOutcome; retrying and dead-lettering are the job queue's.
 */
export class FcmPushProvider implements PushProvider {
  readonly name = 'fcm' as const;
  private readonly log: Logger;
  private readonly account: ServiceAccount;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly fcm: Pool;
  private readonly sendPath: string;
  private readonly tokenPool: Pool;
  private readonly tokenPath: string;
  private signingKey: ReturnType<typeof importPKCS8> | undefined;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;

  constructor(options: FcmOptions) {
    this.log = options.logger.child({ component: 'push.fcm' });
    this.account = options.serviceAccount;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;

    const base = new URL(options.baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.sendPath = `${prefix}/v1/projects/${encodeURIComponent(this.account.project_id)}/messages:send`;
    // One pool per origin; HTTP/2 is negotiated by ALPN over TLS and multiplexes sends on one
    // connection, HTTP/1.1 (a plain-http fake or proxy) falls back to several kept-alive sockets.
    this.fcm = new Pool(base.origin, {
      connections: 16,
      pipelining: 1,
      allowH2: true,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
    const tokenUrl = new URL(this.account.token_uri);
    this.tokenPath = `${tokenUrl.pathname}${tokenUrl.search}`;
    this.tokenPool = new Pool(tokenUrl.origin, { connections: 2, keepAliveTimeout: 60_000 });
  }

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    if (target.platform === 'web') {
      const reason = 'a web push subscription cannot be sent through FCM';
      this.log.error({ deviceId: target.deviceId, platform: 'web' }, `${reason}; not sent (a routing bug)`);
      return { outcome: 'failed', reason };
    }
    const hide = secretsOf(target.token, message);
    const body = JSON.stringify({ message: this.toFcmMessage(target.token, message) });

    let access: string;
    try {
      access = await this.accessToken();
    } catch (error) {
      return this.report(target.deviceId, tokenVerdict(error, hide));
    }
    let reply = await this.post(body, access);
    let refreshed = false;
    if (isAccessTokenRefused(reply)) {
      // A revoked or rotated access token: drop it and try once more with a fresh one.
      this.invalidate(access);
      this.log.info(
        { deviceId: target.deviceId, status: 401 },
        'FCM refused the access token; minting a fresh one and sending once more',
      );
      try {
        access = await this.accessToken();
      } catch (error) {
        return this.report(target.deviceId, tokenVerdict(error, hide));
      }
      reply = await this.post(body, access);
      refreshed = true;
    }
    return this.report(target.deviceId, classify(reply, this.now(), hide, refreshed));
  }

  async checkCredentials(): Promise<void> {
    try {
      this.cached = await this.mint();
    } catch (error) {
      const reason = error instanceof TokenError ? error.reason : 'the access token could not be minted';
      throw new Error(`FCM credentials check failed: ${reason}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.fcm.close(), this.tokenPool.close()]);
  }

  /** The v1 `Message` for one registration token. */
  private toFcmMessage(token: string, message: PushMessage): Record<string, unknown> {
    const high = message.priority === 'high';
    const ttl = Math.min(MAX_TTL_S, Math.max(0, Math.floor(message.ttlSeconds)));
    const badge = Math.max(0, Math.floor(message.badge));
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(message.data)) data[key] = String(value);
    data.badge = String(badge);
    return {
      token,
      notification: { title: message.title, body: message.body },
      data,
      android: {
        priority: high ? 'HIGH' : 'NORMAL',
        ttl: `${ttl}s`,
        collapse_key: message.collapseKey,
        notification: { sound: 'default', tag: message.collapseKey, notification_count: badge },
      },
      apns: {
        headers: {
          'apns-priority': high ? '10' : '5',
          'apns-collapse-id': apnsCollapseId(message.collapseKey),
          // 0 means "deliver now or never"; otherwise the moment APNs may drop it.
          'apns-expiration': ttl === 0 ? '0' : String(Math.floor(this.now() / 1000) + ttl),
        },
        payload: { aps: { sound: 'default', badge, 'thread-id': message.collapseKey } },
      },
    };
  }

  /** A cached access token, or the one being minted, or a new one. */
  private accessToken(): Promise<string> {
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

  /** Forgets `value` if it is still the cached token (concurrent 401s refresh only once). */
  private invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
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
      const response = await this.tokenPool.request({
        path: this.tokenPath,
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

  private async post(body: string, access: string): Promise<Reply> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fcm.request({
        path: this.sendPath,
        method: 'POST',
        headers: {
          authorization: `Bearer ${access}`,
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
        },
        body,
        signal,
      });
      const retryAfter = firstHeader(response.headers['retry-after']);
      // Reading the body is still under the deadline, and frees the connection for the next send.
      const text = await response.body.text();
      return { kind: 'http', status: response.statusCode, retryAfter, text };
    } catch (error) {
      if (signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', code: networkErrorCode(error) };
    }
  }

  /** Logs a verdict at the level its outcome deserves and returns the outcome. */
  private report(deviceId: string, verdict: Verdict): PushOutcome {
    const { outcome, status, fcmError, providerMessage } = verdict;
    const fields = { deviceId, status, fcmError, providerMessage, outcome: outcome.outcome };
    switch (outcome.outcome) {
      case 'sent':
        this.log.debug({ deviceId, providerMessageId: outcome.providerMessageId }, 'FCM accepted the push');
        break;
      case 'invalid_token':
        this.log.warn(
          fields,
          `FCM says the registration token is dead (${outcome.reason}); the device is deleted now and never retried`,
        );
        break;
      case 'retry': {
        const after =
          outcome.retryAfterMs === undefined ? '' : ` (FCM asked to wait ${outcome.retryAfterMs} ms)`;
        this.log.warn(
          { ...fields, retryAfterMs: outcome.retryAfterMs },
          `FCM send failed for now (${outcome.reason}); the job queue retries with backoff${after}, then dead-letters`,
        );
        break;
      }
      case 'auth_error':
        this.log.error(
          fields,
          `FCM refused our credentials or project (${outcome.reason}); not retried: the fcm circuit trips and operators are alerted; check FIREBASE_SERVICE_ACCOUNT_PATH, the Firebase project and its APNs key`,
        );
        break;
      case 'failed':
        this.log.error(fields, `FCM refused this push (${outcome.reason}); dropped, never retried`);
        break;
    }
    return outcome;
  }
}

/** A plain 401 means our access token was refused; THIRD_PARTY_AUTH_ERROR is APNs' credential, not ours. */
function isAccessTokenRefused(reply: Reply): boolean {
  if (reply.kind !== 'http' || reply.status !== 401) return false;
  const fcmError = parseGoogleError(reply.text)?.fcmError;
  return !(fcmError && THIRD_PARTY_AUTH.has(fcmError));
}

/** Turns one FCM reply into an outcome (see push.provider.ts for what each means). */
function classify(reply: Reply, now: number, hide: string[], refreshed: boolean): Verdict {
  if (reply.kind === 'timeout') {
    return verdict({ outcome: 'retry', reason: 'timeout: FCM gave no answer in time' }, 'timeout');
  }
  if (reply.kind === 'network') {
    return verdict({ outcome: 'retry', reason: `network error ${reply.code}` }, 'network');
  }
  const { status, text } = reply;
  const retryAfterMs = parseRetryAfter(reply.retryAfter, now);
  const retry = (reason: string): PushOutcome =>
    retryAfterMs === undefined ? { outcome: 'retry', reason } : { outcome: 'retry', reason, retryAfterMs };

  if (status === 200) {
    const json = parseJson(text);
    if (isObject(json) && typeof json.name === 'string') {
      return verdict({ outcome: 'sent', providerMessageId: json.name }, status);
    }
    return verdict({ outcome: 'failed', reason: 'HTTP 200 without a message name' }, status);
  }

  const error = parseGoogleError(text);
  if (!error) {
    // An HTML page from a proxy or load balancer, or a base URL that is not FCM.
    if (status >= 500 || status === 429) return verdict(retry(`HTTP ${status}, unreadable reply`), status);
    const why = status >= 300 && status < 400 ? 'redirected; check FCM_BASE_URL' : 'unreadable reply';
    return verdict({ outcome: 'failed', reason: `HTTP ${status}, ${why}` }, status);
  }

  const { fcmError } = error;
  const code = fcmError ?? error.status ?? 'UNKNOWN';
  const providerMessage = scrub(error.message, hide);
  const said = (outcome: PushOutcome) => verdict(outcome, status, fcmError, providerMessage);

  if (fcmError === 'UNREGISTERED' || status === 404) {
    return said({ outcome: 'invalid_token', reason: `${status} ${code}` });
  }
  if (fcmError === 'SENDER_ID_MISMATCH' || (fcmError && THIRD_PARTY_AUTH.has(fcmError))) {
    return said({ outcome: 'auth_error', reason: `${status} ${fcmError}` });
  }
  if (status === 400 || fcmError === 'INVALID_ARGUMENT') {
    if (isAboutTheToken(error)) {
      return said({ outcome: 'invalid_token', reason: `${status} ${code} (registration token)` });
    }
    return said({ outcome: 'failed', reason: `${status} ${code}: ${providerMessage ?? 'invalid argument'}` });
  }
  if (status === 401 || status === 403) {
    const after = status === 401 && refreshed ? ' after a fresh access token' : '';
    return said({ outcome: 'auth_error', reason: `${status} ${code}${after}` });
  }
  if (status === 429 || fcmError === 'QUOTA_EXCEEDED') return said(retry(`${status} ${code}`));
  if (status >= 500 || fcmError === 'UNAVAILABLE' || fcmError === 'INTERNAL') {
    return said(retry(`${status} ${code}`));
  }
  return said({ outcome: 'failed', reason: `${status} ${code}: ${providerMessage ?? 'unexpected reply'}` });
}

/**
 * A 400 about the registration token (malformed, truncated, wrong package) rather than the payload:
 * a `message.token` field violation, or FCM's "…not a valid FCM registration token" message.
 */
function isAboutTheToken(error: GoogleError): boolean {
  if (error.fields.some((field) => field === 'message.token')) return true;
  return /registration token/i.test(error.message ?? '');
}

function tokenVerdict(error: unknown, hide: string[]): Verdict {
  if (!(error instanceof TokenError)) {
    return verdict({ outcome: 'retry', reason: 'access token could not be minted' }, 'token');
  }
  const reason = scrub(error.reason, hide) ?? 'token endpoint error';
  if (error.transient) {
    const outcome: PushOutcome =
      error.retryAfterMs === undefined
        ? { outcome: 'retry', reason }
        : { outcome: 'retry', reason, retryAfterMs: error.retryAfterMs };
    return verdict(outcome, error.status);
  }
  return verdict({ outcome: 'auth_error', reason }, error.status);
}

function verdict(
  outcome: PushOutcome,
  status: number | string,
  fcmError?: string,
  providerMessage?: string,
): Verdict {
  return { outcome, status, fcmError, providerMessage };
}

/** Reads Google's `{error: {code, message, status, details}}`; null for anything else. */
function parseGoogleError(text: string): GoogleError | null {
  const json = parseJson(text);
  if (!isObject(json) || !isObject(json.error)) return null;
  const { status, message, details } = json.error;
  let fcmError: string | undefined;
  const fields: string[] = [];
  if (Array.isArray(details)) {
    for (const detail of details) {
      if (!isObject(detail)) continue;
      if (detail['@type'] === FCM_ERROR_TYPE && typeof detail.errorCode === 'string') {
        fcmError = detail.errorCode;
      }
      if (detail['@type'] === BAD_REQUEST_TYPE && Array.isArray(detail.fieldViolations)) {
        for (const violation of detail.fieldViolations) {
          if (isObject(violation) && typeof violation.field === 'string') fields.push(violation.field);
        }
      }
    }
  }
  return {
    status: typeof status === 'string' ? status : undefined,
    message: typeof message === 'string' ? message : undefined,
    fcmError,
    fields,
  };
}

/** Keys longer than APNs allows are replaced by their SHA-256 (64 hex characters). */
function apnsCollapseId(key: string): string {
  if (Buffer.byteLength(key, 'utf8') <= APNS_COLLAPSE_ID_MAX_BYTES) return key;
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `now`. */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What must not reach a log line or an outcome reason even if FCM echoes it back. */
function secretsOf(token: string, message: PushMessage): string[] {
  const values = Object.values(message.data).filter((value) => value.length >= 6);
  return [token, message.title, message.body, ...values];
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
