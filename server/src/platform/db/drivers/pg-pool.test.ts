import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../../../../test/support/databases.js';
import { driverClientOf, nodePgDb, queryRows } from './drizzle.js';
import { guardPoolTransactions } from './pg-pool.js';

/**
 * Fails when Drizzle's transactions stop taking their client through `pool.connect()` without a
 * callback, or when pg's client changes what the guard wraps (`query`, `release`).
 */
describe.skipIf(!BACKENDS.includes('postgres'))(guardPoolTransactions.name, () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let connectsWithoutCallback = 0;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const connect = pool.connect.bind(pool);
    pool.connect = ((callback?: Parameters<typeof connect>[0]) => {
      if (!callback) connectsWithoutCallback++;
      return callback ? connect(callback) : connect();
    }) as typeof pool.connect;
    guardPoolTransactions(pool);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it("guards the client of each of Drizzle's transactions until it is released", async () => {
    const db = nodePgDb(pool);
    const before = connectsWithoutCallback;
    const client = await db.transaction(async (tx) => {
      const inside = driverClientOf(tx);
      // The guard's own `query` sits on the client while the transaction holds it.
      expect(Object.hasOwn(inside, 'query')).toBe(true);
      await queryRows(tx, sql`select 1`);
      return inside;
    });
    expect(connectsWithoutCallback).toBe(before + 1);
    expect(Object.hasOwn(client, 'query')).toBe(false);
    expect(pool.totalCount).toBe(pool.idleCount);
  });

  it('gives back a client whose BEGIN failed, so the pool does not shrink until it hangs', async () => {
    const db = nodePgDb(pool);
    const query = pg.Client.prototype.query;
    const textOf = (arg: unknown) =>
      typeof arg === 'string' ? arg : ((arg as { text?: string })?.text ?? '');
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (/^\s*begin\b/i.test(textOf(args[0])))
        return Promise.reject(new Error('Connection terminated unexpectedly'));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      for (let i = 0; i < 3; i++) {
        await expect(db.transaction(async (tx) => queryRows(tx, sql`select 1`))).rejects.toMatchObject({
          cause: { message: 'Connection terminated unexpectedly' },
        });
      }
    } finally {
      pg.Client.prototype.query = query;
    }
    // Nothing is still checked out, and the pool (max 2) serves again.
    expect(pool.totalCount).toBe(pool.idleCount);
    expect(await queryRows<{ n: number }>(db, sql`select 2 as n`)).toEqual([{ n: 2 }]);
  });
});
