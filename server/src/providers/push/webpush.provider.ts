import { createECDH, createHash } from 'node:crypto';
import webpush from 'web-push';
import type { Logger } from '../../platform/logger.js';
import { isTimeout, networkErrorCode, parseRetryAfter, scrub } from '../http.js';
import type { PushMessage, PushOutcome, PushProvider, PushTarget } from './push.provider.js';

export interface VapidDetails {
  /** The application server key browsers subscribe with: 65-byte uncompressed P-256 point, base64url. */
  publicKey: string;
  /** The matching 32-byte private scalar, base64url. */
  privateKey: string;
  /** How a push service operator reaches us: `mailto:` or `https:` (RFC 8292 `sub`). */
  subject: string;
}

export interface WebPushOptions {
  vapid: VapidDetails;
  logger: Logger;
  /** Limit for the whole request, answer included. Default 10 s. */
  timeoutMs?: number;
}

/** What the web client's service worker reads with `event.data.json()`. */
export interface WebPushPayload {
  title: string;
  body: string;
  data: Record<string, string>;
  badge: number;
  /** The notification `tag`: a later notification with the same tag replaces the earlier one. */
  tag: string;
  /** Where a click opens, copied from `data.url` when there is one. */
  url?: string;
}

/**
 * RFC 8291 §4: push services need not accept more than 4096 octets of body; less the 86-octet
 * aes128gcm header, the padding delimiter and the 16-octet tag, that leaves 3993 octets of plaintext.
 */
export const WEB_PUSH_MAX_PAYLOAD_BYTES = 3993;

const DEFAULT_TIMEOUT_MS = 10_000;

/** A fresh VAPID key pair for `abrik vapid generate`; the public key goes to browsers. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

/** The payload for one message; the web client's service worker depends on this shape. */
export function buildWebPushPayload(message: PushMessage): WebPushPayload {
  const payload: WebPushPayload = {
    title: message.title,
    body: message.body,
    data: message.data,
    badge: message.badge,
    tag: message.collapseKey,
  };
  if (message.data.url !== undefined) payload.url = message.data.url;
  return payload;
}

/**
 * The `Topic` header for a collapse key: RFC 8030 §5.4 allows at most 32 characters of the URL-safe
 * base64 alphabet, so the key is hashed (SHA-256, first 24 bytes = 32 characters). The same key
 * always gives the same topic, and the key itself (it may name a conversation) is not sent.
 */
export function topicFor(collapseKey: string): string {
  return createHash('sha256').update(collapseKey).digest().subarray(0, 24).toString('base64url');
}

/**
 * Why a VAPID configuration cannot work, or null. web-push checks the subject and the key lengths;
 * it does not check that the two keys belong together, which every push service would refuse.
 */
export function vapidProblem(vapid: VapidDetails): string | null {
  try {
    // Validates subject and both keys, then signs a token: what every send does.
    webpush.getVapidHeaders(
      'https://push.example',
      vapid.subject,
      vapid.publicKey,
      vapid.privateKey,
      'aes128gcm',
    );
  } catch (error) {
    return errorMessage(error);
  }
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(Buffer.from(vapid.privateKey, 'base64url'));
  } catch {
    return 'the VAPID private key is not a valid P-256 private key';
  }
  if (!ecdh.getPublicKey().equals(Buffer.from(vapid.publicKey, 'base64url'))) {
    return 'the VAPID public key does not belong to the private key';
  }
  return null;
}

/**
 * Sends browser notifications with the Web Push protocol (RFC 8030): the payload is encrypted for
 * the subscription (RFC 8291, `aes128gcm`) and the request carries a VAPID token (RFC 8292), both
 * made by the `web-push` library. The request itself goes through `fetch`, because web-push's
 * `sendNotification` always speaks HTTPS (it cannot reach a local test push service) and its
 * `timeout` only limits socket idle time. Each reply becomes a {@link PushOutcome}; retries and
 * backoff are the job queue's.
 *
 * The endpoint URL is a capability (anyone holding it can push to the browser) and the keys decrypt
 * the payload: neither reaches a log line or an outcome reason, only the endpoint's host does.
 */
export class WebPushProvider implements PushProvider {
  readonly name = 'webpush' as const;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly vapid: VapidDetails;
  private vapidChecked: { problem: string | null } | undefined;

  constructor(options: WebPushOptions) {
    this.log = options.logger.child({ component: 'push.webpush' });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.vapid = { ...options.vapid };
  }

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    if (target.platform !== 'web') {
      throw new Error(`WebPushProvider was given a ${target.platform} device; FCM sends those`);
    }
    const { deviceId, subscription } = target;
    const secrets = [subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth];

    let url: URL;
    try {
      url = new URL(subscription.endpoint);
    } catch {
      return this.finish(deviceId, 'none', 'invalid', {
        outcome: 'invalid_token',
        reason: 'the subscription endpoint is not a URL',
      });
    }
    const host = url.host;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return this.finish(deviceId, host, 'invalid', {
        outcome: 'invalid_token',
        reason: `the subscription endpoint is not an https URL (${url.protocol})`,
      });
    }
    // Registration only lets through endpoints on the allowed hosts; path and query stay secret.
    secrets.push(url.pathname, url.search);

    this.vapidChecked ??= { problem: vapidProblem(this.vapid) };
    if (this.vapidChecked.problem) {
      return this.finish(deviceId, host, 'not sent', {
        outcome: 'auth_error',
        reason: `VAPID credentials unusable: ${this.vapidChecked.problem}`,
      });
    }

    const payload = JSON.stringify(buildWebPushPayload(message));
    const size = Buffer.byteLength(payload);
    if (size > WEB_PUSH_MAX_PAYLOAD_BYTES) {
      return this.finish(deviceId, host, 'not sent', {
        outcome: 'failed',
        reason: `payload too large: ${size} bytes, Web Push allows ${WEB_PUSH_MAX_PAYLOAD_BYTES}`,
      });
    }

    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: this.vapid,
        TTL: Number.isFinite(message.ttlSeconds) ? Math.max(0, Math.floor(message.ttlSeconds)) : 0,
        urgency: message.priority === 'high' ? 'high' : 'normal',
        topic: topicFor(message.collapseKey),
        contentEncoding: 'aes128gcm',
      });
    } catch (error) {
      // VAPID and our own options were checked above, so what is left is the subscription's keys
      // (p256dh not a 65-byte P-256 point, auth shorter than 16 bytes): no send can ever succeed.
      return this.finish(deviceId, host, 'invalid', {
        outcome: 'invalid_token',
        reason: `the subscription keys are unusable (${scrub(errorMessage(error), secrets)})`,
      });
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.headers)) {
      // fetch sets the length of the body itself.
      if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
    }

    let status: number;
    let replyHeaders: Headers;
    let body: string;
    try {
      const response = await fetch(subscription.endpoint, {
        method: 'POST',
        headers,
        body: details.body,
        // A push service does not redirect; following one would send the payload elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      replyHeaders = response.headers;
      // Reading the body is still under the timeout signal.
      body = await response.text();
    } catch (error) {
      // Fetch errors are not passed on: their messages may quote the URL.
      if (isTimeout(error)) {
        return this.finish(deviceId, host, 'timeout', {
          outcome: 'retry',
          reason: `no answer from the push service within ${this.timeoutMs} ms`,
        });
      }
      return this.finish(deviceId, host, 'network', {
        outcome: 'retry',
        reason: `network error ${networkErrorCode(error)}`,
      });
    }

    const providerMessage = body ? scrub(body, secrets) : undefined;
    return this.finish(deviceId, host, status, classify(status, replyHeaders), providerMessage);
  }

  async checkCredentials(): Promise<void> {
    const problem = vapidProblem(this.vapid);
    this.vapidChecked = { problem };
    if (problem) throw new Error(`Web Push VAPID credentials are unusable: ${problem}`);
  }

  async close(): Promise<void> {}

  /** Logs what happened to one send and what happens next, and returns the outcome. */
  private finish(
    deviceId: string,
    host: string,
    status: number | string,
    outcome: PushOutcome,
    providerMessage?: string,
  ): PushOutcome {
    const fields = { deviceId, host, status, outcome: outcome.outcome, providerMessage };
    switch (outcome.outcome) {
      case 'sent':
        this.log.debug(fields, 'Web Push notification accepted by the push service');
        break;
      case 'invalid_token':
        this.log.info(
          fields,
          `Web Push subscription is gone or unusable (${outcome.reason}); the device is deleted and not retried`,
        );
        break;
      case 'retry': {
        const after =
          outcome.retryAfterMs === undefined
            ? 'with backoff'
            : `after ${outcome.retryAfterMs} ms (Retry-After)`;
        this.log.warn(
          { ...fields, retryAfterMs: outcome.retryAfterMs },
          `Web Push send failed for now (${outcome.reason}); the job queue retries ${after}`,
        );
        break;
      }
      case 'auth_error':
        this.log.error(
          fields,
          `Web Push refused our VAPID identity (${outcome.reason}); not retried; an operator must check the VAPID keys and subject`,
        );
        break;
      case 'failed':
        this.log.error(
          fields,
          `Web Push cannot deliver this notification (${outcome.reason}); it is dropped, the device is kept`,
        );
        break;
    }
    return outcome;
  }
}

/** What a push service's answer means for the pipeline (RFC 8030 §5, §7; RFC 8292 §4). */
function classify(status: number, headers: Headers): PushOutcome {
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  if (status === 404 || status === 410) {
    return { outcome: 'invalid_token', reason: `push service answered ${status}: subscription expired` };
  }
  if (status === 401 || status === 403) {
    return { outcome: 'auth_error', reason: `push service answered ${status}: VAPID token refused` };
  }
  if (status === 413) return { outcome: 'failed', reason: 'push service answered 413: payload too large' };
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), Date.now());
    const why = status === 429 ? 'rate limited' : status === 408 ? 'request timeout' : 'server error';
    const outcome: PushOutcome = { outcome: 'retry', reason: `push service answered ${status}: ${why}` };
    if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
    return outcome;
  }
  if (status >= 300 && status < 400) {
    return { outcome: 'failed', reason: `push service answered ${status}: redirects are not followed` };
  }
  return { outcome: 'failed', reason: `push service answered ${status}: request refused` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
