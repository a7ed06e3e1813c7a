import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { withTimeout } from '../async.js';
import type { Logger } from '../logger.js';
import { type Db, nodePgDb, pgliteDb, queryRows } from './drivers/drizzle.js';
import { guardPoolTransactions } from './drivers/pg-pool.js';

export {
  type Db,
  type Executor,
  queryRows,
  queryTextPrepared,
  type Transactor,
  type Tx,
} from './drivers/drizzle.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../drizzle', import.meta.url));
/** Connections of the group commit (it writes at most two batches at once). */
const WRITER_CONNECTIONS = 2;
/** How long a writer connection, and the generic plan it holds, lives. */
const WRITER_LIFETIME_SECONDS = 300;
/** Serialises migrations when several instances start at once (pg_advisory_lock key). */
const MIGRATION_LOCK_KEY = 7_241_901;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** PostgreSQL: the connection string (the job queue opens its own pool). */
  url?: string;
  /** PGlite: the embedded instance (the job queue shares it). */
  pglite?: PGlite;
  /** Runs `select 1`, failing after timeoutMs. */
  ping(timeoutMs?: number): Promise<void>;
  migrate(): Promise<void>;
  /**
   * Where the group commit runs: on PostgreSQL two connections of their own that keep its
   * prepared statement's generic plan (renewed every few minutes); on PGlite the same as `db`.
   */
  writer: Db;
  /** Number of migrations the code ships that the database has not applied. */
  pendingMigrations(): Promise<number>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url?: string | undefined;
  dataDir: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  logger: Logger;
  /** Where PGlite keeps its files; defaults to DATA_DIR/pglite. `memory://` keeps nothing. */
  pglitePath?: string;
  /**
   * PGlite: start from this dump of a data directory (PGlite's dumpDataDir) instead of an empty
   * one. Unset in production; the tests start from a migrated template to skip initdb each time.
   */
  pgliteLoadDataDir?: Blob;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? createPostgres(options, options.url) : createPglite(options);
}

function shippedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

async function appliedMigrationCount(db: Db): Promise<number> {
  const [exists] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists?.present) return 0;
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return Number(row?.n ?? 0);
}

function createPostgres(options: DatabaseOptions, url: string): Database {
  const log = options.logger.child({ component: 'db' });
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    application_name: 'abrik',
    keepAlive: true,
  });
  // An idle connection dropped by the server must not crash the process: the pool replaces it.
  pool.on('error', (error) =>
    log.warn({ err: error }, 'idle database connection lost; the pool will reconnect'),
  );
  const db = nodePgDb(guardPoolTransactions(pool));
  // The group commit's own connections keep its generic plan (no planning per batch), renewed
  // every few minutes so a plan made on small tables does not stay (docs/performance.md).
  const writerPool = new pg.Pool({
    connectionString: url,
    max: WRITER_CONNECTIONS,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    maxLifetimeSeconds: WRITER_LIFETIME_SECONDS,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    application_name: 'abrik-writer',
    keepAlive: true,
    onConnect: async (client: pg.ClientBase) => {
      await client.query('set plan_cache_mode = force_generic_plan').catch((error: unknown) => {
        log.warn({ err: error }, 'could not set plan_cache_mode on a writer connection');
      });
    },
  });
  writerPool.on('error', (error) =>
    log.warn({ err: error }, 'idle writer connection lost; the pool will reconnect'),
  );
  const writer = nodePgDb(writerPool);

  return {
    db,
    writer,
    kind: 'postgres',
    url,
    async ping(timeoutMs = options.connectTimeoutMs) {
      await withTimeout(pool.query('select 1'), timeoutMs, 'database ping');
    },
    async migrate() {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: options.connectTimeoutMs,
      });
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migrateNodePg(drizzleNodePg(client), { migrationsFolder: MIGRATIONS_DIR });
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      } finally {
        await client.end();
      }
    },
    async pendingMigrations() {
      return Math.max(0, shippedMigrationCount() - (await appliedMigrationCount(db)));
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.poolSize,
    }),
    close: async () => {
      await Promise.all([pool.end(), writerPool.end()]);
    },
  };
}

async function createPglite(options: DatabaseOptions): Promise<Database> {
  const dir = options.pglitePath ?? join(options.dataDir, 'pglite');
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(
    dir,
    options.pgliteLoadDataDir ? { loadDataDir: options.pgliteLoadDataDir } : {},
  );
  const db = pgliteDb(client);
  return {
    db,
    writer: db,
    kind: 'pglite',
    pglite: client,
    async ping(timeoutMs = options.connectTimeoutMs) {
      await withTimeout(client.query('select 1'), timeoutMs, 'database ping');
    },
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    },
    async pendingMigrations() {
      return Math.max(0, shippedMigrationCount() - (await appliedMigrationCount(db)));
    },
    // One embedded connection: report it as a pool of one.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    close: () => client.close(),
  };
}
