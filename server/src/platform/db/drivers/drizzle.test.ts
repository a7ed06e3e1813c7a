import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase } from '../../../../test/support/databases.js';
import { type Db, driverClientOf, nodePgDb, pgliteDb, queryRows, queryTextPrepared } from './drizzle.js';

/** Fails when Drizzle stops keeping its driver client where drivers/drizzle.ts reads it. */
describe('Drizzle internals the drivers file reads', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  async function handle(backend: 'pglite' | 'postgres'): Promise<Db> {
    if (backend === 'pglite') {
      const client = new PGlite();
      closers.push(() => client.close());
      return pgliteDb(client);
    }
    const database = await createTestDatabase('postgres');
    const pool = new pg.Pool({ connectionString: database.url });
    closers.push(
      () => database.drop(),
      () => pool.end(),
    );
    return nodePgDb(pool);
  }

  describe.each(BACKENDS)('on %s', (backend) => {
    it('finds the driver client of a handle and of a transaction', async () => {
      const db = await handle(backend);
      const outside = driverClientOf(db);
      if (backend === 'postgres') expect(outside).toBeInstanceOf(pg.Pool);
      else expect(typeof outside.query).toBe('function');
      const inside = await db.transaction(async (tx) => driverClientOf(tx));
      if (backend === 'postgres') expect(inside).toBeInstanceOf(pg.Client);
      else expect(inside).not.toBe(outside);
    });

    it('runs a fixed text with parameters, also inside a transaction, and reads execute() rows', async () => {
      const db = await handle(backend);
      const text = 'select $1::int + 1 as n, $2::text[] as a';
      expect(await queryTextPrepared(db, 'abrik_test_n', text, [1, ['x', 'y']])).toEqual([
        { n: 2, a: ['x', 'y'] },
      ]);
      // A named statement is prepared once per connection and used again.
      expect(await queryTextPrepared(db, 'abrik_test_n', text, [41, []])).toEqual([{ n: 42, a: [] }]);
      const inTx = await db.transaction((tx) =>
        queryTextPrepared<{ n: number }>(tx, 'abrik_test_tx', text, [2, []]),
      );
      expect(inTx[0]?.n).toBe(3);
      expect(await queryRows<{ n: number }>(db, sql`select ${7}::int as n`)).toEqual([{ n: 7 }]);
    });
  });

  it('refuses a handle with no known client behind it, rather than guessing', () => {
    expect(() => driverClientOf({} as Db)).toThrow(/has Drizzle changed/);
  });
});
