import type { Message } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageRepository } from '../src/modules/chat/message.repository.js';
import { queryRows } from '../src/platform/db/client.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS, waitForLockWaiters } from './support/databases.js';
import { type ClientSocket, call, connect } from './support/sockets.js';

// Needs a second connection to hold a lock while the app writes: PostgreSQL only.
describe.each(BACKENDS.filter((b) => b === 'postgres'))('a database that does not keep up, on %s', () => {
  let t: TestApp;
  let alice: AuthResult;
  let conversationId: string;
  const open: ClientSocket[] = [];
  const clients: pg.Client[] = [];
  const client = async () => {
    const c = new pg.Client({ connectionString: t.app.database.url });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({ backend: 'postgres', env: { DATABASE_CONNECT_TIMEOUT_MS: '500' } });
    alice = await t.signIn(uniquePhone(), 'Alice');
    const bob = await t.signIn(uniquePhone(), 'Bob');
    conversationId = (
      await t.request('POST', '/api/v1/conversations', {
        token: alice.accessToken,
        body: { kind: 'direct', userId: bob.user.id },
      })
    ).body.id;
  });
  afterAll(async () => {
    for (const s of open) s.close();
    for (const c of clients) await c.end().catch(() => {});
    await t?.close();
  });

  it('refuses sends that waited longer than DATABASE_CONNECT_TIMEOUT_MS for a batch, and stores none of them', async () => {
    const socket = await connect(t.url, alice.accessToken);
    open.push(socket);
    // The conversation row is locked: every batch writing to it waits.
    const locker = await client();
    await locker.query('begin');
    await locker.query('select id from conversations where id = $1 for update', [conversationId]);
    const send = (i: number) =>
      call<{ message: Message }>(
        socket,
        'message:send',
        { conversationId, clientMsgId: `overload-${i}`, body: `#${i}` },
        15_000,
      );
    const acks = Array.from({ length: 12 }, (_, i) => send(i));
    const observer = await client();
    // One batch writes a conversation at a time; the other sends queue behind it.
    await waitForLockWaiters(observer, 1, 'the first batch waiting on the lock');
    await new Promise((r) => setTimeout(r, 800));
    await locker.query('commit');
    const outcomes = (await Promise.all(acks)).map((a) => (a.ok ? 'ok' : a.error.code));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'db/unavailable')).toHaveLength(11);
    const stored = await observer.query<{ client_msg_id: string }>(
      'select client_msg_id from messages where conversation_id = $1 order by seq',
      [conversationId],
    );
    const okIds = outcomes.flatMap((o, i) => (o === 'ok' ? [`overload-${i}`] : []));
    expect(stored.rows.map((r) => r.client_msg_id).sort()).toEqual(okIds.sort());
    // The refused ones can be sent again and are stored then.
    const retried = await send(outcomes.indexOf('db/unavailable'));
    expect(retried.ok).toBe(true);
  });

  it('keeps storing other conversations while a batch waits on a locked conversation', async () => {
    const carol = await t.signIn(uniquePhone(), 'Carol');
    const other = (
      await t.request('POST', '/api/v1/conversations', {
        token: alice.accessToken,
        body: { kind: 'direct', userId: carol.user.id },
      })
    ).body.id as string;
    const socket = await connect(t.url, alice.accessToken);
    open.push(socket);
    const locker = await client();
    await locker.query('begin');
    await locker.query('select id from conversations where id = $1 for update', [conversationId]);
    const stuck = call<{ message: Message }>(
      socket,
      'message:send',
      { conversationId, clientMsgId: 'stuck-1', body: 'waits for the lock' },
      15_000,
    );
    const observer = await client();
    await waitForLockWaiters(observer, 1, 'the batch waiting on the lock');
    // One send a time, each after the last's ack: a queue that never reaches the size that
    // would open the second lane by itself.
    for (let i = 1; i <= 3; i++) {
      const ack = await call<{ message: Message }>(
        socket,
        'message:send',
        { conversationId: other, clientMsgId: `free-${i}`, body: `#${i}` },
        5_000,
      );
      expect(ack).toMatchObject({ ok: true, message: { conversationId: other, seq: i } });
    }
    await locker.query('commit');
    expect(await stuck).toMatchObject({ ok: true, message: { clientMsgId: 'stuck-1' } });
  });

  it('locks the conversations of a batch in id order, so batches sharing conversations never deadlock', async () => {
    const bob = await t.signIn(uniquePhone(), 'Bob');
    const others = await Promise.all([1, 2, 3].map((i) => t.signIn(uniquePhone(), `Other ${i}`)));
    const ids: string[] = [];
    for (const other of others) {
      const created = await t.request('POST', '/api/v1/conversations', {
        token: bob.accessToken,
        body: { kind: 'direct', userId: other.user.id },
      });
      ids.push(created.body.id);
    }
    const [low, mid, high] = [...ids].sort() as [string, string, string];
    const repo = new MessageRepository(t.app.database.db);
    const observer = await client();
    const waiting = () => waitForLockWaiters(observer, 1, 'the batch to wait on the held row');
    /** Whether another transaction could lock this conversation right now. */
    const free = async (id: string) => {
      const probe = await client();
      await probe.query('begin');
      try {
        await probe.query('select id from conversations where id = $1 for update nowait', [id]);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') return false; // lock_not_available
        throw error;
      } finally {
        await probe.query('rollback');
      }
    };
    const batch = (order: string[], tag: string) =>
      t.app.database.db.transaction((tx) =>
        repo.insertBatch(
          order.map((conversationId, i) => ({
            conversationId,
            senderId: bob.user.id,
            clientMsgId: `${tag}-${i}`,
            body: `${tag} ${i}`,
          })),
          undefined,
          tx,
        ),
      );

    // The lowest held elsewhere: the batch (given highest first) waits on it holding nothing.
    const holder = await client();
    await holder.query('begin');
    await holder.query('select id from conversations where id = $1 for update', [low]);
    const first = batch([high, mid, low], 'order-a');
    await waiting();
    expect([await free(mid), await free(high)]).toEqual([true, true]);
    await holder.query('commit');
    expect((await first).map((o) => o.outcome)).toEqual(['stored', 'stored', 'stored']);

    // The highest held elsewhere: the batch has locked every lower one while it waits.
    await holder.query('begin');
    await holder.query('select id from conversations where id = $1 for update', [high]);
    const second = batch([mid, high, low], 'order-b');
    await waiting();
    expect([await free(low), await free(mid)]).toEqual([false, false]);
    await holder.query('commit');
    expect((await second).map((o) => o.outcome)).toEqual(['stored', 'stored', 'stored']);
  });
  it('writes batches on connections of their own that keep generic plans; the app pool plans as PostgreSQL chooses', async () => {
    // The group commit's statement keeps its plan (no planning at each batch) on two writer
    // connections, renewed every few minutes so a plan made on small tables does not stay; the
    // setting must not leak into the app's other queries.
    const mode = async (db: typeof t.app.database.db) =>
      (await queryRows<{ plan_cache_mode: string }>(db, sql`show plan_cache_mode`))[0]?.plan_cache_mode;
    expect(await mode(t.app.database.writer)).toBe('force_generic_plan');
    expect(await mode(t.app.database.db)).toBe('auto');
    const socket = await connect(t.url, alice.accessToken);
    open.push(socket);
    const acks = await Promise.all(
      [1, 2, 3].map((i) =>
        call<{ message: Message }>(socket, 'message:send', {
          conversationId,
          clientMsgId: `writer-${i}`,
          body: `#${i}`,
        }),
      ),
    );
    expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['ok', 'ok', 'ok']);
    // The batches ran on the writer connections, none on the app pool's.
    const observer = await client();
    const { rows } = await observer.query<{ app: string; n: number }>(
      `select application_name as app, count(*)::int as n from pg_stat_activity
       where datname = current_database() and query like 'with input as%' group by 1`,
    );
    expect(rows.find((r) => r.app === 'abrik-writer')?.n).toBeGreaterThan(0);
    expect(rows.find((r) => r.app === 'abrik')).toBeUndefined();
  });
});
