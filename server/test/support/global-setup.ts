import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase, type DatabaseOptions } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { ADMIN_DATABASE_URL, postgresAnswers } from './databases.js';

const OPTIONS: Omit<DatabaseOptions, 'url'> = {
  dataDir: '/tmp/abrik-test-unused',
  pglitePath: 'memory://',
  poolSize: 2,
  statementTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  logger: createLogger({ level: 'silent' }),
};

/** Runs `statement` on the shared PostgreSQL's admin database. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A gzipped dump of a migrated PGlite data directory, written to `dir`; its path. */
async function pgliteTemplate(dir: string): Promise<string> {
  const database = await createDatabase(OPTIONS);
  try {
    await database.migrate();
    const dump = await database.pglite!.dumpDataDir('gzip');
    const path = join(dir, 'pglite.tar.gz');
    writeFileSync(path, new Uint8Array(await dump.arrayBuffer()));
    return path;
  } finally {
    await database.close();
  }
}

/** Creates the migrated database `name` on the shared PostgreSQL, for `create database … template`. */
async function postgresTemplate(name: string): Promise<void> {
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await createDatabase({ ...OPTIONS, url: url.toString() });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}

/**
 * The migrated databases every test app starts from (createTestDatabase with `migrated`): initdb
 * and the shipped migrations, made once per run through the code the server runs (createDatabase,
 * then migrate) instead of once per app, two to three seconds each on PGlite and about one on
 * PostgreSQL on a 2-core machine. The apps still run migrate() at start and find nothing pending.
 * A start from an empty database stays covered where it is the subject: migrations.test.ts,
 * cli.test.ts, doctor.test.ts and every suite that makes its own database with createTestDatabase.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'abrik-pglite-template-'));
  let postgres = '';
  const teardown = async () => {
    rmSync(dir, { recursive: true, force: true });
    if (postgres) await admin(`drop database if exists ${postgres} with (force)`);
  };
  try {
    // Side by side: PGlite's initdb is this process's CPU, PostgreSQL's migrations the server's.
    const [pglite, made] = await Promise.allSettled([
      pgliteTemplate(dir),
      // Without PostgreSQL its suites are left out (or fail under CI=true, see databases.ts).
      postgresAnswers(ADMIN_DATABASE_URL).then(async (answers) => {
        if (!answers) return;
        postgres = `abrik_template_${randomBytes(6).toString('hex')}`;
        await postgresTemplate(postgres);
      }),
    ]);
    if (pglite.status === 'rejected') throw pglite.reason;
    if (made.status === 'rejected') throw made.reason;
    project.provide('pgliteTemplate', pglite.value);
    project.provide('postgresTemplate', postgres);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
