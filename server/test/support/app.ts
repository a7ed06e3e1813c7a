import { Writable } from 'node:stream';
import { maskPhone } from '@abrik/protocol';
import { type App, createApp } from '../../src/main.js';
import { generateVapidKeyPair, loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { PushProvider } from '../../src/providers/push/push.provider.js';
import { LogSmsProvider } from '../../src/providers/sms/log.provider.js';
import type { SmsProvider } from '../../src/providers/sms/sms.provider.js';
import { type BackendName, createTestDatabase, type TestDatabase } from './databases.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';
export const TEST_VAPID = generateVapidKeyPair();

export interface TestAppOptions {
  backend?: BackendName;
  /** Share another app's database (a second instance); it is then not dropped by close(). */
  database?: TestDatabase;
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  /** Replaces the log SMS provider (e.g. Kavenegar against the fake server). */
  sms?: SmsProvider;
  /** Replaces the push providers (e.g. FCM and Web Push against the fake servers). */
  push?: { phone?: PushProvider; web?: PushProvider };
  now?: () => number;
  presenceOfflineGraceMs?: number;
  typingThrottleMs?: number;
  /** `worker`: the job workers alone (with `queues`, only those), as `abrik worker` runs them. */
  role?: 'all' | 'worker';
  queues?: string[];
}

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  user: { id: string; name: string | null; role: string; phone: string };
}

export interface TestApp {
  app: App;
  url: string;
  database: TestDatabase;
  /** Every log line the app wrote (JSON strings), SMS lines of the log provider included. */
  logs: string[];
  /** The last sign-in code the log SMS provider "sent" to this E.164 phone. */
  lastCode(phone: string): string | undefined;
  /** fetch against the app; JSON bodies are encoded and the reply decoded. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Signs a phone in through the real OTP flow and returns its tokens. */
  signIn(phone: string, name?: string): Promise<AuthResult>;
  close(): Promise<void>;
}

/**
 * Signs a phone in through the real OTP flow: asks for a code, reads it with `codeOf` (from the
 * log SMS provider's output), verifies it, and sets the name when given.
 */
export async function signInThrough(
  request: (
    method: string,
    path: string,
    options: { body?: unknown; token?: string },
  ) => Promise<{ status: number; body: any }>,
  codeOf: () => Promise<string | undefined>,
  phone: string,
  name?: string,
): Promise<AuthResult> {
  const otp = await request('POST', '/api/v1/auth/otp', { body: { phone } });
  if (otp.status !== 200)
    throw new Error(`otp for sign-in failed: ${otp.status} ${JSON.stringify(otp.body)}`);
  const code = await codeOf();
  if (!code) throw new Error(`no sign-in code was printed for ${phone}`);
  const verified = await request('POST', '/api/v1/auth/verify', { body: { phone, code } });
  if (verified.status !== 200)
    throw new Error(`verify failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  const result = verified.body as AuthResult;
  if (name) {
    const renamed = await request('PATCH', '/api/v1/users/me', { token: result.accessToken, body: { name } });
    if (renamed.status !== 200) throw new Error(`rename failed: ${renamed.status}`);
    result.user = renamed.body;
  }
  return result;
}

let phoneCounter = 0;
/** A fresh, valid Iranian mobile number per call, unique across the test process. */
export function uniquePhone(): string {
  phoneCounter += 1;
  const n = (process.pid % 1000) * 10_000 + phoneCounter;
  return `+98912${String(n).padStart(7, '0')}`;
}

/** Starts the whole app (HTTP + Socket.IO) on an ephemeral port over a fresh database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const shared = options.database;
  const database = shared ?? (await createTestDatabase(options.backend ?? 'pglite', { migrated: true }));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(line);
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'debug',
    DATA_DIR: '/tmp/abrik-test-unused',
    // Given, so no test writes development secrets to a shared directory.
    VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
    VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
    OTP_PHONE_INTERVAL_SECONDS: '1',
    OTP_PHONE_PER_HOUR: '100',
    OTP_REQUESTS_PER_IP_HOUR: '10000',
    OTP_VERIFY_PER_IP_HOUR: '10000',
    LOOKUP_PER_USER_HOUR: '1000',
    // Tests poll history, sync and send far faster than a person: the fairness suite sets its own.
    SYNC_PER_USER_MINUTE: '100000',
    MESSAGES_PER_USER_MINUTE: '100000',
    HISTORY_PER_USER_MINUTE: '100000',
    SHUTDOWN_TIMEOUT_MS: '4000',
    // Clients leave a stopping test app at once (the cluster suite checks the spread).
    SHUTDOWN_RECONNECT_SPREAD_MS: '0',
    PUSH_COLLAPSE_SECONDS: '0',
    WEBPUSH_ALLOWED_HOSTS: '127.0.0.1',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  });
  const logger = createLogger({ level: config.LOG_LEVEL, destination: sink });
  const sms = options.sms ?? new LogSmsProvider((line) => logs.push(line.trimEnd()));
  const app = await createApp(config, {
    logger,
    sms,
    ...(database.pglitePath ? { pglitePath: database.pglitePath } : {}),
    ...(database.pgliteImage ? { pgliteLoadDataDir: database.pgliteImage } : {}),
    ...(options.now ? { now: options.now } : {}),
    presenceOfflineGraceMs: options.presenceOfflineGraceMs ?? 0,
    jobPollSeconds: 0.5,
    ...(options.push ? { push: options.push } : {}),
    typingThrottleMs: options.typingThrottleMs ?? 0,
    ...(options.role ? { role: options.role } : {}),
    ...(options.queues ? { queues: options.queues } : {}),
  });
  const url = await app.listen();

  const lastCode = (phone: string) => {
    const masked = maskPhone(phone);
    for (let i = logs.length - 1; i >= 0; i--) {
      const line = logs[i]!;
      if (!line.includes('"sms.log"')) continue;
      const parsed = JSON.parse(line) as { to?: string; otp?: string };
      if (parsed.to === masked && parsed.otp) return parsed.otp;
    }
    return undefined;
  };

  const request: TestApp['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  const signIn = (phone: string, name?: string) =>
    signInThrough(request, async () => lastCode(phone), phone, name);

  return {
    app,
    url,
    database,
    logs,
    lastCode,
    request,
    signIn,
    async close() {
      await app.stop();
      if (!shared) await database.drop();
    },
  };
}
