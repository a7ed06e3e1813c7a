import type { SlaTarget } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { collect, eventually } from './support/sockets.js';

/** A catch-all-free policy for one inbox, in calendar time (the business-time case is below). */
const wallClock = (inboxId: string, name: string) => ({
  name,
  inboxId,
  firstResponseSeconds: 60,
  firstResponseBusiness: false,
  nextResponseSeconds: 120,
  nextResponseBusiness: false,
  resolutionSeconds: 600,
  resolutionBusiness: false,
});

describe.each(BACKENDS)('SLA clocks on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  /** The desk's clock runs ahead of the wall by this much (time passing, without waiting). */
  let aheadMs = 0;

  beforeAll(async () => {
    desk = await startDesk({ backend, now: () => Date.now() + aheadMs });
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const sla = async (who: Person, id: string) => {
    const reply = await desk.t.request('GET', `/api/v1/support/conversations/${id}/sla`, {
      token: who.token,
    });
    expect(reply.status).toBe(200);
    return reply.body.items as SlaTarget[];
  };
  const target = async (
    who: Person,
    id: string,
    kind: SlaTarget['kind'],
    check: (t: SlaTarget) => boolean,
  ) => {
    let found: SlaTarget | undefined;
    await eventually(
      async () => {
        found = (await sla(who, id)).find((t) => t.kind === kind && check(t));
        return found !== undefined;
      },
      10_000,
      `${kind} target`,
    );
    return found!;
  };
  const status = (who: Person, id: string, body: object) =>
    desk.t.request('POST', `/api/v1/support/conversations/${id}/status`, { token: who.token, body });

  async function staffed(name: string) {
    const agent = await desk.person('agent', `${name} agent`);
    const supervisor = await desk.person('supervisor', `${name} supervisor`);
    const { inboxId, teamId } = await desk.team(admin, [agent], [supervisor]);
    await desk.online(agent);
    const customer = await desk.person('customer', `${name} customer`);
    return { agent, supervisor, customer, inboxId, teamId };
  }

  it('lets admins write policies and supervisors read them; refuses others and bad input with a code', async () => {
    const { agent, supervisor, inboxId } = await staffed('Policies');
    const created = await desk.t.request('POST', '/api/v1/support/sla-policies', {
      token: admin.token,
      body: { ...wallClock(inboxId, 'policies'), priority: 'urgent' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      inboxId,
      priority: 'urgent',
      firstResponseSeconds: 60,
      pauseWhenPending: true,
    });

    const again = await desk.t.request('POST', '/api/v1/support/sla-policies', {
      token: admin.token,
      body: { ...wallClock(inboxId, 'twice'), priority: 'urgent' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('support/sla_policy_exists');

    const nowhere = await desk.t.request('POST', '/api/v1/support/sla-policies', {
      token: admin.token,
      body: wallClock('00000000-0000-4000-8000-00000000dead', 'nowhere'),
    });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.code).toBe('support/inbox_not_found');

    for (const body of [
      { ...wallClock(inboxId, 'too short'), firstResponseSeconds: 5 },
      { ...wallClock(inboxId, 'bad priority'), priority: 'whenever' },
      { name: '' },
    ]) {
      const bad = await desk.t.request('POST', '/api/v1/support/sla-policies', { token: admin.token, body });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation/invalid');
    }

    const byAgent = await desk.t.request('POST', '/api/v1/support/sla-policies', {
      token: agent.token,
      body: wallClock(inboxId, 'agent'),
    });
    expect(byAgent.status).toBe(403);
    const read = await desk.t.request('GET', '/api/v1/support/sla-policies', { token: supervisor.token });
    expect(read.status).toBe(200);
    expect(read.body.items.map((p: { id: string }) => p.id)).toContain(created.body.id);
    expect((await desk.t.request('GET', '/api/v1/support/sla-policies', { token: agent.token })).status).toBe(
      403,
    );

    const changed = await desk.t.request('PATCH', `/api/v1/support/sla-policies/${created.body.id}`, {
      token: admin.token,
      body: { firstResponseSeconds: 300 },
    });
    expect(changed.body).toMatchObject({ firstResponseSeconds: 300, nextResponseSeconds: 120 });
    const gone = await desk.t.request('DELETE', `/api/v1/support/sla-policies/${created.body.id}`, {
      token: admin.token,
    });
    expect(gone.status).toBe(204);
    const missing = await desk.t.request('DELETE', `/api/v1/support/sla-policies/${created.body.id}`, {
      token: admin.token,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('support/sla_policy_not_found');
  });

  it('starts, meets, pauses and resumes a conversation’s clocks as it is answered and set pending', async () => {
    const { agent, customer, inboxId } = await staffed('Clocks');
    await desk.admin(admin, 'POST', '/sla-policies', wallClock(inboxId, 'clocks'));
    const conversation = await desk.openIn(inboxId, customer);
    const id = conversation.id;
    await desk.waitFor(id, (t) => t.assigneeId === agent.id, 'the agent to take it');

    await desk.write(customer, id, 'سلام، سفارشم نرسیده');
    const first = await target(agent, id, 'first_response', () => true);
    expect(new Date(first.dueAt!).getTime() - new Date(first.startedAt).getTime()).toBe(60_000);
    const resolution = await target(agent, id, 'resolution', () => true);
    expect(resolution.cycle).toBe(0);

    await desk.write(agent, id, 'سلام، بررسی می‌کنم');
    const met = await target(agent, id, 'first_response', (t) => t.metAt !== null);
    expect(met.breachedAt).toBeNull();
    let reply: { agent_id: string; assignee_id: string; value_seconds: number } | undefined;
    await eventually(
      async () => {
        [reply] = await queryRows<{ agent_id: string; assignee_id: string; value_seconds: number }>(
          desk.t.app.database.db,
          sql`select agent_id, assignee_id, value_seconds from support_report_events
              where conversation_id = ${id} and kind = 'first_response'`,
        );
        return reply !== undefined;
      },
      10_000,
      'the first response in the report events',
    );
    expect(reply).toMatchObject({ agent_id: agent.id, assignee_id: agent.id });
    expect(reply!.value_seconds).toBeGreaterThanOrEqual(0);

    // The customer waits again: a next-response clock of its own.
    await desk.write(customer, id, 'هنوز خبری نشد؟');
    const next = await target(agent, id, 'next_response', (t) => t.metAt === null);
    // The console's list shows the clock nearest its deadline.
    const listed = await desk.t.request('GET', `/api/v1/support/conversations?inboxId=${inboxId}`, {
      token: agent.token,
    });
    expect(
      listed.body.items.find((t: { conversationId: string }) => t.conversationId === id)?.sla,
    ).toMatchObject({
      kind: 'next_response',
      dueAt: next.dueAt,
      breachedAt: null,
      paused: false,
    });
    expect(next.paused).toBe(false);

    // Pending: every running clock stops with its time left kept; open again: it runs on.
    expect((await status(agent, id, { status: 'pending' })).status).toBe(200);
    const paused = await target(agent, id, 'next_response', (t) => t.paused);
    expect(paused.dueAt).toBeNull();
    aheadMs += 300_000; // five minutes waiting on the customer cost nothing
    expect((await status(agent, id, { status: 'open' })).status).toBe(200);
    const resumed = await target(agent, id, 'next_response', (t) => !t.paused && t.metAt === null);
    expect(new Date(resumed.dueAt!).getTime()).toBeGreaterThan(new Date(next.dueAt!).getTime() + 250_000);

    // Resolved: the resolution is met, the unanswered next response stops (neither met nor missed).
    expect((await status(agent, id, { status: 'resolved' })).status).toBe(200);
    const done = await target(agent, id, 'resolution', (t) => t.metAt !== null);
    expect(done.breachedAt).toBeNull();
    const stopped = await target(agent, id, 'next_response', (t) => t.stoppedAt !== null);
    expect(stopped.metAt).toBeNull();
    await eventually(
      async () =>
        (
          await queryRows(
            desk.t.app.database.db,
            sql`select 1 from support_report_events where conversation_id = ${id} and kind = 'resolved'`,
          )
        ).length === 1,
      10_000,
      'the resolve in the report events',
    );
    // The customer sees none of it.
    const asCustomer = await desk.t.request('GET', `/api/v1/support/conversations/${id}/sla`, {
      token: customer.token,
    });
    expect(asCustomer.status).toBe(404);
  });

  it('warns before the deadline, then marks the breach and tells the supervisors live', async () => {
    const { agent, supervisor, customer, inboxId } = await staffed('Breach');
    await desk.admin(admin, 'POST', '/sla-policies', {
      ...wallClock(inboxId, 'breach'),
      warnBeforeSeconds: 600,
    });
    const heard = collect(await desk.online(supervisor), 'support:sla');
    const conversation = await desk.openIn(inboxId, customer);
    const id = conversation.id;
    await desk.waitFor(id, (t) => t.assigneeId === agent.id, 'the agent to take it');
    await desk.write(customer, id, 'کسی هست؟');
    const first = await target(supervisor, id, 'first_response', () => true);

    // Warned at once: the warning falls due ten minutes before a one-minute deadline.
    await eventually(async () => heard.some((e) => e.state === 'warning'), 10_000, 'the warning');

    aheadMs += 120_000;
    const swept = await desk.t.app.support.sla.sweep();
    expect(swept.breached).toBeGreaterThanOrEqual(1);
    const breached = await target(supervisor, id, 'first_response', (t) => t.breachedAt !== null);
    expect(breached.breachedAt).toBe(first.dueAt);
    await eventually(
      async () =>
        heard.some((e) => e.conversationId === id && e.state === 'breached' && e.kind === 'first_response'),
      10_000,
      'the breach, live',
    );
    const events = await queryRows<{ payload: { kind: string; inboxId: string } }>(
      desk.t.app.database.db,
      sql`select payload from domain_events where type = 'support.sla_breached' and subject = ${`conversation:${id}`}`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ kind: 'first_response', inboxId });

    // A second sweep breaches nothing twice; a late reply still meets it (met late, for the report).
    await desk.t.app.support.sla.sweep();
    await desk.write(agent, id, 'ببخشید، دیر شد');
    const late = await target(supervisor, id, 'first_response', (t) => t.metAt !== null);
    expect(late.breachedAt).toBe(first.dueAt);
    const again = await queryRows(
      desk.t.app.database.db,
      sql`select 1 from domain_events where type = 'support.sla_breached' and subject = ${`conversation:${id}`}`,
    );
    expect(again).toHaveLength(1);
  });

  it('moves a running business-time deadline when the admin closes the day it falls on', async () => {
    const { agent, customer, inboxId } = await staffed('Moved');
    const calendar = await desk.admin(admin, 'POST', '/calendars', {
      name: 'always',
      template: 'always_open',
    });
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { calendarId: calendar.id });
    await desk.admin(admin, 'POST', '/sla-policies', {
      ...wallClock(inboxId, 'moved'),
      firstResponseSeconds: 3600,
      firstResponseBusiness: true,
    });
    const conversation = await desk.openIn(inboxId, customer);
    await desk.write(customer, conversation.id, 'سلام');
    const before = await target(agent, conversation.id, 'first_response', () => true);
    const tehran = (at: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran' }).format(new Date(at));
    const today = tehran(Date.now() + aheadMs);
    const tomorrow = tehran(Date.now() + aheadMs + 86_400_000);

    // Today becomes a holiday: the hour left is spent from tomorrow's opening, midnight.
    await desk.admin(admin, 'PUT', `/calendars/${calendar.id}/days/${today}`, {
      kind: 'closed',
      label: 'تعطیل',
    });
    const moved = await target(agent, conversation.id, 'first_response', (t) => t.dueAt !== before.dueAt);
    const due = new Date(moved.dueAt!);
    expect(tehran(due.getTime())).toBe(tomorrow);
    const hour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tehran',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    expect(hour.format(due)).toBe('00');
  });

  it('tells a customer who writes out of hours when support opens, once, and counts no closed time', async () => {
    const { agent, customer, inboxId } = await staffed('Closed');
    const calendar = await desk.admin(admin, 'POST', '/calendars', {
      name: 'closed today',
      timeZone: 'Asia/Tehran',
      weekly: { sat: [], sun: [], mon: [], tue: [], wed: [], thu: [], fri: [] },
    });
    const local = (offsetDays: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran' }).format(
        new Date(Date.now() + aheadMs + offsetDays * 86_400_000),
      );
    await desk.admin(admin, 'PUT', `/calendars/${calendar.id}/days/${local(1)}`, {
      kind: 'hours',
      hours: [{ from: '08:00', to: '17:00' }],
      label: 'open tomorrow',
    });
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { calendarId: calendar.id });
    await desk.admin(admin, 'POST', '/sla-policies', {
      ...wallClock(inboxId, 'business'),
      firstResponseBusiness: true,
    });

    const conversation = await desk.openIn(inboxId, customer);
    const id = conversation.id;
    await desk.write(customer, id, 'سلام');
    await desk.write(customer, id, 'کسی هست؟');
    const notices = async () =>
      (
        await queryRows<{ body: string }>(
          desk.t.app.database.db,
          sql`select body from messages where conversation_id = ${id} and kind = 'system' order by seq`,
        )
      ).map((m) => m.body);
    await eventually(async () => (await notices()).length > 0, 10_000, 'the out-of-hours notice');
    const [notice, ...more] = await notices();
    expect(notice).toContain('خارج از ساعت کاری');
    expect(notice).toContain('فردا');
    expect(notice).toContain('۸');
    expect(more).toEqual([]);

    // The first response falls due a minute after tomorrow's opening, 08:01 Tehran.
    const first = await target(agent, id, 'first_response', () => true);
    const due = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tehran',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(first.dueAt!));
    expect(due).toBe(`${local(1).split('-').reverse().join('/')}, 08:01`);
  });
});
