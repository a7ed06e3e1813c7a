import type { SupportTicket } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { LogPushProvider } from '../src/providers/push/log.provider.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { call, collect, eventually } from './support/sockets.js';

interface Pushed {
  deviceId: string;
  body: string;
  data: Record<string, string>;
}

describe.each(BACKENDS)('an agent’s work on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  const pushed: Pushed[] = [];

  beforeAll(async () => {
    const log = new LogPushProvider((line) => pushed.push(JSON.parse(line)));
    desk = await startDesk({
      backend,
      push: { phone: log, web: log },
      env: { SMS_FALLBACK_MINUTES: '0.05' },
    });
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const status = (who: Person, id: string, body: object) =>
    desk.t.request('POST', `/api/v1/support/conversations/${id}/status`, { token: who.token, body });

  /** An agent of a team of their own, online, with a customer's conversation assigned to them. */
  async function assigned(name: string) {
    const agent = await desk.person('agent', name);
    const { inboxId, teamId } = await desk.team(admin, [agent]);
    const socket = await desk.online(agent);
    const customer = await desk.person('customer', `${name}'s customer`);
    const conversation = await desk.openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === agent.id, `${name} to take it`);
    return { agent, socket, customer, conversation, inboxId, teamId };
  }

  it('moves through the lifecycle by the API; an invalid move is 409 support/invalid_transition, a stale version 409 support/version_conflict', async () => {
    const { agent, customer, conversation } = await assigned('Lifecycle');
    const id = conversation.id;
    // The customer hears each status change (and nothing of labels or notes).
    const heard = collect(await desk.online(customer), 'support:status');

    const pending = await status(agent, id, { status: 'pending' });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ status: 'pending' });
    // pending → snoozed is not a move the lifecycle has.
    const invalid = await status(agent, id, { status: 'snoozed' });
    expect(invalid.status).toBe(409);
    expect(invalid.body.error.code).toBe('support/invalid_transition');
    expect((await desk.ticket(id)).status).toBe('pending');

    // Compare-and-set: the version the caller saw, or 409.
    const seen = (await desk.ticket(id)).version;
    expect((await status(agent, id, { status: 'open', version: seen })).status).toBe(200);
    const stale = await status(agent, id, { status: 'resolved', version: seen });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('support/version_conflict');
    expect((await desk.ticket(id)).status).toBe('open');

    // Snoozed until the customer writes again: their message wakes it.
    const snoozed = await status(agent, id, { status: 'snoozed' });
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: null, snoozedUntilReply: true });
    await desk.write(customer, id, 'are you there?');
    const woken = await desk.waitFor(id, (t) => t.status === 'open', 'the customer to wake it');
    expect(woken).toMatchObject({ snoozedUntilReply: false, assigneeId: agent.id });
    expect(woken.waitingSince).not.toBeNull();

    // A snooze time in the past, or one without snoozed, is bad input.
    const past = await status(agent, id, { status: 'snoozed', snoozeUntil: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    const wrong = await status(agent, id, {
      status: 'open',
      snoozeUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(wrong.status).toBe(400);
    const closed = await status(agent, id, { status: 'closed' });
    expect(closed.status).toBe(400);

    // Resolved, then opened again by the agent: a reopen, counted.
    expect((await status(agent, id, { status: 'resolved' })).body).toMatchObject({ status: 'resolved' });
    const reopened = await status(agent, id, { status: 'open' });
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1 });
    await eventually(() => heard.some((e) => e.version === reopened.body.version), 10_000, 'the last change');
    const statuses = heard.filter((e) => e.conversationId === id).map((e) => e.status);
    expect(statuses).toEqual(expect.arrayContaining(['pending', 'open', 'snoozed', 'resolved']));
    expect(Object.keys(heard[0]!).sort()).toEqual(['assigneeId', 'conversationId', 'status', 'version']);
  });

  it('closed is final: no move opens it, and the customer’s next message starts a new conversation linked to it', async () => {
    const { agent, customer, conversation, inboxId } = await assigned('Closer');
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { reopenWindowSeconds: 0 });
    expect((await status(agent, conversation.id, { status: 'resolved' })).status).toBe(200);
    await desk.waitFor(conversation.id, (t) => t.status === 'closed', 'the close job');
    for (const to of ['open', 'pending', 'snoozed', 'resolved']) {
      const refused = await status(agent, conversation.id, { status: to });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('support/invalid_transition');
    }
    await desk.write(customer, conversation.id, 'it broke again');
    let followUpId: string | undefined;
    await eventually(
      async () => {
        const mine = await desk.t.request('GET', '/api/v1/conversations?kind=support', {
          token: customer.token,
        });
        followUpId = mine.body.items.find((c: { id: string }) => c.id !== conversation.id)?.id;
        return followUpId !== undefined;
      },
      15_000,
      'the follow-up conversation',
    );
    const followUp = await desk.t.request('GET', `/api/v1/conversations/${followUpId}`, {
      token: customer.token,
    });
    expect(followUp.body.support).toMatchObject({ linkedFrom: conversation.id, status: 'open' });
    expect((await desk.ticket(conversation.id)).status).toBe('closed');
  });

  it('a resolve racing a customer’s message leaves one consistent result, whichever commits first', async () => {
    const agent = await desk.person('agent', 'Racer');
    const { inboxId } = await desk.team(admin, [agent]);
    await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 100 });
    await desk.online(agent);
    const customer = await desk.person('customer', 'Racing');
    const rounds = 12;
    const ids: string[] = [];
    for (let i = 0; i < rounds; i++) ids.push((await desk.openIn(inboxId, customer, `race ${i}`)).id);
    for (const id of ids) await desk.waitFor(id, (t) => t.assigneeId === agent.id, 'assigned');

    const results = await Promise.all(
      ids.map(async (id, i) => {
        const [resolve, message] = await Promise.all([
          status(agent, id, { status: 'resolved' }),
          desk.write(customer, id, `one more thing ${i}`),
        ]);
        expect(resolve.status).toBe(200);
        return { id, message };
      }),
    );
    let reopened = 0;
    for (const { id, message } of results) {
      // The message's job has run (it set the first customer message time) …
      const ticket = await desk.waitFor(id, (t) => t.firstCustomerMessageAt !== null, 'the message seen');
      // … and the outcome is the order they happened in: resolved after the message, or reopened by it.
      const sentAt = new Date(message.createdAt).getTime();
      if (ticket.status === 'resolved') {
        expect(new Date(ticket.resolvedAt!).getTime()).toBeGreaterThanOrEqual(sentAt);
        expect(ticket.waitingSince).toBeNull();
      } else {
        reopened++;
        expect(ticket).toMatchObject({ status: 'open', reopenCount: 1 });
        expect(ticket.waitingSince).not.toBeNull();
      }
      const changes = await queryRows<{ n: number }>(
        desk.t.app.database.db,
        sql`select count(*)::int as n from domain_events
            where type = 'support.status_changed' and subject = ${`conversation:${id}`}`,
      );
      expect(changes[0]!.n).toBe(ticket.status === 'resolved' ? 1 : 2);
    }
    expect(reopened).toBeLessThanOrEqual(rounds);
  });

  it('transfers with a note written as a private note, unassigns back to the queue, and sets priority and labels — staff hear each change with its version', async () => {
    const { agent, customer, conversation, inboxId, teamId: giversTeam } = await assigned('Giver');
    // The giver's team hears the conversation leave it (their lists drop it).
    const oldBoss = await desk.person('supervisor', 'Old boss');
    await desk.admin(admin, 'PATCH', `/teams/${giversTeam}`, { supervisorIds: [oldBoss.id] });
    const oldBossHeard = collect(await desk.online(oldBoss), 'support:conversation');
    const taker = await desk.person('agent', 'Taker');
    const { teamId: otherTeam } = await desk.team(admin, [taker]);
    // Taker serves this inbox too (a second team), so the transfer to them is allowed.
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, {
      teamIds: [(await desk.ticket(conversation.id)).teamId ?? otherTeam, otherTeam].filter(
        (v, i, a) => a.indexOf(v) === i,
      ),
    });
    const supervisor = await desk.person('supervisor', 'Watcher');
    await desk.admin(admin, 'PATCH', `/teams/${otherTeam}`, { supervisorIds: [supervisor.id] });
    const watching = await desk.online(supervisor);
    const changes = collect(watching, 'support:conversation');
    const assignments = collect(watching, 'support:assignment');

    const moved = await desk.t.request('POST', `/api/v1/support/conversations/${conversation.id}/transfer`, {
      token: agent.token,
      body: { agentId: taker.id, teamId: otherTeam, note: 'بازپرداخت را بررسی کن' },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ assigneeId: taker.id, teamId: otherTeam });
    await eventually(
      () => oldBossHeard.some((c) => c.conversationId === conversation.id && c.teamId === otherTeam),
      10_000,
      'the team it left to hear of it',
    );
    expect(await desk.history(conversation.id)).toContainEqual(['transfer', taker.id]);
    const notes = await queryRows<{ body: string; sender_id: string }>(
      desk.t.app.database.db,
      sql`select body, sender_id from messages where conversation_id = ${moved.body.notesConversationId}`,
    );
    expect(notes).toContainEqual({ body: 'بازپرداخت را بررسی کن', sender_id: agent.id });
    // Not the giver's any more: they left the conversation, the taker joined it.
    const members = await desk.t.request('GET', `/api/v1/conversations/${conversation.id}`, {
      token: customer.token,
    });
    expect(members.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [customer.id, taker.id].sort(),
    );

    const priority = await desk.t.request(
      'PUT',
      `/api/v1/support/conversations/${conversation.id}/priority`,
      {
        token: taker.token,
        body: { priority: 'urgent' },
      },
    );
    expect(priority.body).toMatchObject({ priority: 'urgent' });
    const labels = await desk.t.request('PUT', `/api/v1/support/conversations/${conversation.id}/labels`, {
      token: taker.token,
      body: { labels: [' بازپرداخت ', 'vip', 'vip'] },
    });
    expect(labels.body.labels).toEqual(['بازپرداخت', 'vip']);
    const badLabel = await desk.t.request('PUT', `/api/v1/support/conversations/${conversation.id}/labels`, {
      token: taker.token,
      body: { labels: ['a,b'] },
    });
    expect(badLabel.status).toBe(400);

    const unassigned = await desk.t.request(
      'POST',
      `/api/v1/support/conversations/${conversation.id}/assign`,
      {
        token: taker.token,
        body: { agentId: null },
      },
    );
    expect(unassigned.body).toMatchObject({ assigneeId: null, status: 'open' });
    expect(unassigned.body.queuedAt).not.toBeNull();
    expect((await desk.history(conversation.id)).at(-1)).toEqual(['unassign', null]);

    await eventually(
      () => changes.some((c) => c.version === unassigned.body.version),
      10_000,
      'the last change',
    );
    const mine = changes.filter((c) => c.conversationId === conversation.id);
    // Versions only go up, each change carrying the state it made.
    expect(mine.map((c) => c.version)).toEqual([...mine.map((c) => c.version)].sort((a, b) => a - b));
    expect(mine.find((c) => c.version === priority.body.version)).toMatchObject({ priority: 'urgent' });
    expect(mine.at(-1)).toMatchObject({ assigneeId: null, labels: ['بازپرداخت', 'vip'] });
    expect(assignments.filter((a) => a.conversationId === conversation.id).map((a) => a.reason)).toEqual(
      expect.arrayContaining(['transfer', 'unassign']),
    );
  });

  it('keeps private notes from the customer on every path: socket, history, sync, list, unread, push and SMS', async () => {
    const { agent, socket: agentSocket, customer, conversation } = await assigned('Noter');
    const customerSocket = await desk.online(customer);
    const heard = collect(customerSocket, 'message:new');
    // The customer's phone is registered: a public reply would push to it.
    const device = await desk.t.request('POST', '/api/v1/devices', {
      token: customer.token,
      body: { platform: 'android', token: `fcm-${'n'.repeat(60)}` },
    });
    expect(device.status).toBe(201);
    customerSocket.close();
    await eventually(
      async () => !(await desk.t.app.presence.presence.isOnline(customer.id)),
      10_000,
      'the customer offline',
    );
    const customerAgain = await desk.online(customer);
    const heardAgain = collect(customerAgain, 'message:new');
    await desk.write(customer, conversation.id, 'hello');

    // A note over the socket and one over HTTP.
    const bySocket = await call<{ message: { conversationId: string; id: string } }>(
      agentSocket,
      'message:send',
      {
        conversationId: conversation.id,
        clientMsgId: 'note-socket',
        body: 'SECRET-socket: customer is abusive',
        internal: true,
      },
    );
    expect(bySocket.ok).toBe(true);
    const notesId = (await desk.ticket(conversation.id)).notesConversationId;
    expect(bySocket.ok && bySocket.message.conversationId).toBe(notesId);
    const byHttp = await desk.write(agent, conversation.id, 'SECRET-http: refund approved internally', true);
    expect(byHttp.conversationId).toBe(notesId);
    // The agent reads them in the notes conversation.
    const agentNotes = await desk.t.request('GET', `/api/v1/conversations/${notesId}/messages`, {
      token: agent.token,
    });
    expect(agentNotes.body.items.map((m: { body: string }) => m.body)).toEqual([
      'SECRET-socket: customer is abusive',
      'SECRET-http: refund approved internally',
    ]);
    // Then a public reply, the control: it does reach the customer everywhere.
    await desk.write(agent, conversation.id, 'public answer');
    await eventually(
      () => heardAgain.some((m) => m.body === 'public answer'),
      10_000,
      'the public reply live',
    );

    const secret = (text: string | null) => text?.includes('SECRET') ?? false;
    const seenLive = [...heard, ...heardAgain];
    expect(seenLive.some((m) => secret(m.body))).toBe(false);
    expect(seenLive.some((m) => m.conversationId === notesId)).toBe(false);

    const history = await desk.t.request('GET', `/api/v1/conversations/${conversation.id}/messages`, {
      token: customer.token,
    });
    expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['hello', 'public answer']);
    const sync = await call<{ conversations: { conversationId: string; messages: { body: string }[] }[] }>(
      customerAgain,
      'sync',
      { since: {} },
    );
    expect(sync.ok).toBe(true);
    const synced = sync.ok ? sync.conversations : [];
    expect(synced.map((c) => c.conversationId)).not.toContain(notesId);
    expect(synced.flatMap((c) => c.messages).some((m) => secret(m.body))).toBe(false);
    const askedForNotes = await call<{ removed: string[] }>(customerAgain, 'sync', {
      since: { [notesId]: 0 },
    });
    expect(askedForNotes.ok && askedForNotes.removed).toContain(notesId);

    const list = await desk.t.request('GET', '/api/v1/conversations', { token: customer.token });
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(notesId);
    const listed = list.body.items.find((c: { id: string }) => c.id === conversation.id);
    expect(listed.lastMessage.body).toBe('public answer');
    expect(listed.unreadCount).toBe(1);
    const view = await desk.t.request('GET', `/api/v1/conversations/${conversation.id}`, {
      token: customer.token,
    });
    expect(view.body.unreadCount).toBe(1);
    expect(view.body.support.notesConversationId).toBeUndefined();

    // The notes conversation itself does not exist for the customer, and they cannot write one.
    for (const path of [`/api/v1/conversations/${notesId}`, `/api/v1/conversations/${notesId}/messages`]) {
      const refused = await desk.t.request('GET', path, { token: customer.token });
      expect(refused.status).toBe(404);
    }
    const forged = await desk.t.request('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      token: customer.token,
      body: { clientMsgId: 'forged-note', body: 'SECRET-forged', internal: true },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('support/forbidden');
    const forgedSocket = await call(customerAgain, 'message:send', {
      conversationId: conversation.id,
      clientMsgId: 'forged-note-2',
      body: 'SECRET-forged',
      internal: true,
    });
    expect(forgedSocket).toMatchObject({ ok: false, error: { code: 'support/forbidden' } });

    // Offline now: the public reply pushes to the customer's phone, notes never do, nor SMS.
    customerAgain.close();
    await eventually(
      async () => !(await desk.t.app.presence.presence.isOnline(customer.id)),
      10_000,
      'the customer offline',
    );
    await desk.write(agent, conversation.id, 'SECRET-while-offline', true);
    await desk.write(agent, conversation.id, 'second public answer');
    await eventually(
      () =>
        pushed.some(
          (p) => p.data.conversationId === conversation.id && p.body.includes('second public answer'),
        ),
      15_000,
      'the public reply pushed',
    );
    expect(pushed.some((p) => secret(p.body))).toBe(false);
    expect(pushed.some((p) => p.data.conversationId === notesId)).toBe(false);
    expect(desk.t.logs.some(secret)).toBe(false);
  });

  it('never texts a note to a customer without push; the public reply is texted (the control)', async () => {
    const { agent, customer, conversation } = await assigned('Texter');
    await desk.write(customer, conversation.id, 'no app on my phone');
    await desk.write(agent, conversation.id, 'SECRET-note for the team', true);
    const smsJobs = () => desk.t.app.jobs.find('sms-fallback', { data: { userId: customer.id } });
    // SMS_FALLBACK_MINUTES is 3 s here: long enough for a note's SMS to have been queued.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await smsJobs()).toEqual([]);
    await desk.write(agent, conversation.id, 'a public answer');
    await eventually(async () => (await smsJobs()).length === 1, 15_000, 'the fallback SMS queued');
    const [job] = await smsJobs();
    expect(job!.data).toMatchObject({ conversationId: conversation.id });
  });
});

describe.each(BACKENDS)('support views on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  beforeAll(async () => {
    desk = await startDesk({ backend });
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const view = async (who: Person, query: string) => {
    const reply = await desk.t.request('GET', `/api/v1/support/conversations${query}`, { token: who.token });
    expect(reply.status).toBe(200);
    return reply.body as {
      items: SupportTicket[];
      counts: Record<string, number>;
      nextCursor: string | null;
    };
  };

  it('filters by status, assignee, team, inbox, label, priority and text, counts each view, and pages', async () => {
    const [ana, ben] = [await desk.person('agent', 'Ana'), await desk.person('agent', 'Ben')];
    const { inboxId, teamId } = await desk.team(admin, [ana, ben]);
    const customers = await Promise.all(
      ['Zahra', 'Reza', 'Sara', 'Omid'].map((n) => desk.person('customer', n)),
    );
    const opened = [];
    for (const [i, c] of customers.entries()) opened.push(await desk.openIn(inboxId, c, `مشکل پرداخت ${i}`));
    const [a, b, q1, q2] = opened.map((c) => c.id);
    const act = (who: Person, id: string, path: string, method: string, body: object) =>
      desk.t.request(method, `/api/v1/support/conversations/${id}/${path}`, { token: who.token, body });
    expect((await act(ana, a!, 'claim', 'POST', {})).status).toBe(200);
    expect((await act(ben, b!, 'claim', 'POST', {})).status).toBe(200);
    expect((await act(ana, a!, 'priority', 'PUT', { priority: 'high' })).status).toBe(200);
    expect((await act(ana, q1!, 'labels', 'PUT', { labels: ['بازپرداخت'] })).status).toBe(200);
    expect((await act(ben, b!, 'status', 'POST', { status: 'pending' })).status).toBe(200);

    const ids = (v: { items: SupportTicket[] }) => v.items.map((t) => t.conversationId).sort();
    const sorted = (...x: (string | undefined)[]) => (x as string[]).sort();
    expect(ids(await view(ana, `?inboxId=${inboxId}`))).toEqual(sorted(a, b, q1, q2));
    expect(ids(await view(ana, `?inboxId=${inboxId}&assignee=me`))).toEqual([a]);
    expect(ids(await view(ana, `?inboxId=${inboxId}&assignee=none`))).toEqual(sorted(q1, q2));
    expect(ids(await view(ana, `?inboxId=${inboxId}&assignee=${ben.id}`))).toEqual([b]);
    expect(ids(await view(ana, `?teamId=${teamId}&status=pending`))).toEqual([b]);
    expect(ids(await view(ana, `?inboxId=${inboxId}&status=open,pending`))).toEqual(sorted(a, b, q1, q2));
    expect(ids(await view(ana, `?inboxId=${inboxId}&priority=high,urgent`))).toEqual([a]);
    expect(ids(await view(ana, `?inboxId=${inboxId}&label=${encodeURIComponent('بازپرداخت')}`))).toEqual([
      q1,
    ]);
    // Text: the customer's name or the subject, Persian digits and letters as typed.
    expect(ids(await view(ana, `?inboxId=${inboxId}&q=${encodeURIComponent('Reza')}`))).toEqual([b]);
    expect(ids(await view(ana, `?inboxId=${inboxId}&q=${encodeURIComponent('پرداخت ۲')}`))).toEqual([q1]);
    // Pages of two, no overlap, all of them.
    const first = await view(ana, `?inboxId=${inboxId}&limit=2`);
    expect(first.items).toHaveLength(2);
    const second = await view(
      ana,
      `?inboxId=${inboxId}&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect([...ids(first), ...ids(second)].sort()).toEqual(sorted(a, b, q1, q2));
    // Counts of the views Ana may see (open and pending).
    const counts = (await view(ana, '')).counts;
    expect(counts).toMatchObject({ mine: 1, unassigned: 2, teams: 4 });
    // Bad filters are 400s with the validation code.
    for (const bad of ['?status=nope', '?assignee=someone', '?priority=', '?limit=0', '?teamId=x']) {
      const reply = await desk.t.request('GET', `/api/v1/support/conversations${bad}`, { token: ana.token });
      expect(reply.status, bad).toBe(400);
      expect(reply.body.error.code).toBe('validation/invalid');
    }
    // An inbox's timer set, then given back to the configuration (FAST_TIMERS: 2 s); likewise
    // an agent's capacity.
    expect(
      (await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { reassignNoReplyAfterSeconds: 30 }))
        .reassignNoReplyAfterSeconds,
    ).toBe(30);
    expect(
      (await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { reassignNoReplyAfterSeconds: null }))
        .reassignNoReplyAfterSeconds,
    ).toBe(2);
    expect(
      (await desk.admin(admin, 'PATCH', `/agents/${ana.id}`, { maxConversations: 9 })).maxConversations,
    ).toBe(9);
    expect(
      (await desk.admin(admin, 'PATCH', `/agents/${ana.id}`, { maxConversations: null })).maxConversations,
    ).toBe(5);
    // The queue view: this inbox has two waiting.
    const queue = await desk.t.request('GET', '/api/v1/support/queue', { token: ana.token });
    expect(queue.body.inboxes.find((i: { inboxId: string }) => i.inboxId === inboxId)).toMatchObject({
      queued: 2,
    });
  });
});
