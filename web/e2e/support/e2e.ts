import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { maskPhone } from '@abrik/protocol';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type Cluster, findRedisServer, REPO, startCluster } from '../../../server/test/support/cluster.js';
import { ADMIN_DATABASE_URL, BACKENDS } from '../../../server/test/support/databases.js';

/**
 * The end-to-end harness: the built server (`abrik serve`, serving web/dist at `/`) as a real
 * process on a fresh PostgreSQL database, and Debian's Chromium driven by playwright-core.
 * Sign-in codes are read from the server's standard output (the log SMS provider).
 */

/** Debian's Chromium (the `chromium` package); CHROMIUM_BIN overrides it. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // CI runs as root, where Chromium's sandbox cannot start
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Voice notes: a fake microphone (a tone), granted without asking.
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/** The built client; WEB_DIST_DIR points the server (and this check) at another build. */
const WEB_DIST = join(process.env.WEB_DIST_DIR ?? join(REPO, 'web/dist'), 'index.html');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Whether the suite can run here: Chromium, PostgreSQL and redis-server (the server runs as in
 * production, on PostgreSQL and Redis). Under CI=true anything missing throws, so the suite fails
 * instead of being left out; elsewhere it is left out with a printed reason.
 */
export function e2eAvailable(): boolean {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) {
    missing.push(`Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_BIN)`);
  }
  // Under CI=true an unreachable PostgreSQL has already thrown in databases.ts.
  if (!BACKENDS.includes('postgres')) missing.push(`PostgreSQL at ${ADMIN_DATABASE_URL}`);
  if (!findRedisServer()) missing.push('redis-server (set REDIS_SERVER_BIN or install redis-server)');
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but the end-to-end suite cannot run; missing: ${missing.join(', ')}`);
  }
  process.stderr.write(`end-to-end suite left out (not in CI); missing: ${missing.join(', ')}\n`);
  return false;
}

/** One person: a browser context of their own (cookies, storage, network) and its page. */
export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions of the page (`pageerror`), to check none happened. */
  errors: string[];
  /** JavaScript dialogs (alert, confirm, prompt) the page opened; they are dismissed. */
  dialogs: string[];
}

export interface E2E {
  cluster: Cluster;
  /** The server's URL; the app is at `/`. */
  url: string;
  browser: Browser;
  /** A new browser context (a new person) with a page, not yet navigated. */
  person(options?: { viewport?: { width: number; height: number } }): Promise<Person>;
  /** Number of server output lines so far: pass it to `codeFor` to wait for a newer code. */
  mark(): number;
  /** The sign-in code the log SMS provider printed for `phone` (E.164) after `since`. */
  codeFor(phone: string, since: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Starts the server and Chromium; the built client (web/dist, `npm run build`) must be there. */
export async function startE2E(): Promise<E2E> {
  if (!existsSync(WEB_DIST)) {
    throw new Error(`${WEB_DIST} is missing: run \`npm run build\` before the end-to-end suite`);
  }
  const cluster = await startCluster({
    instances: 1,
    nginx: false,
    env: {
      SMS_PROVIDER: 'log',
      PUSH_PROVIDERS: 'log',
      // One IP (127.0.0.1) signs in every person of the suite, several times a minute.
      OTP_PHONE_INTERVAL_SECONDS: '1',
      OTP_PHONE_PER_HOUR: '1000',
      OTP_REQUESTS_PER_IP_HOUR: '100000',
      OTP_VERIFY_PER_IP_HOUR: '100000',
      LOOKUP_PER_USER_HOUR: '100000',
      ...(process.env.WEB_DIST_DIR ? { WEB_DIST_DIR: process.env.WEB_DIST_DIR } : {}),
    },
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await cluster.close();
    throw error;
  }
  const server = cluster.instances[0]!;
  const contexts: BrowserContext[] = [];

  const findCode = (masked: string, since: number): string | undefined => {
    let code: string | undefined;
    for (const line of server.lines.slice(since)) {
      if (!line.includes('"sms.log"')) continue;
      const parsed = JSON.parse(line) as { to?: string; otp?: string };
      if (parsed.to === masked && parsed.otp) code = parsed.otp;
    }
    return code;
  };

  return {
    cluster,
    url: cluster.url,
    browser,
    async person(personOptions = {}) {
      const context = await browser.newContext({
        baseURL: cluster.url,
        viewport: personOptions.viewport ?? DESKTOP,
        timezoneId: 'Asia/Tehran',
      });
      contexts.push(context);
      // Locators wait for their element this long (the default 30 s outlasts a test's poll).
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const person: Person = { context, page, errors: [], dialogs: [] };
      page.on('pageerror', (error) => person.errors.push(error.message));
      page.on('dialog', (dialog) => {
        person.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss().catch(() => {});
      });
      return person;
    },
    mark: () => server.lines.length,
    async codeFor(phone, since, timeoutMs = 10_000) {
      const masked = maskPhone(phone);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const code = findCode(masked, since);
        if (code) return code;
        if (Date.now() > deadline) throw new Error(`no sign-in code was printed for ${masked}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      try {
        await Promise.all(contexts.map((c) => c.close().catch(() => {})));
        await browser.close();
      } finally {
        await cluster.close();
      }
    },
  };
}
