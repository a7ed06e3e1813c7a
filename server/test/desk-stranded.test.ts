import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { startTestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { Desk, FAST_TIMERS, type Person, startDesk } from './support/desk.js';
import { eventually, next } from './support/sockets.js';

/** Timers of these tests: offline grace 2 s, no-reply 2 s, one re-route before escalation. */
describe.each(BACKENDS)('nothing strands a customer, on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  // Each test gets its own team and inbox, so the agents of one never take another's work.
  beforeAll(async () => {
    desk = await startDesk({ backend });
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const team = (...agents: Person[]) => desk.team(admin, agents);
  const openIn = (inboxId: string, customer: Person) => desk.openIn(inboxId, customer);

  /** Waits until the timers of `name` with `data` are all cancelled (just after the change that made them moot). */
  const cancelled = (name: 'support-agent-offline' | 'support-no-reply', data: Record<string, string>) =>
    eventually(
      async () => (await desk.t.app.jobs.find(name, { data })).map((j) => j.state).join() === 'cancelled',
      10_000,
      `the ${name} timer cancelled`,
    );

  const notes = async (conversationId: string) => {
    const ticket = await desk.ticket(conversationId);
    return queryRows<{ body: string; kind: string }>(
      desk.t.app.database.db,
      sql`select body, kind from messages where conversation_id = ${ticket.notesConversationId} order by seq`,
    );
  };

  it('hands an offline assignee’s conversations on after the grace, with a note; a phone back in time keeps its work', async () => {
    const [a, b] = [await desk.person('agent', 'Offline A'), await desk.person('agent', 'Offline B')];
    const { inboxId } = await team(a, b);
    const aSocket = await desk.online(a);
    const customer = await desk.person('customer', 'Waiting');
    const conversation = await openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === a.id, 'A to take it');

    // Back within the grace: keeps it.
    aSocket.close();
    await desk.connected(a.id, false);
    const again = await desk.online(a);
    // The desk marks the connection first, then cancels the timer its loss armed.
    await cancelled('support-agent-offline', { agentId: a.id });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await desk.assignee(conversation.id)).toBe(a.id);

    // Gone for longer: back to the queue (keeping its place), then to B once B is online.
    again.close();
    await desk.connected(a.id, false);
    await desk.waitFor(
      conversation.id,
      (t) => t.assigneeId === null && t.queuedAt !== null,
      'back in the queue',
    );
    expect((await notes(conversation.id)).at(-1)).toMatchObject({
      kind: 'system',
      body: expect.stringContaining('آفلاین'),
    });
    await desk.online(b);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === b.id, 'B to take it');
    expect(await desk.history(conversation.id)).toEqual([
      ['auto', a.id],
      ['offline', null],
      ['auto', b.id],
    ]);
  });

  it('treats “offline” set by hand as gone: handed on after the grace, kept when back online in time', async () => {
    const [a, b] = await Promise.all([desk.person('agent', 'Leaving'), desk.person('agent', 'Staying')]);
    const { inboxId } = await team(a, b);
    const aSocket = await desk.online(a);
    const customer = await desk.person('customer', 'Left');
    const conversation = await openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === a.id, 'A to take it');

    await desk.setAvailability(aSocket, 'offline');
    await desk.setAvailability(aSocket, 'online');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await desk.assignee(conversation.id)).toBe(a.id);

    // Offline by hand, still connected: after the 2 s grace, to B.
    await desk.online(b);
    await desk.setAvailability(aSocket, 'offline');
    await desk.waitFor(conversation.id, (t) => t.assigneeId === b.id, 'B to take it');
    expect(await desk.history(conversation.id)).toEqual([
      ['auto', a.id],
      ['offline', null],
      ['auto', b.id],
    ]);
  });

  it('hands the queue to someone made an agent while connected, without their connecting again', async () => {
    const promoted = await desk.person('customer', 'Promoted');
    // Connected as a customer: presence announced it when they had no desk profile to mark.
    await desk.online(promoted);
    const made = await desk.t.request('PUT', `/api/v1/users/${promoted.id}/role`, {
      token: admin.token,
      body: { role: 'agent' },
    });
    expect(made.status).toBe(200);
    const { inboxId } = await team(promoted);
    const customer = await desk.person('customer', 'Waiting for the new agent');
    const conversation = await openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === promoted.id, 'the new agent to take it');
  });

  it('re-routes a silent assignee’s conversation to someone else, then escalates instead of looping', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => desk.person('agent', `Silent ${i}`)));
    const supervisor = await desk.person('supervisor', 'Boss');
    const { teamId, inboxId } = await team(a!, b!, c!);
    await desk.admin(admin, 'PATCH', `/teams/${teamId}`, { supervisorIds: [supervisor.id] });
    const supervisorSocket = await desk.online(supervisor);
    await desk.online(a!);
    const customer = await desk.person('customer', 'Ignored');
    const conversation = await openIn(inboxId, customer);
    const first = await desk.waitFor(conversation.id, (t) => t.assigneeId !== null, 'someone to take it');
    const escalated = next(
      supervisorSocket,
      'support:conversation',
      (e) => e.conversationId === conversation.id && e.escalated,
    );
    await desk.online(b!);
    await desk.online(c!);
    await desk.write(customer, conversation.id, 'سلام؟');
    // Silent for 2 s: to another agent, never the silent one.
    const second = await desk.waitFor(
      conversation.id,
      (t) => t.assigneeId !== null && t.assigneeId !== first.assigneeId,
      'someone else to take it',
    );
    // Silent again: after one re-route (SUPPORT_MAX_AUTO_REASSIGNS=1) the supervisors take it from here.
    const last = await desk.waitFor(conversation.id, (t) => t.escalated, 'escalation');
    expect(last).toMatchObject({ assigneeId: null, escalated: true });
    await escalated;
    const reasons = (await desk.history(conversation.id)).map(([reason]) => reason);
    expect(reasons).toEqual(['auto', 'no_reply', 'auto', 'escalate']);
    expect(second.assigneeId).not.toBe(first.assigneeId);
    // Escalated conversations are not handed out again by themselves.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await desk.assignee(conversation.id)).toBeNull();
    // A supervisor assigns it by hand; an answer ends the escalation.
    const assigned = await desk.t.request('POST', `/api/v1/support/conversations/${conversation.id}/assign`, {
      token: supervisor.token,
      body: { agentId: c!.id },
    });
    expect(assigned.body).toMatchObject({ assigneeId: c!.id, escalated: false });
  });

  it('an agent’s reply in time keeps the conversation with them, and cancels the timer', async () => {
    const agent = await desk.person('agent', 'Prompt');
    const { inboxId } = await team(agent);
    await desk.online(agent);
    const customer = await desk.person('customer', 'Answered');
    const conversation = await openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === agent.id, 'the agent to take it');
    await desk.write(customer, conversation.id, 'question');
    await desk.write(agent, conversation.id, 'answer');
    await desk.waitFor(
      conversation.id,
      (t) => t.waitingSince === null && t.firstAgentReplyAt !== null,
      'the reply noted',
    );
    // The timer armed by the customer's message is cancelled by the answer (just after the
    // ticket changes), not left to find out when it runs.
    await cancelled('support-no-reply', { conversationId: conversation.id });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await desk.assignee(conversation.id)).toBe(agent.id);
  });

  it('gives a reopened conversation back to its previous assignee only when they are available', async () => {
    const [a, b] = [await desk.person('agent', 'Reopen A'), await desk.person('agent', 'Reopen B')];
    const { inboxId } = await team(a, b);
    const aSocket = await desk.online(a);
    const customer = await desk.person('customer', 'Back again');
    const conversation = await openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === a.id, 'A to take it');
    const resolve = () =>
      desk.t.request('POST', `/api/v1/support/conversations/${conversation.id}/status`, {
        token: admin.token,
        body: { status: 'resolved' },
      });
    expect((await resolve()).body).toMatchObject({ status: 'resolved' });
    await desk.online(b);
    await desk.write(customer, conversation.id, 'one more thing');
    await desk.waitFor(
      conversation.id,
      (t) => t.status === 'open' && t.assigneeId === a.id,
      'A to take it back',
    );
    expect((await desk.ticket(conversation.id)).reopenCount).toBe(1);

    expect((await resolve()).body).toMatchObject({ status: 'resolved' });
    await desk.setAvailability(aSocket, 'away');
    await desk.write(customer, conversation.id, 'and another');
    await desk.waitFor(
      conversation.id,
      (t) => t.status === 'open' && t.assigneeId === b.id,
      'B, A being away',
    );
    expect((await desk.ticket(conversation.id)).reopenCount).toBe(2);
  });

  it('tells each waiting customer their place and an estimate from recent waits, live, and never a made-up one', async () => {
    const agent = await desk.person('agent', 'Queue');
    const { inboxId } = await team(agent);
    await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 1 });
    const placeOf = async (who: Person, id: string) =>
      (await desk.t.request('GET', `/api/v1/conversations/${id}`, { token: who.token })).body.support;

    // Nobody online: a place, but no estimate.
    const early = await desk.person('customer', 'Early');
    const filler = await openIn(inboxId, early);
    expect(await placeOf(early, filler.id)).toMatchObject({ queuePosition: 1, etaSeconds: null });
    // Recent waits of this inbox: 60 s and 120 s — and the first's own, about nothing, once it is
    // taken below: the median is 60.
    await queryRows(
      desk.t.app.database.db,
      sql`insert into support_assignments (conversation_id, to_id, reason, queued_at, at)
          values (${filler.id}, ${agent.id}, 'auto', now() - interval '100 seconds', now() - interval '40 seconds'),
                 (${filler.id}, ${agent.id}, 'auto', now() - interval '200 seconds', now() - interval '80 seconds')`,
    );
    // The agent comes online and takes it: now at capacity. Then busy: still nobody to take new work.
    const agentSocket = await desk.online(agent);
    await desk.waitFor(filler.id, (t) => t.assigneeId === agent.id, 'the agent to take the first');
    await desk.setAvailability(agentSocket, 'busy');
    const customers = await Promise.all([1, 2, 3].map((i) => desk.person('customer', `Q${i}`)));
    const sockets = await Promise.all(customers.map((c) => desk.online(c)));
    const opened: Awaited<ReturnType<typeof openIn>>[] = [];
    for (const c of customers) opened.push(await openIn(inboxId, c));
    expect(await placeOf(customers[2]!, opened[2]!.id)).toMatchObject({ queuePosition: 3, etaSeconds: null });

    // Online again (at capacity, taking nothing yet): median × place, told live.
    const told = next(
      sockets[1]!,
      'support:queue',
      (e) => e.conversationId === opened[1]!.id && e.etaSeconds !== null,
    );
    await desk.setAvailability(agentSocket, 'online');
    expect(await told).toEqual({ conversationId: opened[1]!.id, position: 2, etaSeconds: 120 });
    expect(await placeOf(customers[2]!, opened[2]!.id)).toMatchObject({ queuePosition: 3, etaSeconds: 180 });

    // The first resolved frees a slot: the agent takes the next, and the others move up.
    const moved = next(
      sockets[2]!,
      'support:queue',
      (e) => e.conversationId === opened[2]!.id && e.position === 2,
    );
    const resolved = await desk.t.request('POST', `/api/v1/support/conversations/${filler.id}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    await desk.waitFor(opened[0]!.id, (t) => t.assigneeId === agent.id, 'the next to be taken');
    expect(await moved).toMatchObject({ position: 2 });
  });
});

describe.skipIf(!BACKENDS.includes('postgres'))('the desk’s timers survive a restart', () => {
  it('wakes a snoozed conversation and closes a resolved one after the window, with the app restarted in between', async () => {
    const env = { ...FAST_TIMERS, SUPPORT_REOPEN_WINDOW_SECONDS: '3' };
    const first = await startDesk({ backend: 'postgres', env });
    const admin = await first.person('admin', 'Admin');
    const customer = await first.person('customer', 'Sleeper');
    const snoozed = await first.open(customer, 'snooze');
    const resolved = await first.open(customer, 'resolve');
    const until = new Date(Date.now() + 2000).toISOString();
    const status = (t: Desk, id: string, body: object) =>
      t.t.request('POST', `/api/v1/support/conversations/${id}/status`, { token: admin.token, body });
    expect((await status(first, snoozed.id, { status: 'snoozed', snoozeUntil: until })).body).toMatchObject({
      status: 'snoozed',
      snoozedUntil: until,
    });
    expect((await status(first, resolved.id, { status: 'resolved' })).body).toMatchObject({
      status: 'resolved',
    });
    // Stopped before either timer is due; a new process on the same database finds them.
    await first.t.app.stop();
    const second = new Desk(await startTestApp({ database: first.t.database, env }));
    try {
      await second.waitFor(
        snoozed.id,
        (t) => t.status === 'open' && t.snoozedUntil === null,
        'the snooze to end',
        20_000,
      );
      await second.waitFor(resolved.id, (t) => t.status === 'closed', 'the reopen window to end', 20_000);
      // A message to the closed one starts a new conversation, linked to it, with the message in it.
      const joined = await second.online(customer);
      const arrived = next(joined, 'conversation:joined');
      await second.write(customer, resolved.id, 'یک سؤال دیگر');
      const { conversationId } = await arrived;
      await eventually(
        async () =>
          (
            await second.t.request('GET', `/api/v1/conversations/${conversationId}/messages`, {
              token: customer.token,
            })
          ).body.items.length === 1,
        10_000,
        'the message copied',
      );
      const view = await second.t.request('GET', `/api/v1/conversations/${conversationId}`, {
        token: customer.token,
      });
      expect(view.body).toMatchObject({
        kind: 'support',
        subject: 'resolve',
        support: { status: 'open', linkedFrom: resolved.id },
      });
      expect(view.body.lastMessage).toMatchObject({ body: 'یک سؤال دیگر', senderId: customer.id });
    } finally {
      await second.close();
      await first.t.database.drop();
    }
  });
});
