/**
 * The one place that reaches into Drizzle's internals: the driver client a Drizzle handle holds,
 * and its untyped `execute` result. `drizzle.test.ts` fails when Drizzle changes either shape.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';

/** A database handle: PostgreSQL through node-postgres, or the embedded PGlite. */
export type Db = PgDatabase<PgQueryResultHKT>;
// biome-ignore lint/suspicious/noExplicitAny: the transaction's schema types differ per driver; callers use its query API only.
export type Tx = PgTransaction<PgQueryResultHKT, any, any>;
/** A database handle or a transaction: repositories accept either, so services choose the scope. */
export type Executor = Db | Tx;

/**
 * Both drivers' handles behind the one `Db` type: their query-result types differ (node-postgres'
 * QueryResult, PGlite's Results), which only `execute` exposes, and `queryRows` reads both.
 */
export function nodePgDb(client: pg.Pool | pg.Client): Db {
  return drizzleNodePg(client) as unknown as Db;
}
export function pgliteDb(client: PGlite): Db {
  return drizzlePglite(client) as unknown as Db;
}

/** Runs raw SQL and returns its rows; both drivers answer `{rows}`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A PGlite instance or transaction: `query(text, params)` answering `{rows}`. */
interface TextClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The driver client behind a Drizzle handle or transaction — node-postgres' Pool, Client or
 * PoolClient, or PGlite and its transaction — which Drizzle keeps in its private `session.client`.
 */
export function driverClientOf(db: Executor): pg.Pool | pg.Client | TextClient {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  if (client instanceof pg.Pool || client instanceof pg.Client) return client;
  if (client && typeof (client as Partial<TextClient>).query === 'function') return client as TextClient;
  throw new Error('no node-postgres or PGlite client behind this Drizzle handle (has Drizzle changed?)');
}

/**
 * Runs a fixed SQL text with positional parameters ($1, $2, …) and returns its rows; on
 * PostgreSQL as the named prepared statement `name` (parsed and planned once per connection, not
 * at every call; `name` must stand for one text), on PGlite as a plain parameterised query.
 */
export async function queryTextPrepared<T>(
  db: Executor,
  name: string,
  text: string,
  params: unknown[],
): Promise<T[]> {
  const client = driverClientOf(db);
  if (client instanceof pg.Pool || client instanceof pg.Client) {
    const result = await client.query({ name, text, values: params });
    return result.rows as T[];
  }
  return (await client.query(text, params)).rows as T[];
}

/** What a service needs to run several writes as one: a transaction handing out its executor. */
export interface Transactor {
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
}
