import type { Message } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { MessageRepository } from '../src/repositories/message.repository.js';
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
          tx,
          order.map((conversationId, i) => ({
            conversationId,
            senderId: bob.user.id,
            clientMsgId: `${tag}-${i}`,
            body: `${tag} ${i}`,
          })),
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
    expect(await first).toHaveLength(3);

    // The highest held elsewhere: the batch has locked every lower one while it waits.
    await holder.query('begin');
    await holder.query('select id from conversations where id = $1 for update', [high]);
    const second = batch([mid, high, low], 'order-b');
    await waiting();
    expect([await free(low), await free(mid)]).toEqual([false, false]);
    await holder.query('commit');
    expect(await second).toHaveLength(3);
  });
  it('plans the group commit at every execution, so a plan made on small tables is never kept', async () => {
    // A generic plan made while `messages` was empty scanned the whole table at every batch
    // once PostgreSQL switched to it; every pooled connection of the app replans instead.
    const settings = await Promise.all(
      Array.from({ length: 3 }, () =>
        queryRows<{ plan_cache_mode: string }>(t.app.database.db, sql`show plan_cache_mode`),
      ),
    );
    expect(settings.map((rows) => rows[0]?.plan_cache_mode)).toEqual([
      'force_custom_plan',
      'force_custom_plan',
      'force_custom_plan',
    ]);
  });
});
