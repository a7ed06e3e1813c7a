import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { call } from './support/sockets.js';

describe.each(BACKENDS)('canned replies on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  let agent: Person;
  let teammate: Person;
  let stranger: Person;
  let supervisor: Person;
  let teamId: string;
  let inboxId: string;

  beforeAll(async () => {
    desk = await startDesk({ backend });
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
    agent = await desk.person('agent', 'سارا');
    teammate = await desk.person('agent', 'Teammate');
    stranger = await desk.person('agent', 'Stranger');
    supervisor = await desk.person('supervisor', 'Lead');
    ({ teamId, inboxId } = await desk.team(admin, [agent, teammate], [supervisor]));
    await desk.team(admin, [stranger]);
  });
  afterAll(async () => {
    await desk?.close();
  });

  const create = (who: Person, body: object) =>
    desk.t.request('POST', '/api/v1/support/canned-replies', { token: who.token, body });
  const list = async (who: Person, query = '') => {
    const reply = await desk.t.request('GET', `/api/v1/support/canned-replies${query}`, { token: who.token });
    expect(reply.status).toBe(200);
    return (reply.body.items as { shortcut: string; scope: string }[]).map((r) => r.shortcut);
  };

  it('keeps personal, team and shared replies apart, each managed by whom it belongs to', async () => {
    const personal = await create(agent, { shortcut: '/سلام‌ي', body: 'سلام! چطور کمکتان کنم؟' });
    expect(personal.status).toBe(201);
    expect(personal.body).toMatchObject({ scope: 'personal', ownerId: agent.id, shortcut: 'سلام‌ي' });
    // The same shortcut however it is typed (Arabic yeh, no ZWNJ) is the same shortcut.
    const again = await create(agent, { shortcut: 'سلامی', body: 'another' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('support/shortcut_taken');
    // Someone else's personal shortcut is theirs: no clash.
    expect((await create(teammate, { shortcut: 'سلامی', body: 'mine' })).status).toBe(201);

    // Team replies: the team's supervisor (or an admin) writes them; agents may not.
    const byAgent = await create(agent, { scope: 'team', teamId, shortcut: 'refund', body: 'x' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error.code).toBe('support/forbidden');
    const team = await create(supervisor, {
      scope: 'team',
      teamId,
      shortcut: 'refund',
      body: 'بازپرداخت شما ظرف ۳ روز کاری انجام می‌شود.',
    });
    expect(team.status).toBe(201);
    // Shared: admins only.
    expect((await create(supervisor, { scope: 'shared', shortcut: 'bye', body: 'x' })).status).toBe(403);
    expect((await create(admin, { scope: 'shared', shortcut: 'bye', body: 'خدانگهدار' })).status).toBe(201);
    // A team reply names its team, and only a team reply does.
    expect((await create(admin, { scope: 'team', shortcut: 'x', body: 'x' })).status).toBe(400);
    expect((await create(admin, { scope: 'shared', teamId, shortcut: 'y', body: 'x' })).status).toBe(400);

    expect((await list(agent)).sort()).toEqual(['bye', 'refund', 'سلام‌ي'].sort());
    expect((await list(stranger)).sort()).toEqual(['bye']);
    expect((await list(admin)).sort()).toEqual(['bye', 'refund'].sort());
    // The `/shortcut` lookup: a prefix, as the agent types it.
    expect(await list(agent, `?shortcut=${encodeURIComponent('/سلا')}`)).toEqual(['سلام‌ي']);
    expect(await list(agent, `?shortcut=${encodeURIComponent('سلامي')}`)).toEqual(['سلام‌ي']);
    expect(await list(agent, '?shortcut=REF')).toEqual(['refund']);

    // Only what is theirs to change: the stranger does not see the team's (404), the agent may
    // use it but not change it (403), its supervisor may.
    const path = `/api/v1/support/canned-replies/${team.body.id}`;
    const edit = (who: Person) =>
      desk.t.request('PATCH', path, { token: who.token, body: { body: 'changed' } });
    expect((await edit(stranger)).status).toBe(404);
    expect((await edit(agent)).status).toBe(403);
    expect((await edit(supervisor)).status).toBe(200);
    expect((await desk.t.request('DELETE', path, { token: agent.token })).status).toBe(403);
    expect((await desk.t.request('DELETE', path, { token: supervisor.token })).status).toBe(204);
    expect(await list(agent, '?shortcut=refund')).toEqual([]);

    // Customers have none of this.
    const customer = await desk.person('customer', 'Curious');
    expect(
      (await desk.t.request('GET', '/api/v1/support/canned-replies', { token: customer.token })).status,
    ).toBe(403);
  });

  it('fills the variables, with fallbacks; an unfilled one blocks the reply from going out at all', async () => {
    const reply = await create(agent, {
      shortcut: 'hello',
      body: 'سلام {{customer.name | "مشتری گرامی"}}، من {{ agent.name }} هستم. شماره پیگیری: {{conversation.id}}',
    });
    expect(reply.status).toBe(201);
    const named = await desk.person('customer', 'رضا');
    // A customer who never gave a name.
    const nameless = await desk.t.signIn(uniquePhone());
    const namelessPerson = { auth: nameless, id: nameless.user.id, token: nameless.accessToken };
    const withName = await desk.openIn(inboxId, named);
    const withoutName = await desk.openIn(inboxId, namelessPerson);
    const render = (conversationId: string, id = reply.body.id) =>
      desk.t.request('POST', `/api/v1/support/canned-replies/${id}/render`, {
        token: agent.token,
        body: { conversationId },
      });
    expect((await render(withName.id)).body).toEqual({
      text: `سلام رضا، من سارا هستم. شماره پیگیری: ${withName.id}`,
      unresolved: [],
    });
    expect((await render(withoutName.id)).body).toEqual({
      text: `سلام مشتری گرامی، من سارا هستم. شماره پیگیری: ${withoutName.id}`,
      unresolved: [],
    });
    // A conversation the agent does not serve: as if it did not exist.
    const elsewhere = await desk.open(named, 'in the app inbox');
    expect((await render(elsewhere.id)).status).toBe(404);

    const order = await create(agent, { shortcut: 'order', body: 'سفارش {{order.id}} ارسال شد' });
    const rendered = await render(withName.id, order.body.id);
    expect(rendered.body).toEqual({ text: 'سفارش {{order.id}} ارسال شد', unresolved: ['order.id'] });

    // Sent as it is — over HTTP or the socket — it is refused, and nothing is stored.
    const before = await desk.t.request('GET', `/api/v1/conversations/${withName.id}/messages`, {
      token: named.token,
    });
    const refused = await desk.t.request('POST', `/api/v1/conversations/${withName.id}/messages`, {
      token: agent.token,
      body: { clientMsgId: 'raw-template', body: rendered.body.text },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('support/unresolved_variable');
    const socket = await desk.online(agent);
    expect(
      await call(socket, 'message:send', {
        conversationId: withName.id,
        clientMsgId: 'raw-template-2',
        body: 'سلام {{customer.name}}',
      }),
    ).toMatchObject({ ok: false, error: { code: 'support/unresolved_variable' } });
    const after = await desk.t.request('GET', `/api/v1/conversations/${withName.id}/messages`, {
      token: named.token,
    });
    expect(after.body.items).toEqual(before.body.items);
    // Filled in, it goes; and a customer typing braces is not a template.
    expect((await desk.write(agent, withName.id, 'سفارش ۱۲۳ ارسال شد')).body).toBe('سفارش ۱۲۳ ارسال شد');
    expect((await desk.write(named, withName.id, 'what is {{this}}?')).body).toBe('what is {{this}}?');
  });
});
