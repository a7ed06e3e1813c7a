import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';

/** The shared PostgreSQL the suites create their own databases in. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type BackendName = 'pglite' | 'postgres';

export interface TestDatabase {
  backend: BackendName;
  /** DATABASE_URL for PostgreSQL; undefined for PGlite. */
  url: string | undefined;
  /** PGlite location for the app (`memory://`), undefined for PostgreSQL. */
  pglitePath: string | undefined;
  /** PGlite: the data directory the app starts from; undefined for an empty one (and PostgreSQL). */
  pgliteImage?: Blob | undefined;
  drop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A gzipped dump of a PGlite data directory with every shipped migration applied. */
    pgliteTemplate: string;
    /** A PostgreSQL database with every shipped migration applied, to copy ('' without PostgreSQL). */
    postgresTemplate: string;
  }
}

let pgliteTemplate: Buffer | undefined;

let postgresReachable: Promise<boolean> | undefined;

/** True when a PostgreSQL at `url` accepts a connection and answers `select 1`. */
export async function postgresAnswers(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The storage backends a suite runs on: always PGlite, and PostgreSQL when it answers. Under
 * CI=true a PostgreSQL that does not answer fails the run instead of being skipped.
 */
export async function backends(): Promise<BackendName[]> {
  postgresReachable ??= postgresAnswers(ADMIN_DATABASE_URL);
  if (await postgresReachable) return ['pglite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(
      `CI=true but PostgreSQL at ${ADMIN_DATABASE_URL} does not answer; the PostgreSQL suites must run`,
    );
  }
  process.stderr.write(
    `PostgreSQL at ${ADMIN_DATABASE_URL} does not answer: its suites are left out (not in CI)\n`,
  );
  return ['pglite'];
}

/** The backends as a top-level-await list for `describe.each`. */
export const BACKENDS = await backends();

/**
 * A fresh database on the backend, dropped by `drop()`: empty, or with `migrated` a copy of the
 * run's migrated template (global-setup.ts), which the app's own migrate() then finds up to date.
 * The templates are made once per run by the code the server runs, instead of initdb and every
 * migration for each app; outside a run with that setup (no template) the database is empty.
 */
export async function createTestDatabase(
  backend: BackendName,
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const template = options.migrated ? inject('pgliteTemplate') : undefined;
    if (template) pgliteTemplate ??= readFileSync(template);
    return {
      backend,
      url: undefined,
      pglitePath: 'memory://',
      pgliteImage: template ? new Blob([new Uint8Array(pgliteTemplate!)]) : undefined,
      drop: async () => {},
    };
  }
  const name = `abrik_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated ? inject('postgresTemplate') : undefined;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    pglitePath: undefined,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Waits until `count` of the app's connections (its pool and its writer) wait on a lock. */
export async function waitForLockWaiters(observer: pg.Client, count: number, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const waiting = await observer.query(
      "select 1 from pg_stat_activity where application_name in ('abrik', 'abrik-writer') and wait_event_type = 'Lock'",
    );
    if (waiting.rowCount === count) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
