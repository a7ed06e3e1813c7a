import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, queryTextPrepared } from '../src/platform/db/client.js';
import type { DomainEvent } from '../src/platform/events/domain-events.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/sockets.js';

describe.each(BACKENDS)('jobs and durable domain events on %s', (backend) => {
  let t: TestApp;
  let alice: AuthResult;
  let bob: AuthResult;
  beforeAll(async () => {
    t = await startTestApp({ backend });
    alice = await t.signIn(uniquePhone(), 'Alice');
    bob = await t.signIn(uniquePhone(), 'Bob');
  });
  afterAll(async () => {
    await t?.close();
  });

  const jobsOf = (name: string) =>
    queryRows<{ state: string; retry_count: number; data: unknown; output: unknown }>(
      t.app.database.db,
      sql`select state, retry_count, data, output from pgboss.job where name = ${name} order by created_on`,
    );

  it('records who started a conversation and who joined it, in its own transaction', async () => {
    const group = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'group', title: 'audit', memberIds: [bob.user.id] },
    });
    expect(group.status).toBe(201);
    const trail = await t.app.events.list({ subject: `conversation:${group.body.id}`, limit: 10 });
    expect(trail.map((e) => [e.type, e.actorId, e.payload])).toEqual([
      ['conversation.created', alice.user.id, { kind: 'group' }],
      [
        'conversation.members_added',
        alice.user.id,
        {
          members: [
            { userId: alice.user.id, role: 'owner' },
            { userId: bob.user.id, role: 'member' },
          ],
        },
      ],
    ]);
    const signUps = await t.app.events.list({
      subject: `user:${bob.user.id}`,
      types: ['user.signed_up'],
      limit: 5,
    });
    expect(signUps).toHaveLength(1);
  });

  it('runs each listener of an event from a job, retrying a failing one alone', async () => {
    const seen: DomainEvent[] = [];
    let failures = 0;
    t.app.events.listen('conversation.created', 'test-steady', async (event) => {
      seen.push(event);
    });
    t.app.events.listen('conversation.created', 'test-flaky', async () => {
      if (failures++ < 1) throw new Error('flaky listener');
    });
    const direct = await t.request('POST', '/api/v1/conversations', {
      token: bob.accessToken,
      body: { kind: 'group', title: 'listened', memberIds: [] },
    });
    await eventually(async () => failures >= 2, 20_000, 'the flaky listener to be retried');
    await eventually(
      async () => (await jobsOf('domain-event')).filter((j) => j.state === 'completed').length >= 2,
      10_000,
      'both listener jobs to complete',
    );
    // The steady one ran once, though its sibling failed.
    expect(seen.map((e) => e.subject)).toEqual([`conversation:${direct.body.id}`]);
    expect(seen[0]).toMatchObject({
      type: 'conversation.created',
      actorId: bob.user.id,
      payload: { kind: 'group' },
    });
  });

  it('writes neither the event nor its jobs when the transaction rolls back', async () => {
    const before = (await jobsOf('domain-event')).length;
    await expect(
      t.app.database.db.transaction(async (tx) => {
        await t.app.events.record(tx, {
          type: 'conversation.created',
          actorId: null,
          subject: 'conversation:rolled-back',
          payload: { kind: 'direct' },
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await t.app.events.list({ subject: 'conversation:rolled-back', limit: 5 })).toEqual([]);
    expect((await jobsOf('domain-event')).length).toBe(before);
  });

  it('dead-letters a job whose payload does not fit its schema instead of retrying it', async () => {
    const insert = await t.app.jobs.insertStatement('domain-event');
    await queryTextPrepared(
      t.app.database.db,
      'test_bad_job',
      insert(`select '[{"data": {"eventId": "seven"}}]'`),
      [],
    );
    await eventually(
      async () => (await jobsOf('domain-event')).some((j) => j.state === 'failed'),
      10_000,
      'the misfit to fail',
    );
    const failed = (await jobsOf('domain-event')).filter((j) => j.state === 'failed');
    expect(failed).toMatchObject([
      { retry_count: 0, data: { eventId: 'seven' }, output: { message: 'invalid payload' } },
    ]);
    expect(t.logs.some((l) => l.includes('job payload does not fit its schema'))).toBe(true);
  });
});

describe.skipIf(!BACKENDS.includes('postgres'))('abrik worker --queues', () => {
  let api: TestApp;
  let worker: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ backend: 'postgres', env: { WORKERS: 'false' } });
    worker = await startTestApp({ database: api.database, role: 'worker', queues: ['device-tokens'] });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('runs the chosen queues only', async () => {
    const tokens = await api.app.jobs.send('device-tokens', {});
    const user = await api.app.jobs.send('notify-user', {
      userId: '00000000-0000-4000-8000-000000000001',
      conversationId: '00000000-0000-4000-8000-000000000002',
    });
    const state = async (id: string | null) =>
      (
        await queryRows<{ state: string }>(
          api.app.database.db,
          sql`select state from pgboss.job where id = ${id}`,
        )
      )[0]?.state;
    await eventually(async () => (await state(tokens)) === 'completed', 15_000, 'the chosen queue to run');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await state(user)).toBe('created');
  });

  it('refuses a queue that does not exist, naming the ones that do', async () => {
    await expect(
      startTestApp({ database: api.database, role: 'worker', queues: ['push-sned'] }),
    ).rejects.toThrow(/unknown queue\(s\): push-sned; known: .*push-send/);
  });
});
