import type { Message } from '@abrik/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type ClientSocket, call, connect, eventually } from './support/sockets.js';

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
    // At most 4 batches are written at once; the other sends queue behind them.
    await eventually(
      async () =>
        (
          await observer.query(
            "select 1 from pg_stat_activity where application_name = 'abrik' and wait_event_type = 'Lock'",
          )
        ).rowCount === 4,
      10_000,
      'four batches waiting on the lock',
    );
    await new Promise((r) => setTimeout(r, 800));
    await locker.query('commit');
    const outcomes = (await Promise.all(acks)).map((a) => (a.ok ? 'ok' : a.error.code));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'db/unavailable')).toHaveLength(8);
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
});
