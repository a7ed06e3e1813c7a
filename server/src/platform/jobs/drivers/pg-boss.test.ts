import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { fromPglite, PgBoss } from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabase } from '../../../../test/support/databases.js';
import { type Db, nodePgDb, pgliteDb, queryTextPrepared } from '../../db/drivers/drizzle.js';
import { captureInsertStatement, PGBOSS_SCHEMA, waitingJobs } from './pg-boss.js';

/** Fails when the installed pg-boss changes its INSERT statement or its job table. */
describe.each(BACKENDS)('pg-boss internals on %s', (backend) => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  async function start(): Promise<{ boss: PgBoss; db: Db }> {
    if (backend === 'pglite') {
      const pglite = new PGlite();
      const boss = new PgBoss({ db: fromPglite(pglite), schema: PGBOSS_SCHEMA });
      await boss.start();
      closers.push(
        () => pglite.close(),
        () => boss.stop({ graceful: false }),
      );
      return { boss, db: pgliteDb(pglite) };
    }
    const database = await createTestDatabase('postgres');
    const boss = new PgBoss({ connectionString: database.url!, schema: PGBOSS_SCHEMA, max: 2 });
    await boss.start();
    const pool = new pg.Pool({ connectionString: database.url });
    closers.push(
      () => database.drop(),
      () => pool.end(),
      () => boss.stop({ graceful: false }),
    );
    return { boss, db: nodePgDb(pool) };
  }

  it('captures the INSERT of a queue and enqueues the jobs an SQL expression gives', async () => {
    const { boss, db } = await start();
    await boss.createQueue('shape-a');
    await boss.createQueue('shape-b');
    const insert = await captureInsertStatement(boss, 'shape-a');
    const statement = insert(`select '[{"data": {"n": 1}}, {"data": {"n": 2}}]'`);
    expect(statement).toMatch(/^\s*INSERT INTO /);
    await queryTextPrepared(db, 'abrik_test_insert', statement, []);
    const jobs = await boss.findJobs<{ n: number }>('shape-a');
    expect(jobs.map((j) => j.data.n).sort()).toEqual([1, 2]);
    expect(jobs.every((j) => j.state === 'created')).toBe(true);
    // An empty list enqueues nothing.
    await queryTextPrepared(db, 'abrik_test_insert_none', insert(`select '[]'`), []);
    expect(await boss.findJobs('shape-a')).toHaveLength(2);

    const waiting = await waitingJobs(db, ['shape-a', 'shape-b']);
    expect(waiting.get('shape-a')?.waiting).toBe(2);
    expect(waiting.get('shape-a')?.oldestSeconds).toBeGreaterThanOrEqual(0);
    expect(waiting.get('shape-b')).toEqual({ waiting: 0, oldestSeconds: 0 });
  });

  it('refuses a queue that does not exist rather than capturing a statement that cannot run', async () => {
    const { boss } = await start();
    await expect(captureInsertStatement(boss, 'no-such-queue')).rejects.toThrow();
  });
});
