import { describe, expect, it } from 'vitest';
import { classify, isAccessTokenRefused, parseGoogleError, type Reply, tokenVerdict } from './errors.js';
import { TokenError } from './oauth.js';

const NOW = Date.UTC(2026, 2, 1, 9, 30, 0);
const TOKEN = 'fYx3Zk2WQ9e8Lr0VbN1mTq:APA91bHq7Lk2v9Xw3Rz8Tn5Yp1Bd6Fg4Hj0Kl2Mn8Qr7St3Uv5Wx9Yz1';
const HTML = '<html><body>Bad Gateway</body></html>';

const fcmError = (errorCode: string) => ({
  '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
  errorCode,
});
const badRequest = (...fields: string[]) => ({
  '@type': 'type.googleapis.com/google.rpc.BadRequest',
  fieldViolations: fields.map((field) => ({ field, description: 'Invalid value' })),
});

/** Google's error body, as FCM HTTP v1 sends it. */
function google(code: number, status: string, message: string, details: unknown[] = []): string {
  return JSON.stringify({ error: { code, message, status, details } });
}

function http(status: number, text: string, retryAfter?: string): Reply {
  return { kind: 'http', status, retryAfter, text };
}

const run = (reply: Reply, refreshed = false) => classify(reply, NOW, [TOKEN], refreshed);

describe(classify.name, () => {
  it('gives retry for a timeout and for a network error, naming the code', () => {
    expect(run({ kind: 'timeout' })).toStrictEqual({
      outcome: { outcome: 'retry', reason: 'timeout: FCM gave no answer in time' },
      status: 'timeout',
      fcmError: undefined,
      providerMessage: undefined,
    });
    const network = run({ kind: 'network', code: 'ECONNRESET' });
    expect(network.outcome).toStrictEqual({ outcome: 'retry', reason: 'network error ECONNRESET' });
    expect(network.status).toBe('network');
  });

  it('gives sent with the message name for a 200, and failed for a 200 without one', () => {
    const name = 'projects/p/messages/0:1%abc';
    expect(run(http(200, JSON.stringify({ name }))).outcome).toStrictEqual({
      outcome: 'sent',
      providerMessageId: name,
    });
    expect(run(http(200, '{}')).outcome.outcome).toBe('failed');
    expect(run(http(200, HTML)).outcome.outcome).toBe('failed');
  });

  it('reads an unreadable reply by its status: 5xx and 429 retry (with Retry-After), others fail', () => {
    expect(run(http(502, HTML, '12')).outcome).toStrictEqual({
      outcome: 'retry',
      reason: 'HTTP 502, unreadable reply',
      retryAfterMs: 12_000,
    });
    expect(run(http(429, HTML)).outcome).toStrictEqual({
      outcome: 'retry',
      reason: 'HTTP 429, unreadable reply',
    });
    expect(run(http(302, '')).outcome).toStrictEqual({
      outcome: 'failed',
      reason: 'HTTP 302, redirected; check FCM_BASE_URL',
    });
    expect(run(http(404, HTML)).outcome).toStrictEqual({
      outcome: 'failed',
      reason: 'HTTP 404, unreadable reply',
    });
  });

  it('gives invalid_token for UNREGISTERED whatever the status, and for any Google 404', () => {
    const unregistered = run(http(400, google(400, 'INVALID_ARGUMENT', 'gone', [fcmError('UNREGISTERED')])));
    expect(unregistered.outcome).toStrictEqual({ outcome: 'invalid_token', reason: '400 UNREGISTERED' });
    expect(unregistered.fcmError).toBe('UNREGISTERED');
    expect(run(http(404, google(404, 'NOT_FOUND', 'Requested entity was not found.'))).outcome).toStrictEqual(
      {
        outcome: 'invalid_token',
        reason: '404 NOT_FOUND',
      },
    );
  });

  it('gives auth_error for SENDER_ID_MISMATCH and both spellings of the APNs credential error', () => {
    for (const [status, code] of [
      [403, 'SENDER_ID_MISMATCH'],
      [401, 'THIRD_PARTY_AUTH_ERROR'],
      [401, 'APNS_AUTH_ERROR'],
    ] as const) {
      const result = run(http(status, google(status, 'UNAUTHENTICATED', 'auth', [fcmError(code)])));
      expect(result.outcome).toStrictEqual({ outcome: 'auth_error', reason: `${status} ${code}` });
    }
  });

  it('gives invalid_token for a 400 about the registration token, by field or by message', () => {
    const byField = google(400, 'INVALID_ARGUMENT', 'Invalid value', [badRequest('message.token')]);
    expect(run(http(400, byField)).outcome).toStrictEqual({
      outcome: 'invalid_token',
      reason: '400 INVALID_ARGUMENT (registration token)',
    });
    const byMessage = google(
      400,
      'INVALID_ARGUMENT',
      'The registration token is not a valid FCM registration token',
    );
    expect(run(http(400, byMessage)).outcome.outcome).toBe('invalid_token');
  });

  it('gives failed for a 400 about the payload, quoting FCM with our secrets scrubbed', () => {
    const body = google(400, 'INVALID_ARGUMENT', `Invalid data for ${TOKEN}`, [
      badRequest('message.data[0].key'),
    ]);
    const result = run(http(400, body));
    expect(result.outcome).toStrictEqual({
      outcome: 'failed',
      reason: '400 INVALID_ARGUMENT: Invalid data for [redacted]',
    });
    expect(result.providerMessage).toBe('Invalid data for [redacted]');
  });

  it('gives auth_error for 401 and 403, saying when a fresh access token did not help', () => {
    const unauthenticated = http(401, google(401, 'UNAUTHENTICATED', 'Request had invalid credentials.'));
    expect(run(unauthenticated).outcome).toStrictEqual({
      outcome: 'auth_error',
      reason: '401 UNAUTHENTICATED',
    });
    expect(run(unauthenticated, true).outcome).toStrictEqual({
      outcome: 'auth_error',
      reason: '401 UNAUTHENTICATED after a fresh access token',
    });
    expect(run(http(403, google(403, 'PERMISSION_DENIED', 'denied')), true).outcome).toStrictEqual({
      outcome: 'auth_error',
      reason: '403 PERMISSION_DENIED',
    });
  });

  it('gives retry for 429, QUOTA_EXCEEDED and server errors, with Retry-After as seconds or a date', () => {
    const quota = google(429, 'RESOURCE_EXHAUSTED', 'quota', [fcmError('QUOTA_EXCEEDED')]);
    expect(run(http(429, quota, '7')).outcome).toStrictEqual({
      outcome: 'retry',
      reason: '429 QUOTA_EXCEEDED',
      retryAfterMs: 7000,
    });
    const unavailable = google(503, 'UNAVAILABLE', 'down', [fcmError('UNAVAILABLE')]);
    expect(run(http(503, unavailable, new Date(NOW + 30_000).toUTCString())).outcome).toStrictEqual({
      outcome: 'retry',
      reason: '503 UNAVAILABLE',
      retryAfterMs: 30_000,
    });
    // No Retry-After: no retryAfterMs key at all.
    expect(run(http(500, google(500, 'INTERNAL', 'oops', [fcmError('INTERNAL')]))).outcome).toStrictEqual({
      outcome: 'retry',
      reason: '500 INTERNAL',
    });
  });

  it('gives failed for any other Google error', () => {
    expect(run(http(409, google(409, 'ABORTED', 'conflict'))).outcome).toStrictEqual({
      outcome: 'failed',
      reason: '409 ABORTED: conflict',
    });
  });
});

describe(isAccessTokenRefused.name, () => {
  it('is true for a plain 401 only, not for the APNs credential error or other replies', () => {
    expect(isAccessTokenRefused(http(401, google(401, 'UNAUTHENTICATED', 'bad token')))).toBe(true);
    expect(isAccessTokenRefused(http(401, HTML))).toBe(true);
    for (const code of ['THIRD_PARTY_AUTH_ERROR', 'APNS_AUTH_ERROR']) {
      expect(isAccessTokenRefused(http(401, google(401, 'UNAUTHENTICATED', 'apns', [fcmError(code)])))).toBe(
        false,
      );
    }
    expect(isAccessTokenRefused(http(403, google(403, 'PERMISSION_DENIED', 'denied')))).toBe(false);
    expect(isAccessTokenRefused({ kind: 'timeout' })).toBe(false);
  });
});

describe(tokenVerdict.name, () => {
  it('gives retry for a transient token failure, keeping its Retry-After', () => {
    const error = new TokenError(true, 'token endpoint refused (503 backend_error)', 503, 5000);
    expect(tokenVerdict(error, [])).toStrictEqual({
      outcome: { outcome: 'retry', reason: 'token endpoint refused (503 backend_error)', retryAfterMs: 5000 },
      status: 503,
      fcmError: undefined,
      providerMessage: undefined,
    });
  });

  it('gives auth_error for a refused grant, with secrets scrubbed from the reason', () => {
    const error = new TokenError(false, `token endpoint refused (400 invalid_grant for ${TOKEN})`, 400);
    expect(tokenVerdict(error, [TOKEN]).outcome).toStrictEqual({
      outcome: 'auth_error',
      reason: 'token endpoint refused (400 invalid_grant for [redacted])',
    });
  });

  it('gives retry for an unexpected error', () => {
    const result = tokenVerdict(new Error('boom'), []);
    expect(result.outcome).toStrictEqual({ outcome: 'retry', reason: 'access token could not be minted' });
    expect(result.status).toBe('token');
  });
});

describe(parseGoogleError.name, () => {
  it('reads the status, message, FcmError code and field violations', () => {
    const body = google(400, 'INVALID_ARGUMENT', 'bad', [
      fcmError('INVALID_ARGUMENT'),
      badRequest('message.token', 'message.data'),
      'not an object',
    ]);
    expect(parseGoogleError(body)).toStrictEqual({
      status: 'INVALID_ARGUMENT',
      message: 'bad',
      fcmError: 'INVALID_ARGUMENT',
      fields: ['message.token', 'message.data'],
    });
  });

  it('is null for anything but a Google error object', () => {
    for (const text of [HTML, '', '[]', 'null', '{"error":"invalid_grant"}']) {
      expect(parseGoogleError(text)).toBeNull();
    }
  });
});
