import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { startTestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { Desk, FAST_TIMERS, type Person, startDesk } from './support/desk.js';
import { eventually, next } from './support/sockets.js';

describe.each(BACKENDS)('support routing on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  beforeAll(async () => {
    desk = await startDesk({ backend });
    admin = await desk.person('admin', 'Admin');
  });
  afterAll(async () => {
    await desk?.close();
  });

  it('queues a customer while nobody is online, tells them their place, and an agent coming online takes it', async () => {
    const customer = await desk.person('customer', 'Sara');
    const customerSocket = await desk.online(customer);
    const conversation = await desk.open(customer, 'کارت');
    expect(conversation.support).toMatchObject({
      status: 'open',
      assigneeId: null,
      queuePosition: 1,
      etaSeconds: null,
    });
    const agent = await desk.person('agent', 'Ali');
    const assigned = next(
      customerSocket,
      'support:queue',
      (e) => e.conversationId === conversation.id && e.position === null,
    );
    await desk.online(agent);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === agent.id, 'the agent to take it');
    await assigned;
    const seen = await desk.t.request('GET', `/api/v1/conversations/${conversation.id}`, {
      token: customer.token,
    });
    expect(seen.body.support).toMatchObject({
      assigneeId: agent.id,
      assigneeName: 'Ali',
      queuePosition: null,
    });
    expect(seen.body.members.map((m: { userId: string }) => m.userId)).toContain(agent.id);
    // Busy agents keep what they have and get nothing new.
    const socket = await desk.online(agent);
    await desk.setAvailability(socket, 'busy');
    const second = await desk.open(customer, 'again');
    await new Promise((r) => setTimeout(r, 500));
    expect(await desk.assignee(second.id)).toBeNull();
    await desk.setAvailability(socket, 'online');
    await desk.waitFor(second.id, (t) => t.assigneeId === agent.id, 'the agent back online to take it');
    // With an agent online and room to spare, the conversation is assigned before the reply to
    // the customer who opened it: no queue at all.
    const third = await desk.open(customer, 'once more');
    expect(third.support).toMatchObject({ assigneeId: agent.id, queuePosition: null, etaSeconds: null });
  });

  it('keeps round robin fair over 1,000 assignments among equal agents, in PostgreSQL not in memory', async () => {
    const agents = await Promise.all([1, 2, 3].map((i) => desk.person('agent', `RR ${i}`)));
    const team = await desk.admin(admin, 'POST', '/teams', {
      name: `rr-${backend}`,
      agentIds: agents.map((a) => a.id),
    });
    const inbox = await desk.admin(admin, 'POST', '/inboxes', { name: 'rr', teamIds: [team.id] });
    expect(inbox.routing).toBe('round_robin');
    for (const agent of agents) {
      await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 1000 });
      await desk.online(agent);
    }
    const customer = await desk.person('customer', 'Many');
    let opened = 0;
    for (let round = 0; round < 10; round++) {
      await queueTickets(desk, inbox.id, customer.id, 100);
      opened += 100;
      await desk.t.app.support.tickets.drain(inbox.id);
      // Some are resolved between rounds: round robin does not look at load.
      await queryRows(
        desk.t.app.database.db,
        sql`update support_tickets set status = 'resolved' where inbox_id = ${inbox.id} and status = 'open' and random() < 0.3`,
      );
    }
    const counts = await queryRows<{ to_id: string; n: number }>(
      desk.t.app.database.db,
      sql`select a.to_id, count(*)::int as n from support_assignments a join support_tickets t on t.conversation_id = a.conversation_id
          where t.inbox_id = ${inbox.id} and a.reason = 'auto' group by a.to_id`,
    );
    const n = counts.map((c) => c.n);
    expect(n.reduce((a, b) => a + b, 0)).toBe(opened);
    expect(Math.max(...n) - Math.min(...n)).toBeLessThanOrEqual(1);
  });

  it('least loaded gives each conversation to whoever has the fewest open and pending', async () => {
    const [busy, free] = await Promise.all([desk.person('agent', 'Busy'), desk.person('agent', 'Free')]);
    const team = await desk.admin(admin, 'POST', '/teams', {
      name: `ll-${backend}`,
      agentIds: [busy.id, free.id],
    });
    const inbox = await desk.admin(admin, 'POST', '/inboxes', { name: 'll', teamIds: [team.id] });
    await desk.admin(admin, 'PATCH', `/inboxes/${inbox.id}`, { routing: 'least_loaded' });
    for (const agent of [busy, free]) {
      await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 100 });
      await desk.online(agent);
    }
    const customer = await desk.person('customer', 'Load');
    // Busy holds three already (born assigned: a background drain must not race the set-up).
    await queueTickets(desk, inbox.id, customer.id, 3, busy.id);
    await queueTickets(desk, inbox.id, customer.id, 5);
    await desk.t.app.support.tickets.drain(inbox.id);
    const loads = await queryRows<{ assignee_id: string; n: number }>(
      desk.t.app.database.db,
      sql`select assignee_id, count(*)::int as n from support_tickets where inbox_id = ${inbox.id} group by assignee_id`,
    );
    expect(Object.fromEntries(loads.map((l) => [l.assignee_id === busy.id ? 'busy' : 'free', l.n]))).toEqual({
      busy: 4,
      free: 4,
    });
  });

  it('is manual in a manual inbox: nothing is handed out, agents claim within their capacity', async () => {
    const agent = await desk.person('agent', 'Claimer');
    const team = await desk.admin(admin, 'POST', '/teams', {
      name: `manual-${backend}`,
      agentIds: [agent.id],
    });
    const inbox = await desk.admin(admin, 'POST', '/inboxes', { name: 'manual', teamIds: [team.id] });
    await desk.admin(admin, 'PATCH', `/inboxes/${inbox.id}`, { routing: 'manual' });
    await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 1 });
    await desk.online(agent);
    const customer = await desk.person('customer', 'Manual');
    const [a, b] = await queueTickets(desk, inbox.id, customer.id, 2);
    await desk.t.app.support.tickets.drain(inbox.id);
    expect(await desk.assignee(a!)).toBeNull();
    const claim = (id: string) =>
      desk.t.request('POST', `/api/v1/support/conversations/${id}/claim`, { token: agent.token });
    expect((await claim(a!)).body).toMatchObject({ assigneeId: agent.id });
    expect((await claim(a!)).body).toMatchObject({ error: { code: 'support/already_assigned' } });
    expect(await claim(b!)).toMatchObject({
      status: 409,
      body: { error: { code: 'support/over_capacity' } },
    });
  });
});

describe.skipIf(!BACKENDS.includes('postgres'))(
  'support routing with two instances on one PostgreSQL',
  () => {
    let one: Desk;
    let two: Desk;
    beforeAll(async () => {
      one = await startDesk({ backend: 'postgres' });
      two = new Desk(await startTestApp({ database: one.t.database, env: FAST_TIMERS }));
    });
    afterAll(async () => {
      await two?.close();
      await one?.close();
    });

    it('opens 50 at once with 3 agents of capacity 5: exactly 15 assigned, none over, none twice; each resolve hands out the next', async () => {
      const admin = await one.person('admin', 'Admin');
      const agents = await Promise.all([1, 2, 3].map((i) => one.person('agent', `Cap ${i}`)));
      for (const agent of agents)
        await one.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 5 });
      // Connected through both instances.
      await one.online(agents[0]!);
      await two.online(agents[1]!);
      await one.online(agents[2]!);
      for (const agent of agents) await one.connected(agent.id, true);
      const customers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => one.person('customer', `C${i}`)),
      );
      const opened = await Promise.all(customers.map((c, i) => (i % 2 ? two : one).open(c, `burst ${i}`)));
      const ids = opened.map((c) => c.id);
      const state = () =>
        queryRows<{ assignee_id: string | null; n: number }>(
          one.t.app.database.db,
          sql`select assignee_id, count(*)::int as n from support_tickets
            where conversation_id = any(${sql.param(ids)}::uuid[]) and status = 'open' group by assignee_id`,
        );
      await eventually(
        async () => (await state()).filter((r) => r.assignee_id !== null).reduce((a, r) => a + r.n, 0) === 15,
        20_000,
        '15 assigned',
      );
      await new Promise((r) => setTimeout(r, 500));
      const rows = await state();
      expect(rows.filter((r) => r.assignee_id !== null).map((r) => r.n)).toEqual([5, 5, 5]);
      expect(rows.find((r) => r.assignee_id === null)?.n).toBe(35);
      const twice = await queryRows<{ conversation_id: string }>(
        one.t.app.database.db,
        sql`select conversation_id from support_assignments where conversation_id = any(${sql.param(ids)}::uuid[])
          and reason = 'auto' group by conversation_id having count(*) > 1`,
      );
      expect(twice).toEqual([]);
      // Each resolve frees a slot, and the next in the queue (the oldest) goes to that agent.
      const agent = agents[1]!;
      const mine = await queryRows<{ conversation_id: string }>(
        one.t.app.database.db,
        sql`select conversation_id from support_tickets where assignee_id = ${agent.id} and status = 'open' limit 1`,
      );
      const resolved = await two.t.request(
        'POST',
        `/api/v1/support/conversations/${mine[0]!.conversation_id}/status`,
        {
          token: agent.token,
          body: { status: 'resolved' },
        },
      );
      expect(resolved.body).toMatchObject({ status: 'resolved' });
      await eventually(
        async () => (await state()).find((r) => r.assignee_id === agent.id)?.n === 5,
        10_000,
        'the freed slot taken',
      );
      expect((await state()).find((r) => r.assignee_id === null)?.n).toBe(34);
    });
  },
);

/** Support conversations in the inbox's queue, made in the database (fast), answering their ids. */
async function queueTickets(
  desk: Desk,
  inboxId: string,
  customerId: string,
  count: number,
  assigneeId: string | null = null,
): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    desk.t.app.database.db,
    sql`with c as (
          insert into conversations (kind, created_by) select 'support', ${customerId}::uuid from generate_series(1, ${count})
          returning id),
        n as (
          insert into conversations (kind, created_by) select 'notes', ${customerId}::uuid from generate_series(1, ${count})
          returning id),
        pairs as (
          select c.id as cid, n.id as nid from (select id, row_number() over () as k from c) c
          join (select id, row_number() over () as k from n) n using (k)),
        m as (insert into members (conversation_id, user_id, role) select cid, ${customerId}::uuid, 'customer' from pairs)
        insert into support_tickets (conversation_id, notes_conversation_id, inbox_id, customer_id, queued_at, assignee_id)
        select cid, nid, ${inboxId}::uuid, ${customerId}::uuid,
          case when ${assigneeId}::uuid is null then clock_timestamp() end, ${assigneeId}::uuid from pairs
        returning conversation_id as id`,
  );
  return rows.map((r) => r.id);
}
