import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_INBOX_ID } from '../src/modules/support/tables.js';
import { MIGRATIONS_DIR } from '../src/platform/db/client.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** A copy of the shipped migrations that stops after `lastTag`: the schema of an earlier version. */
async function migrationsUpTo(lastTag: string): Promise<string> {
  const journal = JSON.parse(
    await readFile(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'),
  ) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag}`);
  const dir = await mkdtemp(join(tmpdir(), 'abrik-migrations-'));
  await mkdir(join(dir, 'meta'));
  const entries = journal.entries.slice(0, last + 1);
  for (const entry of entries)
    await copyFile(join(MIGRATIONS_DIR, `${entry.tag}.sql`), join(dir, `${entry.tag}.sql`));
  await writeFile(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

/** A database of each backend, migrated by the shipped migrations, first to one point then on. */
async function database(backend: 'pglite' | 'postgres') {
  if (backend === 'pglite') {
    const client = await PGlite.create('memory://');
    const db = drizzlePglite(client);
    return {
      query: async <T>(text: ReturnType<typeof sql>) => (await db.execute(text)).rows as T[],
      migrate: (folder: string) => migratePglite(db, { migrationsFolder: folder }),
      close: () => client.close(),
    };
  }
  const created: TestDatabase = await createTestDatabase('postgres');
  const pool = new pg.Pool({ connectionString: created.url, max: 2 });
  const db = drizzleNodePg(pool);
  return {
    query: async <T>(text: ReturnType<typeof sql>) => (await db.execute(text)).rows as T[],
    migrate: (folder: string) => migrateNodePg(db, { migrationsFolder: folder }),
    close: async () => {
      await pool.end();
      await created.drop();
    },
  };
}

describe.each(BACKENDS)('upgrading a database of an earlier version, on %s', (backend) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('gives every support conversation of 0003 its ticket and notes, as it stood, and keeps its messages', async () => {
    const db = await database(backend);
    cleanup.push(db.close);
    const earlier = await migrationsUpTo('0003_domain_events');
    cleanup.push(() => rm(earlier, { recursive: true, force: true }));
    await db.migrate(earlier);

    // The 0003 shape: status and assignee on the conversation itself.
    const [customer, agent, other] = await db.query<{ id: string }>(
      sql`insert into users (phone, role, name) values ('+989120000001', 'customer', 'Customer'),
            ('+989120000002', 'agent', 'Agent'), ('+989120000003', 'customer', 'Nobody')
          returning id`,
    );
    const conversation = async (status: string | null, assignee: string | null, when: string) => {
      const [row] = await db.query<{ id: string }>(
        sql`insert into conversations (kind, subject, status, assignee_id, created_by, created_at, last_message_at)
            values ('support', 'old', ${status}, ${assignee}, ${customer!.id}, ${when}::timestamptz, ${when}::timestamptz)
            returning id`,
      );
      await db.query(
        sql`insert into members (conversation_id, user_id, role) values (${row!.id}, ${customer!.id}, 'customer')`,
      );
      return row!.id;
    };
    const message = (conversationId: string, seq: number, sender: string, at: string) =>
      db.query(
        sql`insert into messages (conversation_id, seq, sender_id, client_msg_id, body, created_at)
            values (${conversationId}, ${seq}, ${sender}, ${`m-${conversationId}-${seq}`}, 'text', ${at}::timestamptz)`,
      );
    // Waiting in the queue: the customer wrote, nobody answered.
    const queued = await conversation('open', null, '2026-11-01T10:00:00Z');
    await message(queued, 1, customer!.id, '2026-11-01T10:00:05Z');
    // Answered by an agent who joined it (no assignee set), then the customer wrote again.
    const answered = await conversation(null, null, '2026-11-02T10:00:00Z');
    await db.query(
      sql`insert into members (conversation_id, user_id, role) values (${answered}, ${agent!.id}, 'agent')`,
    );
    await message(answered, 1, customer!.id, '2026-11-02T10:00:05Z');
    await message(answered, 2, agent!.id, '2026-11-02T10:01:00Z');
    await message(answered, 3, customer!.id, '2026-11-02T10:02:00Z');
    await message(answered, 4, customer!.id, '2026-11-02T10:03:00Z');
    // Resolved long ago.
    const resolved = await conversation('resolved', agent!.id, '2026-10-01T10:00:00Z');
    const direct = await db.query<{ id: string }>(
      sql`insert into conversations (kind, created_by) values ('direct', ${other!.id}) returning id`,
    );

    await db.migrate(MIGRATIONS_DIR);

    const tickets = await db.query<Record<string, unknown>>(
      sql`select conversation_id, notes_conversation_id, inbox_id, assignee_id, customer_id, status,
            waiting_since, queued_at, first_customer_message_at, first_agent_reply_at, resolved_at
          from support_tickets order by created_at`,
    );
    const at = (v: unknown) => (v === null ? null : new Date(v as string).toISOString());
    expect(
      tickets.map((t) => ({
        ...t,
        waiting_since: at(t.waiting_since),
        queued_at: at(t.queued_at),
        first_customer_message_at: at(t.first_customer_message_at),
        first_agent_reply_at: at(t.first_agent_reply_at),
        resolved_at: at(t.resolved_at),
        notes_conversation_id: typeof t.notes_conversation_id,
      })),
    ).toEqual([
      {
        conversation_id: resolved,
        notes_conversation_id: 'string',
        inbox_id: APP_INBOX_ID,
        assignee_id: agent!.id,
        customer_id: customer!.id,
        status: 'resolved',
        waiting_since: null,
        queued_at: null,
        first_customer_message_at: null,
        first_agent_reply_at: null,
        resolved_at: '2026-10-01T10:00:00.000Z',
      },
      {
        conversation_id: queued,
        notes_conversation_id: 'string',
        inbox_id: APP_INBOX_ID,
        assignee_id: null,
        customer_id: customer!.id,
        status: 'open',
        waiting_since: '2026-11-01T10:00:05.000Z',
        queued_at: '2026-11-01T10:00:05.000Z',
        first_customer_message_at: '2026-11-01T10:00:05.000Z',
        first_agent_reply_at: null,
        resolved_at: null,
      },
      {
        conversation_id: answered,
        notes_conversation_id: 'string',
        inbox_id: APP_INBOX_ID,
        assignee_id: agent!.id,
        customer_id: customer!.id,
        status: 'open',
        waiting_since: '2026-11-02T10:02:00.000Z',
        queued_at: null,
        first_customer_message_at: '2026-11-02T10:00:05.000Z',
        first_agent_reply_at: '2026-11-02T10:01:00.000Z',
        resolved_at: null,
      },
    ]);
    // Each notes conversation is its own, of kind notes; the direct one is untouched; messages stay.
    const notes = await db.query<{ kind: string; n: number }>(
      sql`select c.kind, count(*)::int as n from support_tickets t join conversations c on c.id = t.notes_conversation_id group by c.kind`,
    );
    expect(notes).toEqual([{ kind: 'notes', n: 3 }]);
    expect(
      await db.query(
        sql`select count(*)::int as n from support_tickets where conversation_id = ${direct[0]!.id}`,
      ),
    ).toEqual([{ n: 0 }]);
    expect(await db.query(sql`select count(*)::int as n from messages`)).toEqual([{ n: 5 }]);
    // The old columns are gone.
    const columns = await db.query<{ column_name: string }>(
      sql`select column_name from information_schema.columns where table_name = 'conversations' and column_name in ('status', 'assignee_id')`,
    );
    expect(columns).toEqual([]);
  });
});
