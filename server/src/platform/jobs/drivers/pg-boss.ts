/**
 * The one place that reaches into pg-boss's SQL and tables; `pg-boss.test.ts` fails when the
 * installed pg-boss changes either shape.
 */
import { sql } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import { type Executor, queryRows } from '../../db/client.js';

/** The schema pg-boss keeps its tables in. */
export const PGBOSS_SCHEMA = 'pgboss';
const PLACEHOLDER = '$1::text::json';

/**
 * pg-boss's own INSERT statement for queue `name`, with its job list (`$1`, JSON text) replaced by
 * an SQL expression the caller gives — so a job can be written by the same statement as the rows
 * it is about (a data-modifying CTE). Captured once from the installed pg-boss, never run by the
 * capture. Throws when the statement no longer has the expected shape.
 */
export async function captureInsertStatement(
  boss: PgBoss,
  name: string,
): Promise<(jobsJsonText: string) => string> {
  let captured: string | undefined;
  await boss.insert(name, [{ data: {} }], {
    db: {
      executeSql: async (text: string) => {
        captured = text;
        return { rows: [] };
      },
    },
  });
  const params = captured?.match(/\$\d+/g) ?? [];
  if (
    !captured ||
    !/^\s*INSERT INTO /.test(captured) ||
    params.length !== 1 ||
    !captured.includes(PLACEHOLDER)
  ) {
    throw new Error(
      `pg-boss's insert statement for ${name} has an unexpected shape; this version of pg-boss is not supported`,
    );
  }
  const statement = captured;
  return (jobsJsonText) => statement.replace(PLACEHOLDER, `(${jobsJsonText})::json`);
}

/**
 * Jobs waiting (queued or to retry) and the age of the oldest, per queue, counted now: pg-boss's
 * own queue stats are a cache refreshed by its supervision pass.
 */
export async function waitingJobs(
  db: Executor,
  names: string[],
): Promise<Map<string, { waiting: number; oldestSeconds: number }>> {
  const rows = await queryRows<{ name: string; waiting: number; age: number | null }>(
    db,
    sql`select name, count(*)::int as waiting, extract(epoch from now() - min(created_on))::float as age
        from ${sql.identifier(PGBOSS_SCHEMA)}.job
        where name = any(${sql.param(names)}::text[]) and state in ('created', 'retry')
        group by name`,
  );
  const found = new Map(rows.map((r) => [r.name, r]));
  return new Map(
    names.map((name) => {
      const row = found.get(name);
      return [name, { waiting: Number(row?.waiting ?? 0), oldestSeconds: Number(row?.age ?? 0) }];
    }),
  );
}
