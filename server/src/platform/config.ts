import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const url = z.url();
const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Every setting, read once from the environment. One line per variable says what it does; the
 * README's configuration table repeats these.
 */
const EnvSchema = z.object({
  /** development | production | test. Production refuses unsafe defaults. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Address and port the HTTP and Socket.IO server listens on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  /** Where the embedded database and generated development secrets live. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL connection string; unset means embedded PGlite in DATA_DIR. */
  DATABASE_URL: url.optional(),
  /** Most PostgreSQL connections this process opens. */
  DATABASE_POOL_SIZE: int(1, 1000).default(10),
  /** A statement running longer than this is cancelled by PostgreSQL. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(100).default(5000),
  /** How long to wait for a PostgreSQL connection before answering 503 db/unavailable. */
  DATABASE_CONNECT_TIMEOUT_MS: int(100).default(2000),
  /**
   * Redis connection string. Set it to run several instances: they share Socket.IO events (Redis
   * Streams adapter), presence and rate limits through it. Unset: everything stays in-process.
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key and stream, so several deployments can share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'letters, digits, "_", "-", ".", ":" only (at most 64)')
    .default('abrik:'),
  /** Name of this instance in logs and metrics; default: host name, process id and a random tag. */
  INSTANCE_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'letters, digits, "_", "-", "." only (at most 64)')
    .optional(),
  /** Every instance refreshes its presence heartbeat in Redis this often … */
  PRESENCE_HEARTBEAT_SECONDS: int(1, 60).default(5),
  /** … and counts as dead, its users offline, when it has not for this long. */
  PRESENCE_INSTANCE_TTL_SECONDS: int(2, 300).default(15),
  /** After a user's last connection closes, wait this long before announcing them offline. */
  PRESENCE_OFFLINE_GRACE_MS: int(0, 60_000).default(3000),
  /**
   * Presence is broadcast to the members of groups up to this size; in bigger groups members
   * ask for it (`presence:query`), so a reconnect storm does not cost members² events.
   */
  PRESENCE_GROUP_LIMIT: int(0, 1000).default(100),
  /**
   * Bearer token Prometheus presents to scrape `/metrics` (`authorization: Bearer …`). Required in
   * production: the metrics are not for the public. Unset elsewhere: `/metrics` is open.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** HMAC key that signs access tokens and hashes sign-in codes; at least 32 characters. */
  JWT_SECRET: z.string().min(32).optional(),
  /** Access token lifetime. */
  JWT_ACCESS_TTL_SECONDS: int(10).default(900),
  /** Refresh token lifetime; each refresh rotates it. */
  JWT_REFRESH_TTL_DAYS: int(1).default(30),
  /** Tolerated difference between this server's clock and the token issuer's. */
  JWT_CLOCK_SKEW_SECONDS: int(0, 600).default(30),
  /** Time a socket with an expired token has to send `auth:refresh` before it is closed. */
  SOCKET_AUTH_GRACE_SECONDS: int(1, 600).default(30),
  /** Largest Socket.IO frame accepted, in bytes. */
  SOCKET_MAX_PAYLOAD_BYTES: int(1024).default(65536),
  /** Acknowledged socket events one connection may have in flight; more answer `rate_limited`. */
  SOCKET_MAX_IN_FLIGHT: int(1, 1000).default(32),
  /**
   * Packets that may wait to be written to one connection; a client that stops reading is cut off
   * past it (checked every second) and syncs when it reconnects.
   */
  SOCKET_MAX_BUFFERED_PACKETS: int(10, 1_000_000).default(2000),
  /** Open connections one user may have on one instance; more are refused (`rate_limited`). */
  SOCKETS_PER_USER: int(1, 1000).default(20),
  /** Messages one user may send per minute (socket and HTTP, every instance with Redis). */
  MESSAGES_PER_USER_MINUTE: int(1).default(300),
  /** `sync` calls and history pages (HTTP or socket) one user may ask for per minute. */
  SYNC_PER_USER_MINUTE: int(1).default(120),
  HISTORY_PER_USER_MINUTE: int(1).default(600),
  /** Heavy reads (sync, history) of one user running at once on one instance; more wait their turn. */
  HEAVY_READS_PER_USER: int(1, 100).default(2),
  /**
   * The search indexer pauses while this process stores more messages a second than this: the
   * index lags behind a burst and catches up after it (0: never index while messages arrive).
   */
  SEARCH_INDEX_PAUSE_RATE: int(0, 1_000_000).default(200),
  /** Push devices one user may have; registering another drops the one unseen the longest. */
  DEVICES_PER_USER: int(1, 1000).default(10),
  /** Largest HTTP request body accepted, in bytes. */
  HTTP_BODY_LIMIT_BYTES: int(1024).default(65536),
  /** Trust X-Forwarded-For from a proxy in front (needed for per-IP limits behind nginx). */
  TRUST_PROXY: bool.default(false),
  /** Sign-in code lifetime and wrong attempts allowed. */
  OTP_TTL_SECONDS: int(30, 3600).default(120),
  OTP_MAX_ATTEMPTS: int(1, 20).default(5),
  /** A phone may ask for a new code once per interval, and this many times an hour. */
  OTP_PHONE_INTERVAL_SECONDS: int(1, 3600).default(60),
  OTP_PHONE_PER_HOUR: int(1).default(5),
  /** Sign-in codes one IP address may request, and verifications it may try, per hour. */
  OTP_REQUESTS_PER_IP_HOUR: int(1).default(30),
  OTP_VERIFY_PER_IP_HOUR: int(1).default(60),
  /** Phone look-ups one user may make per hour (limits enumeration). */
  LOOKUP_PER_USER_HOUR: int(1).default(30),
  /** log (development: prints each SMS) or kavenegar; default kavenegar when its key is set. */
  SMS_PROVIDER: z.enum(['log', 'kavenegar']).optional(),
  KAVENEGAR_API_KEY: z.string().min(1).optional(),
  /** Name of the verify/lookup template that carries the sign-in code. */
  KAVENEGAR_OTP_TEMPLATE: z.string().min(1).default('abrik-otp'),
  /** Sender line for plain SMS (sms/send); the account's default line when unset. */
  KAVENEGAR_SENDER: z.string().min(1).optional(),
  KAVENEGAR_BASE_URL: url.default('https://api.kavenegar.com'),
  KAVENEGAR_TIMEOUT_MS: int(100).default(10000),
  /**
   * Push providers, comma-separated: fcm (phones), webpush (browsers), log (development: prints
   * each notification), or none. Default: log in development, fcm,webpush in production (log
   * refused there).
   */
  PUSH_PROVIDERS: z.string().optional(),
  /** The Firebase service-account JSON file (the old system's abrikChat.json). */
  FIREBASE_SERVICE_ACCOUNT_PATH: z.string().min(1).optional(),
  FCM_BASE_URL: url.default('https://fcm.googleapis.com'),
  /** VAPID key pair for Web Push (`abrik vapid generate`); generated into DATA_DIR in development. */
  VAPID_PUBLIC_KEY: z.string().min(20).optional(),
  VAPID_PRIVATE_KEY: z.string().min(20).optional(),
  /** Contact for push services, a mailto: or https: URL. */
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'must be a mailto: or https: URL')
    .default('mailto:admin@abrik.invalid'),
  /** Hosts a browser's Web Push endpoint may point at (comma-separated, `*.` for subdomains); guards against SSRF. */
  WEBPUSH_ALLOWED_HOSTS: z
    .string()
    .default(
      'fcm.googleapis.com,updates.push.services.mozilla.com,*.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com',
    ),
  /** Pushes per day (the FCM quota the runbook cites): warned at 80 %, chat yields to support near it. */
  PUSH_DAILY_LIMIT: int(1).default(500_000),
  /** Notifications for one person and conversation within this window collapse into one. */
  PUSH_COLLAPSE_SECONDS: int(0, 3600).default(10),
  /** Attempts per device before a transient failure goes to the dead-letter queue. */
  PUSH_MAX_ATTEMPTS: int(1, 20).default(6),
  /** Devices not refreshed for this many days are reported stale, and purged after the second. */
  PUSH_TOKEN_STALE_DAYS: int(1).default(30),
  PUSH_TOKEN_PURGE_DAYS: int(1).default(90),
  /** A customer without push who has not read an agent's reply within this time gets one SMS. */
  SMS_FALLBACK_MINUTES: z.coerce.number().min(0.05).max(10_080).default(10),
  /** Most fallback SMS one user receives per day. */
  SMS_DAILY_CAP: int(0).default(3),
  /** Run the job workers (push, SMS, clean-ups) in this process; `abrik worker` runs them alone. */
  WORKERS: bool.default(true),
  /**
   * A notification job (notify, push, SMS) whose worker died mid-job (killed, crashed, host lost)
   * is run again once it has been held this long; the queue looks for such jobs every
   * min(this, 60) seconds, so it reruns between one and two times this after it started. Longer
   * than any one send may take (FCM and Web Push give up after 10 s, Kavenegar after
   * KAVENEGAR_TIMEOUT_MS), or a slow send would be run twice.
   */
  JOBS_EXPIRE_SECONDS: int(15, 3600).default(60),
  /** Support: conversations one agent handles at once, unless their profile says otherwise. */
  SUPPORT_MAX_CONVERSATIONS: int(0, 1000).default(5),
  /** Support: an assignee offline this long loses their open conversations (a phone that reconnects keeps them). */
  SUPPORT_REASSIGN_OFFLINE_SECONDS: int(0, 86_400).default(120),
  /** Support: an assignee silent this long after assignment or a customer's message loses the conversation. */
  SUPPORT_REASSIGN_NO_REPLY_SECONDS: int(0, 86_400).default(600),
  /** Support: silent assignees one conversation passes through before it goes to the supervisors. */
  SUPPORT_MAX_AUTO_REASSIGNS: int(0, 20).default(3),
  /** Support: a customer's message within this time after a resolve reopens; later, one starts anew. */
  SUPPORT_REOPEN_WINDOW_SECONDS: int(0, 90 * 86_400).default(7 * 86_400),
  /** Support: the organisation's time zone (IANA): report ranges and their Jalali days, weeks and months. */
  SUPPORT_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone the runtime knows, e.g. Asia/Tehran')
    .default('Asia/Tehran'),
  /**
   * Support webhooks may call this machine (127.0.0.0/8, ::1, localhost), over http as well as
   * https: for development and tests. Default: true outside production, false in production.
   * Private, link-local and other non-public addresses are refused whatever this says (SSRF).
   */
  WEBHOOK_ALLOW_LOOPBACK: bool.optional(),
  /** A webhook receiver must answer within this, or the attempt fails and is retried. */
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  /** Attempts per webhook delivery (the first and its retries) before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: int(1, 20).default(9),
  /** Website widget: visitor sessions opened per minute from one IP address. */
  WIDGET_SESSIONS_PER_IP_MINUTE: int(1).default(30),
  /** Website widget: visitor sessions opened per minute for one widget, from everywhere. */
  WIDGET_SESSIONS_PER_WIDGET_MINUTE: int(1).default(3000),
  /** Website widget: visitor messages (and conversation starts) per minute from one IP address. */
  WIDGET_MESSAGES_PER_IP_MINUTE: int(1).default(60),
  /** Website widget: visitor messages per minute to one widget's conversations, from everywhere. */
  WIDGET_MESSAGES_PER_WIDGET_MINUTE: int(1).default(6000),
  /** Website widget: how long a secret stays valid after a rotation unless the admin says (seconds). */
  WIDGET_ROTATION_GRACE_SECONDS: int(0, 7 * 86_400).default(86_400),
  /** Wait before a delivery's first retry, doubled (with jitter) for each next, at most an hour; 0: at once. */
  WEBHOOK_RETRY_DELAY_SECONDS: int(0, 3600).default(10),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Time a SIGTERM'd process has to drain before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: int(100).default(10000),
  /**
   * On shutdown the clients are sent to the other instances in batches over this long (capped by
   * what SHUTDOWN_TIMEOUT_MS leaves), so the survivors are not hit by all of them at once.
   */
  SHUTDOWN_RECONNECT_SPREAD_MS: int(0, 600_000).default(3000),
  /** Origins allowed to call the API from a browser besides this server's own (comma-separated). */
  CORS_ORIGINS: z.string().default(''),
  /** Where people reach the web client (e.g. https://chat.example.ir), for links in SMS; default http://localhost:PORT. */
  PUBLIC_URL: url.optional(),
  /** The built web client served at `/` (default: web/dist of this checkout); missing: a placeholder page. */
  WEB_DIST_DIR: z.string().min(1).optional(),
  /** Where uploaded files live: `local` (DATA_DIR/files) or `s3` (an S3-compatible object store). */
  FILE_STORAGE: z.enum(['local', 's3']).default('local'),
  /** S3 endpoint URL (e.g. https://s3.ir-thr-at1.arvanstorage.ir); unset: AWS's own for S3_REGION. */
  S3_ENDPOINT: url.optional(),
  /** S3 bucket of uploaded files (required with FILE_STORAGE=s3); it is not made public. */
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** S3 credentials; both or neither (neither: the SDK's own chain, e.g. an instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (endpoint/bucket/key), which most S3-compatible stores other than AWS need. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Largest upload per kind, in bytes: images (and profile photos), voice notes, other files. */
  FILE_MAX_IMAGE_BYTES: int(1024).default(10 * 1024 * 1024),
  FILE_MAX_VOICE_BYTES: int(1024).default(5 * 1024 * 1024),
  FILE_MAX_FILE_BYTES: int(1024).default(25 * 1024 * 1024),
  /** Uploads (files, photos, profile photos) one user may make per minute. */
  FILE_UPLOADS_PER_USER_MINUTE: int(1).default(30),
});

/** Every environment variable the server reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export type Env = z.infer<typeof EnvSchema>;

/** web/dist beside server/ (the same from server/src and server/dist). */
const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export type PushProviderName = 'fcm' | 'webpush' | 'log';

export interface Config
  extends Omit<
    Env,
    | 'JWT_SECRET'
    | 'SMS_PROVIDER'
    | 'INSTANCE_ID'
    | 'PUSH_PROVIDERS'
    | 'VAPID_PUBLIC_KEY'
    | 'VAPID_PRIVATE_KEY'
    | 'WEBHOOK_ALLOW_LOOPBACK'
  > {
  JWT_SECRET: string;
  PUSH_PROVIDERS: PushProviderName[];
  VAPID_PUBLIC_KEY: string | undefined;
  VAPID_PRIVATE_KEY: string | undefined;
  INSTANCE_ID: string;
  SMS_PROVIDER: 'log' | 'kavenegar';
  WEBHOOK_ALLOW_LOOPBACK: boolean;
  isProduction: boolean;
  dataDir: string;
  webDistDir: string;
  corsOrigins: string[];
  webPushHosts: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment, listing every bad variable at once. In development, a missing JWT
 * secret is generated once into DATA_DIR so `npm start` just works; production refuses to start
 * without real secrets or on the log SMS provider.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const smsProvider = env.SMS_PROVIDER ?? (env.KAVENEGAR_API_KEY ? 'kavenegar' : 'log');
  if (smsProvider === 'kavenegar' && !env.KAVENEGAR_API_KEY) {
    problems.push('KAVENEGAR_API_KEY: required when SMS_PROVIDER=kavenegar');
  }
  if (isProduction && smsProvider === 'log') {
    problems.push('SMS_PROVIDER: the log provider prints sign-in codes; set KAVENEGAR_API_KEY in production');
  }
  if (isProduction && !env.METRICS_TOKEN) {
    problems.push(
      'METRICS_TOKEN: required in production (at least 16 characters; Prometheus sends it as a bearer token)',
    );
  }
  if (isProduction && !env.JWT_SECRET) {
    problems.push('JWT_SECRET: required in production (at least 32 random characters)');
  }
  const pushProviders = (env.PUSH_PROVIDERS ?? (isProduction ? 'fcm,webpush' : 'log'))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && p !== 'none');
  for (const name of pushProviders) {
    if (!['fcm', 'webpush', 'log'].includes(name))
      problems.push(`PUSH_PROVIDERS: unknown provider "${name}"`);
  }
  if (isProduction && pushProviders.includes('log')) {
    problems.push('PUSH_PROVIDERS: the log provider only prints notifications; not in production');
  }
  if (pushProviders.includes('fcm') && !env.FIREBASE_SERVICE_ACCOUNT_PATH) {
    problems.push('FIREBASE_SERVICE_ACCOUNT_PATH: required when PUSH_PROVIDERS has fcm');
  }
  if (
    pushProviders.includes('webpush') &&
    isProduction &&
    (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY)
  ) {
    problems.push(
      'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: required in production when PUSH_PROVIDERS has webpush (abrik vapid generate)',
    );
  }
  if (env.PUSH_TOKEN_PURGE_DAYS <= env.PUSH_TOKEN_STALE_DAYS) {
    problems.push('PUSH_TOKEN_PURGE_DAYS: must be more than PUSH_TOKEN_STALE_DAYS');
  }
  if (env.KAVENEGAR_TIMEOUT_MS >= env.JOBS_EXPIRE_SECONDS * 1000) {
    problems.push(
      'JOBS_EXPIRE_SECONDS: must be longer than KAVENEGAR_TIMEOUT_MS, or a slow SMS would be sent twice',
    );
  }
  if (env.WEBHOOK_TIMEOUT_MS >= env.JOBS_EXPIRE_SECONDS * 1000) {
    problems.push(
      'JOBS_EXPIRE_SECONDS: must be longer than WEBHOOK_TIMEOUT_MS, or a slow webhook would be called twice',
    );
  }
  if (env.PRESENCE_INSTANCE_TTL_SECONDS <= env.PRESENCE_HEARTBEAT_SECONDS) {
    problems.push('PRESENCE_INSTANCE_TTL_SECONDS: must be longer than PRESENCE_HEARTBEAT_SECONDS');
  }
  if (env.FILE_STORAGE === 's3' && !env.S3_BUCKET) {
    problems.push('S3_BUCKET: required when FILE_STORAGE=s3');
  }
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    problems.push('S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(env.DATA_DIR);
  const vapid =
    env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY
      ? { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY }
      : isProduction
        ? undefined
        : developmentSecrets(dataDir).vapid;
  return {
    ...env,
    PUSH_PROVIDERS: pushProviders as PushProviderName[],
    VAPID_PUBLIC_KEY: vapid?.publicKey,
    VAPID_PRIVATE_KEY: vapid?.privateKey,
    SMS_PROVIDER: smsProvider,
    WEBHOOK_ALLOW_LOOPBACK: env.WEBHOOK_ALLOW_LOOPBACK ?? !isProduction,
    INSTANCE_ID: env.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    JWT_SECRET: env.JWT_SECRET ?? developmentSecrets(dataDir).jwtSecret,
    isProduction,
    dataDir,
    webDistDir: env.WEB_DIST_DIR ? resolve(env.WEB_DIST_DIR) : DEFAULT_WEB_DIST_DIR,
    webPushHosts: env.WEBPUSH_ALLOWED_HOSTS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

interface DevelopmentSecrets {
  jwtSecret: string;
  vapid: { publicKey: string; privateKey: string };
}

/** Secrets made once per data directory, so tokens and push subscriptions survive restarts. */
function developmentSecrets(dataDir: string): DevelopmentSecrets {
  const file = join(dataDir, 'secrets.json');
  const stored: Partial<DevelopmentSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: DevelopmentSecrets = {
    jwtSecret:
      stored.jwtSecret && stored.jwtSecret.length >= 32
        ? stored.jwtSecret
        : randomBytes(48).toString('base64url'),
    vapid: stored.vapid?.publicKey && stored.vapid.privateKey ? stored.vapid : generateVapidKeyPair(),
  };
  if (secrets.jwtSecret !== stored.jwtSecret || secrets.vapid !== stored.vapid) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** A VAPID key pair (P-256), base64url: the public key uncompressed, the private key raw. */
export function generateVapidKeyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: ecdh.getPrivateKey().toString('base64url'),
  };
}
