import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../src/platform/db/client.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * Expand, then contract: a migration may add tables, columns (nullable or with a default),
 * indexes — what the release before it can run beside. Removing or narrowing anything (a table,
 * a column, a type, a column made NOT NULL, a new NOT NULL column without a default) breaks that
 * release during a rolling update and makes a rollback impossible, so it is a contract step: it
 * ships a release after the code stopped using what it removes, and is declared below with what
 * it breaks. Each migration is applied in turn to a real PostgreSQL and the schema compared with
 * the one before; anything breaking that is not declared fails here.
 */
const CONTRACT: Record<string, string[]> = {
  // The support desk replaced conversations' own support columns with support_tickets; the
  // release before it used them, so rolling back across 0004 means restoring a backup
  // (docs/runbook.md#release-and-rollback).
  '0004_support_desk': [
    'column conversations.assignee_id removed',
    'column conversations.first_reply_at removed',
    'column conversations.priority removed',
    'column conversations.resolved_at removed',
    'column conversations.status removed',
  ],
};

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

type Schema = Map<string, Column>;

async function schemaOf(client: pg.Client): Promise<Schema> {
  const { rows } = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
  }>(
    `select table_name, column_name, data_type, udt_name, is_nullable, column_default, is_identity
     from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  );
  return new Map(
    rows.map((r) => [
      `${r.table_name}.${r.column_name}`,
      {
        table: r.table_name,
        column: r.column_name,
        type: r.data_type === 'USER-DEFINED' || r.data_type === 'ARRAY' ? r.udt_name : r.data_type,
        nullable: r.is_nullable === 'YES',
        hasDefault: r.column_default !== null || r.is_identity === 'YES',
      },
    ]),
  );
}

/** What the release before a migration could no longer do on the schema after it. */
export function breakingChanges(before: Schema, after: Schema): string[] {
  const changes: string[] = [];
  const tablesBefore = new Set([...before.values()].map((c) => c.table));
  const tablesAfter = new Set([...after.values()].map((c) => c.table));
  for (const table of tablesBefore) if (!tablesAfter.has(table)) changes.push(`table ${table} removed`);
  for (const [key, old] of before) {
    if (!tablesAfter.has(old.table)) continue;
    const now = after.get(key);
    if (!now) changes.push(`column ${key} removed`);
    else if (now.type !== old.type) changes.push(`column ${key} changed type ${old.type} → ${now.type}`);
    else if (old.nullable && !now.nullable) changes.push(`column ${key} made NOT NULL`);
  }
  for (const [key, now] of after) {
    if (before.has(key) || !tablesBefore.has(now.table)) continue;
    if (!now.nullable && !now.hasDefault) changes.push(`column ${key} added NOT NULL without a default`);
  }
  return changes.sort();
}

describe.skipIf(!BACKENDS.includes('postgres'))('migrations expand before they contract', () => {
  let database: TestDatabase;
  let dir: string;
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'abrik-migrations-'));
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('breaks nothing the release before each migration needs, except the contract steps declared', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      let before: Schema = new Map();
      const found: Record<string, string[]> = {};
      for (let k = 1; k <= journal.entries.length; k++) {
        // The migrations folder as the release that shipped the k-th migration had it.
        const step = join(dir, `step-${k}`);
        mkdirSync(join(step, 'meta'), { recursive: true });
        const entries = journal.entries.slice(0, k);
        writeFileSync(join(step, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
        for (const e of entries) cpSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(step, `${e.tag}.sql`));
        await migrate(drizzle(client), { migrationsFolder: step });
        const after = await schemaOf(client);
        const tag = journal.entries[k - 1]!.tag;
        const changes = k === 1 ? [] : breakingChanges(before, after);
        if (changes.length > 0) found[tag] = changes;
        before = after;
      }
      expect(found).toEqual(CONTRACT);
    } finally {
      await client.end();
    }
  });

  it('tells additions from breaking changes', () => {
    const col = (table: string, column: string, extra: Partial<Column> = {}): [string, Column] => [
      `${table}.${column}`,
      { table, column, type: 'text', nullable: true, hasDefault: false, ...extra },
    ];
    const before: Schema = new Map([col('a', 'x'), col('a', 'y'), col('b', 'z')]);
    const expanded: Schema = new Map([
      ...before,
      col('a', 'new_nullable'),
      col('a', 'new_defaulted', { nullable: false, hasDefault: true }),
      col('c', 'in_a_new_table', { nullable: false }),
    ]);
    expect(breakingChanges(before, expanded)).toEqual([]);
    const contracted: Schema = new Map([
      col('a', 'x', { nullable: false }),
      col('a', 'z2', { nullable: false }),
      col('a', 'y', { type: 'integer' }),
    ]);
    expect(breakingChanges(before, contracted)).toEqual([
      'column a.x made NOT NULL',
      'column a.y changed type text → integer',
      'column a.z2 added NOT NULL without a default',
      'table b removed',
    ]);
  });
});
