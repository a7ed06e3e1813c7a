import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePhone } from './support/app.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { collect, eventually, next } from './support/sockets.js';

/**
 * What the web console needs beyond the desk's routes: roles given from the browser that apply to
 * live sessions, the customer beside a conversation, and read receipts both ways.
 */
describe('the console’s server side', () => {
  let desk: Desk;
  let admin: Person;

  beforeAll(async () => {
    desk = await startDesk();
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const setRole = (who: Person, userId: string, role: string) =>
    desk.t.request('PUT', `/api/v1/users/${userId}/role`, { token: who.token, body: { role } });

  it('only admins give roles, never their own, and bad input is refused', async () => {
    const agent = await desk.person('agent', 'Agent');
    const customer = await desk.person('customer', 'Someone');
    expect((await setRole(agent, customer.id, 'agent')).body.error.code).toBe('auth/forbidden');
    expect((await setRole(customer, customer.id, 'admin')).status).toBe(403);
    const own = await setRole(admin, admin.id, 'customer');
    expect([own.status, own.body.error.code]).toEqual([400, 'user/own_role']);
    expect((await setRole(admin, '00000000-0000-4000-8000-000000000000', 'agent')).body.error.code).toBe(
      'user/not_found',
    );
    expect((await setRole(admin, customer.id, 'owner')).body.error.code).toBe('validation/invalid');
    expect((await setRole(admin, 'not-a-uuid', 'agent')).status).toBe(400);
    const byPhone = (body: unknown, token = admin.token) =>
      desk.t.request('POST', '/api/v1/users', { token, body });
    expect((await byPhone({ phone: '123', role: 'agent' })).body.error.code).toBe('auth/invalid_phone');
    expect((await byPhone({ phone: uniquePhone(), role: 'agent' }, agent.token)).status).toBe(403);
  });

  it('an admin makes someone staff by phone (Persian digits too), and it is on the record', async () => {
    const latin = uniquePhone(); // +98912…
    const persian = `۰${latin.slice(3)}`.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    const reply = await desk.t.request('POST', '/api/v1/users', {
      token: admin.token,
      body: { phone: persian, role: 'supervisor', name: 'سارا' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ role: 'supervisor', name: 'سارا' });
    const person = await desk.t.signIn(latin);
    expect(person.user).toMatchObject({ id: reply.body.id, role: 'supervisor' });
    const events = await desk.t.app.events.list({ subject: `user:${reply.body.id}`, limit: 10 });
    expect(events.map((e) => [e.type, e.actorId])).toContainEqual(['user.role_set', admin.id]);
  });

  it('a role given while signed in reaches the session: told, refreshed, in the desk’s rooms', async () => {
    const person = await desk.person('customer', 'Soon an agent');
    const socket = await desk.online(person);
    const told = next(socket, 'session:changed');
    expect((await setRole(admin, person.id, 'agent')).body.role).toBe('agent');
    expect(await told).toEqual({ role: 'agent' });
    // The refreshed session carries the new role.
    const refreshed = await desk.t.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: person.auth.refreshToken },
    });
    expect(refreshed.body.user.role).toBe('agent');
    const staffList = await desk.t.request('GET', '/api/v1/support/conversations', {
      token: refreshed.body.accessToken,
    });
    expect(staffList.status).toBe(200);
    // The live connection joined the desk's rooms at once: it hears a conversation of an inbox no team serves.
    const { inboxId } = await desk.team(admin, []);
    // Manual routing: heard through the desk's rooms, not as the assignee (connected, they would get it).
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { teamIds: [], routing: 'manual' });
    const heard = collect(socket, 'support:conversation');
    const customer = await desk.person('customer', 'C');
    const opened = await desk.openIn(inboxId, customer);
    await desk.admin(admin, 'PUT', `/conversations/${opened.id}/priority`, { priority: 'high' });
    await eventually(() => heard.some((e) => e.conversationId === opened.id), 10_000, 'heard as staff');

    // And back: a customer again hears nothing of the desk, on the same connection.
    const demoted = next(socket, 'session:changed');
    expect((await setRole(admin, person.id, 'customer')).status).toBe(200);
    expect(await demoted).toEqual({ role: 'customer' });
    await new Promise((r) => setTimeout(r, 200)); // the rooms are left with the event's delivery
    heard.length = 0;
    await desk.admin(admin, 'PUT', `/conversations/${opened.id}/priority`, { priority: 'low' });
    const control = await desk.online(admin);
    // Listening before the change: the event may arrive before the HTTP reply does.
    const urgent = next(control, 'support:conversation', (e) => e.priority === 'urgent');
    await desk.admin(admin, 'PUT', `/conversations/${opened.id}/priority`, { priority: 'urgent' });
    await urgent;
    expect(heard).toEqual([]);
  });

  it('staff who see a conversation see its customer, phone and earlier conversations; others do not', async () => {
    const agent = await desk.person('agent', 'Agent A');
    const outsider = await desk.person('agent', 'Agent B');
    const { inboxId } = await desk.team(admin, [agent]);
    const { inboxId: otherInbox } = await desk.team(admin, [outsider]);
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { routing: 'manual' });
    await desk.admin(admin, 'PATCH', `/inboxes/${otherInbox}`, { routing: 'manual' });
    const customer = await desk.person('customer', 'مریم');
    const first = await desk.openIn(inboxId, customer, 'اول');
    await desk.admin(admin, 'POST', `/conversations/${first.id}/status`, { status: 'resolved' });
    const elsewhere = await desk.openIn(otherInbox, customer, 'جای دیگر');
    await desk.admin(admin, 'POST', `/conversations/${elsewhere.id}/status`, { status: 'resolved' });
    const now = await desk.openIn(inboxId, customer, 'دوم');

    const as = (who: Person) =>
      desk.t.request('GET', `/api/v1/support/conversations/${now.id}/customer`, { token: who.token });
    const seen = await as(agent);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: customer.id, name: 'مریم', phone: customer.auth.user.phone });
    // Their own team's earlier one, not the other team's (nor the one on screen).
    expect(seen.body.conversations.map((c: { subject: string }) => c.subject)).toEqual(['اول']);
    const all = await as(admin);
    expect(all.body.conversations.map((c: { subject: string }) => c.subject)).toEqual(['جای دیگر', 'اول']);
    expect((await as(outsider)).body.error.code).toBe('conversation/not_found');
    expect((await as(customer)).status).toBe(403);
    // The phone never reaches the log.
    expect(desk.t.logs.join('\n')).not.toContain(customer.auth.user.phone.slice(3));
  });

  it('"My teams" narrows an admin’s list to their teams; for others it is what they see', async () => {
    const lead = await desk.person('admin', 'Lead');
    const agent = await desk.person('agent', 'Member');
    const ours = await desk.team(admin, [lead, agent]);
    const theirs = await desk.team(admin, []);
    for (const inboxId of [ours.inboxId, theirs.inboxId]) {
      await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { routing: 'manual' });
    }
    const customer = await desk.person('customer', 'C');
    const a = await desk.openIn(ours.inboxId, customer, 'ours');
    const b = await desk.openIn(theirs.inboxId, customer, 'theirs');
    const ids = async (who: Person, scope: string) => {
      const reply = await desk.t.request('GET', `/api/v1/support/conversations?scope=${scope}&limit=100`, {
        token: who.token,
      });
      const got = reply.body.items.map((t: { conversationId: string }) => t.conversationId);
      return [got.includes(a.id), got.includes(b.id)];
    };
    expect(await ids(lead, 'all')).toEqual([true, true]);
    expect(await ids(lead, 'teams')).toEqual([true, false]);
    expect(await ids(agent, 'teams')).toEqual([true, false]);
    const bad = await desk.t.request('GET', '/api/v1/support/conversations?scope=everyone', {
      token: lead.token,
    });
    expect(bad.status).toBe(400);
  });

  it('the customer sees when the agent has read their message', async () => {
    const agent = await desk.person('agent', 'Reader');
    const { inboxId } = await desk.team(admin, [agent]);
    const agentSocket = await desk.online(agent);
    await desk.setAvailability(agentSocket, 'online');
    const customer = await desk.person('customer', 'Writer');
    const customerSocket = await desk.online(customer);
    const opened = await desk.openIn(inboxId, customer);
    await desk.waitFor(opened.id, (t) => t.assigneeId === agent.id, 'assigned');
    const message = await desk.write(customer, opened.id, 'سلام، کمک می‌خواهم');
    const receipt = next(customerSocket, 'read', (e) => e.userId === agent.id);
    agentSocket.emit('read', { conversationId: opened.id, seq: message.seq });
    expect(await receipt).toMatchObject({ conversationId: opened.id, userId: agent.id, seq: message.seq });
    const seen = await desk.t.request('GET', `/api/v1/conversations/${opened.id}`, { token: customer.token });
    expect(seen.body.members.find((m: { userId: string }) => m.userId === agent.id)?.lastReadSeq).toBe(
      message.seq,
    );
  });
});
