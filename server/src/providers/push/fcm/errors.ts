import { isObject, parseJson, parseRetryAfter, scrub } from '../../http.js';
import type { PushOutcome } from '../push.provider.js';
import { TokenError } from './oauth.js';

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/** `APNS_AUTH_ERROR` is the older spelling of `THIRD_PARTY_AUTH_ERROR`, still seen from some projects. */
const THIRD_PARTY_AUTH = new Set(['THIRD_PARTY_AUTH_ERROR', 'APNS_AUTH_ERROR']);

/** What one `messages:send` request came to. */
export type Reply =
  | { kind: 'http'; status: number; retryAfter: string | undefined; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string };

export interface GoogleError {
  status: string | undefined;
  message: string | undefined;
  fcmError: string | undefined;
  fields: string[];
}

/** What a classified reply leads to, with the log fields that explain it. */
export interface Verdict {
  outcome: PushOutcome;
  status: number | string;
  fcmError: string | undefined;
  providerMessage: string | undefined;
}

/** A plain 401 means our access token was refused; THIRD_PARTY_AUTH_ERROR is APNs' credential, not ours. */
export function isAccessTokenRefused(reply: Reply): boolean {
  if (reply.kind !== 'http' || reply.status !== 401) return false;
  const fcmError = parseGoogleError(reply.text)?.fcmError;
  return !(fcmError && THIRD_PARTY_AUTH.has(fcmError));
}

/**
 * Turns one FCM reply into an outcome (see push.provider.ts for what each means). `hide` is
 * scrubbed from FCM's message; `refreshed` says the access token was already minted afresh.
 */
export function classify(reply: Reply, now: number, hide: string[], refreshed: boolean): Verdict {
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

/** The outcome when no access token could be had: transient token failures retry, the rest is auth_error. */
export function tokenVerdict(error: unknown, hide: string[]): Verdict {
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

/** Reads Google's `{error: {code, message, status, details}}`; null for anything else. */
export function parseGoogleError(text: string): GoogleError | null {
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

/**
 * A 400 about the registration token (malformed, truncated, wrong package) rather than the payload:
 * a `message.token` field violation, or FCM's "…not a valid FCM registration token" message.
 */
function isAboutTheToken(error: GoogleError): boolean {
  if (error.fields.some((field) => field === 'message.token')) return true;
  return /registration token/i.test(error.message ?? '');
}

function verdict(
  outcome: PushOutcome,
  status: number | string,
  fcmError?: string,
  providerMessage?: string,
): Verdict {
  return { outcome, status, fcmError, providerMessage };
}
