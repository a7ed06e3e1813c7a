import { Pool } from 'undici';
import type { Logger } from '../../../platform/logger.js';
import { firstHeader, networkErrorCode } from '../../http.js';
import type { PushMessage, PushOutcome, PushProvider, PushTarget } from '../push.provider.js';
import { classify, isAccessTokenRefused, type Reply, tokenVerdict, type Verdict } from './errors.js';
import { toFcmMessage } from './message.js';
import { AccessTokens, TokenError } from './oauth.js';
import type { ServiceAccount } from './service-account.js';

export { loadServiceAccount, type ServiceAccount } from './service-account.js';

export interface FcmOptions {
  serviceAccount: ServiceAccount;
  /** `https://fcm.googleapis.com` in production (FCM_BASE_URL); a fake in tests. */
  baseUrl: string;
  logger: Logger;
  /** Deadline for one HTTP exchange (token or send), body included. */
  timeoutMs?: number;
  /**
   * Clock for the token cache, `apns-expiration` and Retry-After dates; the JWT's own `iat`/`exp`
   * use the wall clock, which the token endpoint checks them against.
   */
  now?: () => number;
}

/**
 * Sends to Android and iOS through FCM HTTP v1 over a keep-alive pool and classifies each reply
 * into a PushOutcome; retrying and dead-lettering are the job queue's.
 */
export class FcmPushProvider implements PushProvider {
  readonly name = 'fcm' as const;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly fcm: Pool;
  private readonly sendPath: string;
  private readonly tokens: AccessTokens;

  constructor(options: FcmOptions) {
    this.log = options.logger.child({ component: 'push.fcm' });
    const account = options.serviceAccount;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;

    const base = new URL(options.baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.sendPath = `${prefix}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
    // HTTP/2 (ALPN over TLS) multiplexes sends on one connection; HTTP/1.1 (a plain-http fake or
    // proxy) falls back to several kept-alive sockets.
    this.fcm = new Pool(base.origin, {
      connections: 16,
      pipelining: 1,
      allowH2: true,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
    this.tokens = new AccessTokens({ account, timeoutMs: this.timeoutMs, now: this.now });
  }

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    if (target.platform === 'web') {
      const reason = 'a web push subscription cannot be sent through FCM';
      this.log.error({ deviceId: target.deviceId, platform: 'web' }, `${reason}; not sent (a routing bug)`);
      return { outcome: 'failed', reason };
    }
    const hide = secretsOf(target.token, message);
    const body = JSON.stringify({ message: toFcmMessage(target.token, message, this.now()) });

    let access: string;
    try {
      access = await this.tokens.get();
    } catch (error) {
      return this.report(target.deviceId, tokenVerdict(error, hide));
    }
    let reply = await this.post(body, access);
    let refreshed = false;
    if (isAccessTokenRefused(reply)) {
      // A revoked or rotated access token: drop it and try once more with a fresh one.
      this.tokens.invalidate(access);
      this.log.info(
        { deviceId: target.deviceId, status: 401 },
        'FCM refused the access token; minting a fresh one and sending once more',
      );
      try {
        access = await this.tokens.get();
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
      await this.tokens.refresh();
    } catch (error) {
      const reason = error instanceof TokenError ? error.reason : 'the access token could not be minted';
      throw new Error(`FCM credentials check failed: ${reason}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.fcm.close(), this.tokens.close()]);
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

/** What must not reach a log line or an outcome reason even if FCM echoes it back. */
function secretsOf(token: string, message: PushMessage): string[] {
  const values = Object.values(message.data).filter((value) => value.length >= 6);
  return [token, message.title, message.body, ...values];
}
