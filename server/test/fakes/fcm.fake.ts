import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, importSPKI, errors as joseErrors, jwtVerify } from 'jose';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

/** A complete service-account key file, as the Firebase console downloads it. */
export interface FakeServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/**
 * The error replies `failNext` can inject, each with FCM HTTP v1's real status and body:
 * - `UNREGISTERED`: 404 NOT_FOUND, FcmError UNREGISTERED (app uninstalled, token expired).
 * - `NOT_FOUND`: 404 NOT_FOUND with no details (the canonical-code-only shape firebase-admin also reads as unregistered).
 * - `INVALID_TOKEN`: 400 INVALID_ARGUMENT, "The registration token is not a valid FCM registration token".
 * - `INVALID_ARGUMENT`: 400 "Request contains an invalid argument." without details (e.g. payload too big).
 * - `QUOTA_EXCEEDED`: 429 RESOURCE_EXHAUSTED, FcmError QUOTA_EXCEEDED + QuotaFailure, Retry-After 60.
 * - `RATE_LIMIT_EXCEEDED`: 429 RESOURCE_EXHAUSTED with only an ErrorInfo (the project-wide quota shape).
 * - `UNAVAILABLE`: 503, FcmError UNAVAILABLE (Retry-After only when given).
 * - `INTERNAL`: 500, FcmError INTERNAL.
 * - `SENDER_ID_MISMATCH`: 403 PERMISSION_DENIED "SenderId mismatch", FcmError SENDER_ID_MISMATCH.
 * - `THIRD_PARTY_AUTH_ERROR`: 401 UNAUTHENTICATED "Auth error from APNS or Web Push Service".
 * - `PERMISSION_DENIED`: 403 without FcmError (the service account lacks cloudmessaging.messages.create).
 * - `UNAUTHENTICATED`: 401 as for a revoked access token, even when the token is good.
 */
export type FakeFcmFailure =
  | 'UNREGISTERED'
  | 'NOT_FOUND'
  | 'INVALID_TOKEN'
  | 'INVALID_ARGUMENT'
  | 'QUOTA_EXCEEDED'
  | 'RATE_LIMIT_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'SENDER_ID_MISMATCH'
  | 'THIRD_PARTY_AUTH_ERROR'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED';

export interface FakeFcmMessage {
  project: string;
  /** The registration token the message was addressed to. */
  token: string;
  /** The `message` object exactly as received. */
  message: Record<string, unknown>;
}

export interface FakeFcmRequest {
  kind: 'token' | 'send';
  /** The HTTP status answered; 0 for a request left hanging. */
  status: number;
}

export interface FakeFcm {
  /** Base URL without a trailing slash (FCM_BASE_URL), e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** A service account whose token_uri is this fake's `/token` and whose key the fake trusts. */
  serviceAccount: FakeServiceAccount;
  /** Messages accepted (200), in arrival order. */
  messages: FakeFcmMessage[];
  /** Every token and send request, in arrival order, with the status answered. */
  requests: FakeFcmRequest[];
  /** Access tokens issued so far (for checking that none reaches a log line). */
  accessTokens: string[];
  /** Number of token requests, answered or not. */
  readonly tokenRequests: number;
  /** Answers the next `times` sends with the error reply of `kind`. */
  failNext(
    kind: FakeFcmFailure,
    times?: number,
    options?: { retryAfter?: string | undefined; message?: string | undefined },
  ): void;
  /** Answers the next token request with `{error, error_description}` and `status`. */
  failTokenNext(status: number, error: string, description?: string): void;
  /** Never answers the next send (until `close`). */
  hangNext(): void;
  /** Answers the next send with an HTML error page, as Google's front end or a proxy would. */
  htmlNext(status: number): void;
  /** From now on, sends to `token` get 404 UNREGISTERED. */
  unregister(token: string): void;
  /** Every access token issued so far is refused from now on (401), as after a revocation. */
  revokeAccessTokens(): void;
  close(): Promise<void>;
}

type Behaviour =
  | { kind: 'fail'; failure: FakeFcmFailure; retryAfter: string | undefined; message: string | undefined }
  | { kind: 'hang' }
  | { kind: 'html'; status: number };

interface GoogleErrorReply {
  status: number;
  body: { error: { code: number; message: string; status: string; details?: unknown[] } };
  headers?: Record<string, string>;
}

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
/** Real tokens are ~150+ characters of base64url with a colon; anything else is "not a valid FCM registration token". */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+:[A-Za-z0-9_-]{20,}$/;

/**
 * Starts a fake of Google's OAuth token endpoint and FCM HTTP v1 on 127.0.0.1 (ephemeral port).
 * The token endpoint verifies the RS256 JWT-bearer assertion against the public key of the
 * service account it generated; `messages:send` checks the bearer token it issued, the project
 * and the exact shape of the message, and answers with Google's JSON bodies.
 */
export async function startFakeFcm(
  options: { projectId?: string; tokenTtlSeconds?: number } = {},
): Promise<FakeFcm> {
  const projectId = options.projectId ?? 'abrik-fake';
  const tokenTtl = options.tokenTtlSeconds ?? 3599;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const verifyKey = await importSPKI(publicKey, 'RS256');
  const keyId = randomBytes(20).toString('hex');
  const clientEmail = `firebase-adminsdk-fake@${projectId}.iam.gserviceaccount.com`;

  const messages: FakeFcmMessage[] = [];
  const requests: FakeFcmRequest[] = [];
  const accessTokens: string[] = [];
  /** Access token → expiry (ms since epoch); revoked tokens are removed. */
  const live = new Map<string, number>();
  const unregistered = new Set<string>();
  const behaviours: Behaviour[] = [];
  const tokenFailures: { status: number; error: string; description: string | undefined }[] = [];
  let url = '';
  let tokenUri = '';

  const handleToken = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<number> => {
    const oauthError = (status: number, error: string, description: string) =>
      sendJson(res, status, { error, error_description: description });
    const failure = tokenFailures.shift();
    if (failure) {
      return sendJson(res, failure.status, {
        error: failure.error,
        ...(failure.description === undefined ? {} : { error_description: failure.description }),
      });
    }
    if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'Method not allowed');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Bad Request');
    }
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type');
    if (grantType !== JWT_BEARER) {
      return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    }
    const assertion = form.get('assertion');
    if (!assertion) return oauthError(400, 'invalid_request', 'Missing required parameter: assertion');

    const badSignature = () => oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: The JWT could not be decoded.');
    }
    if (header.alg !== 'RS256' || (header.kid !== undefined && header.kid !== keyId)) return badSignature();
    let claims: Record<string, unknown>;
    try {
      claims = (await jwtVerify(assertion, verifyKey, { algorithms: ['RS256'] })).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return shortLived(res);
      return badSignature();
    }
    if (claims.iss !== clientEmail)
      return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
    if (claims.aud !== tokenUri) {
      return oauthError(
        400,
        'invalid_grant',
        `Invalid JWT: Failed audience check. The expected audience is ${tokenUri}.`,
      );
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.includes(FCM_SCOPE)) {
      return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp <= iat ||
      exp - iat > 3600 ||
      iat > now + 300 ||
      exp < now
    ) {
      return shortLived(res);
    }
    const accessToken = `ya29.c.fake-${randomBytes(48).toString('base64url')}`;
    accessTokens.push(accessToken);
    live.set(accessToken, Date.now() + tokenTtl * 1000);
    return sendJson(res, 200, { access_token: accessToken, expires_in: tokenTtl, token_type: 'Bearer' });
  };

  const handleSend = (req: IncomingMessage, res: ServerResponse, project: string, body: string): number => {
    if (req.method !== 'POST') return sendHtml(res, 405);
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = auth === undefined ? undefined : live.get(auth);
    if (expiresAt === undefined || expiresAt <= Date.now()) return sendGoogle(res, unauthenticated());
    if (project !== projectId) return sendGoogle(res, permissionDenied(project));

    const behaviour = behaviours.shift();
    if (behaviour?.kind === 'hang') return 0;
    if (behaviour?.kind === 'html') return sendHtml(res, behaviour.status);
    if (behaviour?.kind === 'fail') {
      return sendGoogle(
        res,
        failureReply(behaviour.failure, project, behaviour.retryAfter, behaviour.message),
      );
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return sendGoogle(res, badRequest('Invalid JSON payload received. Unexpected token.', ''));
    }
    const problem = validateSendRequest(json);
    if (problem === 'too_big') return sendGoogle(res, failureReply('INVALID_ARGUMENT', project));
    if (problem) return sendGoogle(res, badRequest(problem.description, problem.field));

    const message = (json as { message: Record<string, unknown> }).message;
    const token = message.token as string;
    if (unregistered.has(token)) return sendGoogle(res, failureReply('UNREGISTERED', project));
    if (!TOKEN_SHAPE.test(token)) return sendGoogle(res, failureReply('INVALID_TOKEN', project));
    messages.push({ project, token, message });
    const id = `0:${Date.now()}%${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    return sendJson(res, 200, { name: `projects/${project}/messages/${id}` });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const body = await readBody(req);
    if (path === '/token') {
      const entry: FakeFcmRequest = { kind: 'token', status: 0 };
      requests.push(entry);
      entry.status = await handleToken(req, res, body);
      return;
    }
    const match = SEND_PATH.exec(path);
    if (!match) {
      sendHtml(res, 404);
      return;
    }
    const entry: FakeFcmRequest = { kind: 'send', status: 0 };
    requests.push(entry);
    entry.status = handleSend(req, res, decodeURIComponent(match[1]!), body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendHtml(res, 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  tokenUri = `${url}/token`;

  const serviceAccount: FakeServiceAccount = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey,
    client_email: clientEmail,
    client_id: '104385729136549822731',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };

  return {
    url,
    serviceAccount,
    messages,
    requests,
    accessTokens,
    get tokenRequests() {
      return requests.filter((r) => r.kind === 'token').length;
    },
    failNext(kind, times = 1, options = {}) {
      for (let i = 0; i < times; i++) {
        behaviours.push({
          kind: 'fail',
          failure: kind,
          retryAfter: options.retryAfter,
          message: options.message,
        });
      }
    },
    failTokenNext(status, error, description) {
      tokenFailures.push({ status, error, description });
    },
    hangNext() {
      behaviours.push({ kind: 'hang' });
    },
    htmlNext(status) {
      behaviours.push({ kind: 'html', status });
    },
    unregister(token) {
      unregistered.add(token);
    },
    revokeAccessTokens() {
      live.clear();
    },
    close() {
      // Hung requests keep their sockets open; close would otherwise wait for them forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function shortLived(res: ServerResponse): number {
  return sendJson(res, 400, {
    error: 'invalid_grant',
    error_description:
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
  });
}

function googleError(
  code: number,
  status: string,
  message: string,
  details?: unknown[],
  headers?: Record<string, string>,
): GoogleErrorReply {
  return {
    status: code,
    body: { error: { code, message, status, ...(details ? { details } : {}) } },
    ...(headers ? { headers } : {}),
  };
}

function fcmError(errorCode: string) {
  return { '@type': FCM_ERROR, errorCode };
}

function unauthenticated(): GoogleErrorReply {
  return googleError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    undefined,
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );
}

function permissionDenied(project: string): GoogleErrorReply {
  return googleError(
    403,
    'PERMISSION_DENIED',
    `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'cloudresourcemanager.googleapis.com',
        metadata: { permission: 'cloudmessaging.messages.create', resource: `projects/${project}` },
      },
    ],
  );
}

function badRequest(description: string, field: string): GoogleErrorReply {
  return googleError(400, 'INVALID_ARGUMENT', description, [
    { '@type': BAD_REQUEST, fieldViolations: [{ ...(field ? { field } : {}), description }] },
  ]);
}

function failureReply(
  kind: FakeFcmFailure,
  project: string,
  retryAfter?: string,
  message?: string,
): GoogleErrorReply {
  const retry = (fallback?: string) => {
    const value = retryAfter ?? fallback;
    return value === undefined ? undefined : { 'retry-after': value };
  };
  switch (kind) {
    case 'UNREGISTERED':
      return googleError(404, 'NOT_FOUND', message ?? 'Requested entity was not found.', [
        fcmError('UNREGISTERED'),
      ]);
    case 'NOT_FOUND':
      return googleError(404, 'NOT_FOUND', message ?? 'Requested entity was not found.');
    case 'INVALID_TOKEN':
      return googleError(
        400,
        'INVALID_ARGUMENT',
        message ?? 'The registration token is not a valid FCM registration token',
        [fcmError('INVALID_ARGUMENT')],
      );
    case 'INVALID_ARGUMENT':
      return googleError(400, 'INVALID_ARGUMENT', message ?? 'Request contains an invalid argument.');
    case 'QUOTA_EXCEEDED':
      return googleError(
        429,
        'RESOURCE_EXHAUSTED',
        message ?? 'Device message rate exceeded.',
        [
          fcmError('QUOTA_EXCEEDED'),
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ subject: 'device', description: 'Device message rate exceeded.' }],
          },
        ],
        retry('60'),
      );
    case 'RATE_LIMIT_EXCEEDED':
      return googleError(
        429,
        'RESOURCE_EXHAUSTED',
        message ??
          "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com' for consumer 'project_number:104385729136'.",
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: {
              service: 'fcm.googleapis.com',
              consumer: `projects/${project}`,
              quota_metric: 'fcm.googleapis.com/send_requests',
              quota_limit: 'SendsPerMinutePerProject',
            },
          },
        ],
        retry(),
      );
    case 'UNAVAILABLE':
      return googleError(
        503,
        'UNAVAILABLE',
        message ?? 'The service is currently unavailable.',
        [fcmError('UNAVAILABLE')],
        retry(),
      );
    case 'INTERNAL':
      return googleError(
        500,
        'INTERNAL',
        message ?? 'Internal error encountered.',
        [fcmError('INTERNAL')],
        retry(),
      );
    case 'SENDER_ID_MISMATCH':
      return googleError(403, 'PERMISSION_DENIED', message ?? 'SenderId mismatch', [
        fcmError('SENDER_ID_MISMATCH'),
      ]);
    case 'THIRD_PARTY_AUTH_ERROR':
      return googleError(401, 'UNAUTHENTICATED', message ?? 'Auth error from APNS or Web Push Service', [
        fcmError('THIRD_PARTY_AUTH_ERROR'),
      ]);
    case 'PERMISSION_DENIED':
      return permissionDenied(project);
    case 'UNAUTHENTICATED':
      return unauthenticated();
  }
}

// --- Message validation: the fields FCM v1 knows, proto3 JSON names (snake_case or lowerCamelCase).

const MESSAGE_FIELDS = [
  'name',
  'data',
  'notification',
  'android',
  'webpush',
  'apns',
  'fcm_options',
  'token',
  'topic',
  'condition',
];
const NOTIFICATION_FIELDS = ['title', 'body', 'image'];
const ANDROID_FIELDS = [
  'collapse_key',
  'priority',
  'ttl',
  'restricted_package_name',
  'data',
  'notification',
  'fcm_options',
  'direct_boot_ok',
];
const ANDROID_NOTIFICATION_FIELDS = [
  'title',
  'body',
  'icon',
  'color',
  'sound',
  'tag',
  'click_action',
  'body_loc_key',
  'body_loc_args',
  'title_loc_key',
  'title_loc_args',
  'channel_id',
  'ticker',
  'sticky',
  'event_time',
  'local_only',
  'notification_priority',
  'default_sound',
  'default_vibrate_timings',
  'default_light_settings',
  'vibrate_timings',
  'visibility',
  'notification_count',
  'light_settings',
  'image',
];
const APNS_FIELDS = ['headers', 'payload', 'fcm_options', 'live_activity_token'];
/** The `aps` keys the fake accepts; APNs documents more, the app uses these. */
const APS_FIELDS = [
  'alert',
  'badge',
  'sound',
  'thread-id',
  'category',
  'content-available',
  'mutable-content',
];
/** Data keys FCM reserves (ErrorCode INVALID_ARGUMENT, "Invalid data key"). */
const RESERVED_DATA_KEY = /^(from|gcm|google.*)$/i;
const DURATION = /^\d+(\.\d{1,9})?s$/;
const MAX_PAYLOAD_BYTES = 4096;

interface Problem {
  field: string;
  description: string;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Unknown keys are refused the way Google's JSON parser does. */
function unknownField(value: Record<string, unknown>, known: string[], at: string): Problem | null {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && !known.includes(snake(key))) {
      return {
        field: at,
        description: `Invalid JSON payload received. Unknown name "${key}" at '${at}': Cannot find field.`,
      };
    }
  }
  return null;
}

function get(value: Record<string, unknown>, name: string): unknown {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return value[name] ?? value[camel];
}

function invalid(field: string, type: string, value: unknown): Problem {
  return { field, description: `Invalid value at '${field}' (${type}), ${JSON.stringify(value)}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStrings(value: unknown, at: string): Problem | null {
  if (!isRecord(value)) return invalid(at, 'TYPE_MESSAGE', value);
  let index = 0;
  for (const item of Object.values(value)) {
    if (typeof item !== 'string') return invalid(`${at}[${index}].value`, 'TYPE_STRING', item);
    index++;
  }
  return null;
}

/** The first thing FCM would refuse in `{message}`, 'too_big', or null when it would accept it. */
function validateSendRequest(json: unknown): Problem | 'too_big' | null {
  if (!isRecord(json)) return { field: '', description: 'Invalid JSON payload received.' };
  const top = unknownField(json, ['message', 'validate_only'], '');
  if (top) return top;
  const message = json.message;
  if (!isRecord(message)) return { field: 'message', description: 'Recipient of the message is not set.' };
  const problem = unknownField(message, MESSAGE_FIELDS, 'message');
  if (problem) return problem;
  const targets = ['token', 'topic', 'condition'].filter((t) => message[t] !== undefined);
  if (targets.length !== 1 || typeof message.token !== 'string' || message.token === '') {
    return { field: 'message', description: 'Recipient of the message is not set.' };
  }

  const notification = message.notification;
  if (notification !== undefined) {
    if (!isRecord(notification)) return invalid('message.notification', 'TYPE_MESSAGE', notification);
    const unknown = unknownField(notification, NOTIFICATION_FIELDS, 'message.notification');
    if (unknown) return unknown;
    for (const field of ['title', 'body']) {
      const value = notification[field];
      if (typeof value !== 'string') return invalid(`message.notification.${field}`, 'TYPE_STRING', value);
    }
  }
  if (message.data !== undefined) {
    const bad = checkStrings(message.data, 'message.data');
    if (bad) return bad;
    const reserved = Object.keys(message.data as object).find((key) => RESERVED_DATA_KEY.test(key));
    if (reserved) return { field: 'message.data', description: `Invalid data payload key: ${reserved}` };
  }
  const size = Buffer.byteLength(JSON.stringify({ notification: message.notification, data: message.data }));
  if (size > MAX_PAYLOAD_BYTES) return 'too_big';

  if (message.android !== undefined) {
    const bad = validateAndroid(message.android);
    if (bad) return bad;
  }
  if (message.apns !== undefined) {
    const bad = validateApns(message.apns);
    if (bad) return bad;
  }
  return null;
}

function validateAndroid(android: unknown): Problem | null {
  const at = 'message.android';
  if (!isRecord(android)) return invalid(at, 'TYPE_MESSAGE', android);
  const unknown = unknownField(android, ANDROID_FIELDS, at);
  if (unknown) return unknown;
  const priority = get(android, 'priority');
  if (priority !== undefined && !['NORMAL', 'HIGH', 'normal', 'high'].includes(priority as string)) {
    return invalid(
      `${at}.priority`,
      'type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority',
      priority,
    );
  }
  const ttl = get(android, 'ttl');
  if (ttl !== undefined) {
    if (typeof ttl !== 'string' || !DURATION.test(ttl) || Number.parseFloat(ttl) > 2_419_200) {
      return invalid(`${at}.ttl`, 'type.googleapis.com/google.protobuf.Duration', ttl);
    }
  }
  const collapseKey = get(android, 'collapse_key');
  if (collapseKey !== undefined && typeof collapseKey !== 'string') {
    return invalid(`${at}.collapse_key`, 'TYPE_STRING', collapseKey);
  }
  const notification = get(android, 'notification');
  if (notification !== undefined) {
    const nat = `${at}.notification`;
    if (!isRecord(notification)) return invalid(nat, 'TYPE_MESSAGE', notification);
    const unknownNotification = unknownField(notification, ANDROID_NOTIFICATION_FIELDS, nat);
    if (unknownNotification) return unknownNotification;
    for (const field of ['title', 'body', 'sound', 'tag', 'channel_id', 'icon', 'color']) {
      const value = get(notification, field);
      if (value !== undefined && typeof value !== 'string')
        return invalid(`${nat}.${field}`, 'TYPE_STRING', value);
    }
    const count = get(notification, 'notification_count');
    if (count !== undefined && (!Number.isInteger(count) || (count as number) < 0)) {
      return invalid(`${nat}.notification_count`, 'TYPE_INT32', count);
    }
  }
  return null;
}

function validateApns(apns: unknown): Problem | null {
  const at = 'message.apns';
  if (!isRecord(apns)) return invalid(at, 'TYPE_MESSAGE', apns);
  const unknown = unknownField(apns, APNS_FIELDS, at);
  if (unknown) return unknown;
  const headers = apns.headers;
  if (headers !== undefined) {
    const bad = checkStrings(headers, `${at}.headers`);
    if (bad) return bad;
    const h = headers as Record<string, string>;
    if (h['apns-priority'] !== undefined && !['5', '10'].includes(h['apns-priority'])) {
      return { field: `${at}.headers`, description: 'Invalid apns-priority header; expected 5 or 10.' };
    }
    if (h['apns-collapse-id'] !== undefined && Buffer.byteLength(h['apns-collapse-id']) > 64) {
      return { field: `${at}.headers`, description: 'apns-collapse-id must not exceed 64 bytes.' };
    }
    if (h['apns-expiration'] !== undefined && !/^\d+$/.test(h['apns-expiration'])) {
      return { field: `${at}.headers`, description: 'apns-expiration must be a UNIX epoch in seconds.' };
    }
  }
  const payload = apns.payload;
  if (payload !== undefined) {
    if (!isRecord(payload))
      return invalid(`${at}.payload`, 'type.googleapis.com/google.protobuf.Struct', payload);
    if (Buffer.byteLength(JSON.stringify(payload)) > MAX_PAYLOAD_BYTES)
      return invalid(`${at}.payload`, 'size', '>4096');
    const aps = payload.aps;
    if (aps !== undefined) {
      if (!isRecord(aps)) return invalid(`${at}.payload.aps`, 'aps dictionary', aps);
      for (const key of Object.keys(aps)) {
        if (!APS_FIELDS.includes(key))
          return { field: `${at}.payload.aps`, description: `Unknown aps key "${key}".` };
      }
      if (aps.badge !== undefined && (!Number.isInteger(aps.badge) || (aps.badge as number) < 0)) {
        return invalid(`${at}.payload.aps.badge`, 'non-negative integer', aps.badge);
      }
      for (const key of ['thread-id', 'category']) {
        if (aps[key] !== undefined && typeof aps[key] !== 'string')
          return invalid(`${at}.payload.aps.${key}`, 'string', aps[key]);
      }
      if (aps.sound !== undefined && typeof aps.sound !== 'string' && !isRecord(aps.sound)) {
        return invalid(`${at}.payload.aps.sound`, 'string or dictionary', aps.sound);
      }
    }
  }
  return null;
}

function sendGoogle(res: ServerResponse, reply: GoogleErrorReply): number {
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
  res.end(JSON.stringify(reply.body, null, 2));
  return reply.status;
}

function sendJson(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
  return status;
}

/** Google's front-end error page (the shape of its 404 and 502 pages). */
function sendHtml(res: ServerResponse, status: number): number {
  const title = `Error ${status} (${STATUS_CODES[status] ?? 'Error'})!!1`;
  res.writeHead(status, { 'content-type': 'text/html; charset=UTF-8' });
  res.end(
    `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>${title}</title>\n  <p><b>${status}.</b> <ins>That’s an error.</ins>\n  <p>That’s all we know.\n`,
  );
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
