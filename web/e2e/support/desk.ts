import { spawnSync } from 'node:child_process';
import { REPO } from '../../../server/test/support/cluster.js';
import type { E2E } from './e2e.js';

/** The HTTP API as a test calls it: JSON in and out, a failure thrown with its reply. */
export async function api(e2e: E2E, method: string, path: string, token?: string, body?: unknown) {
  const reply = await fetch(`${e2e.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await reply.text();
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** `abrik user create`, as an operator runs it, against the suite's database. */
export function createUser(
  e2e: E2E,
  role: string,
  phone: { national: string },
  name: string,
): { id: string } {
  const made = spawnSync(
    process.execPath,
    ['server/bin/abrik.js', 'user', 'create', '--role', role, '--phone', phone.national, '--name', name],
    {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: e2e.cluster.database.url!, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    },
  );
  if (made.status !== 0) throw new Error(`abrik user create failed: ${made.stderr}`);
  return JSON.parse(made.stdout.trim().split('\n').at(-1)!) as { id: string };
}

/**
 * Signs a phone in over the API (someone with no browser in the story), reading the SMS code the
 * server printed. One code per phone a second: a browser may have just asked for one.
 */
export async function apiSignIn(e2e: E2E, phone: { e164: string }) {
  const since = e2e.mark();
  for (let tries = 0; ; tries++) {
    try {
      await api(e2e, 'POST', '/api/v1/auth/otp', undefined, { phone: phone.e164 });
      break;
    } catch (error) {
      if (tries > 5 || !String(error).includes('429')) throw error;
      await new Promise((r) => setTimeout(r, 1_100));
    }
  }
  const code = await e2e.codeFor(phone.e164, since);
  return api(e2e, 'POST', '/api/v1/auth/verify', undefined, { phone: phone.e164, code });
}
