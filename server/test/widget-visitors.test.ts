import { WEEKDAYS } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { type ClientSocket, call, eventually, next } from './support/sockets.js';

/**
 * The website widget's visitors, end to end on PostgreSQL: sessions from the chat frame, the
 * first message making a contact and a conversation in the widget's inbox, the pre-chat and
 * offline forms, the visitor's socket (origin-checked handshake, a few events only), identity
 * modes on every path, history across devices, closed conversations, rate limits, and the frame
 * page's policy.
 */

const ORIGIN = 'https://shop.example.ir';
const ELSEWHERE = 'https://evil.example.com';

let desk: Desk;
let admin: Person;
let agent: Person;
let inboxId: string;
let ips = 0;
const freshIp = () => `10.1.${Math.floor(++ips / 250)}.${(ips % 250) + 1}`;
let msg = 0;
const clientMsgId = () => `w-${++msg}-${Math.random().toString(36).slice(2, 8)}`;
const sockets: ClientSocket[] = [];

interface Widget {
  id: string;
  secret: string;
}

async function createWidget(body: Record<string, unknown> = {}): Promise<Widget> {
  const res = await desk.t.request('POST', '/api/v1/widgets', {
    token: admin.token,
    body: { name: 'Shop', inboxId, allowedOrigins: [ORIGIN], ...body },
  });
  expect(res.status).toBe(201);
  return res.body as Widget;
}

async function patchWidget(id: string, body: Record<string, unknown>) {
  const res = await desk.t.request('PATCH', `/api/v1/widgets/${id}`, { token: admin.token, body });
  expect(res.status).toBe(200);
}

let jti = 0;
function identityToken(
  secret: string,
  claims: { sub: string; name?: string; phone?: string; exp?: number; jti?: string },
) {
  const { sub, exp, jti: id, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setJti(id ?? `v-jti-${++jti}`)
    .setExpirationTime(exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(secret));
}

/** A session as the chat frame asks for it: from our own origin, naming the host page. */
function frameSession(body: Record<string, unknown>, options: { hostOrigin?: string; ip?: string } = {}) {
  return desk.t.request('POST', '/widget/v1/sessions', {
    body: { hostOrigin: options.hostOrigin ?? ORIGIN, ...body },
    headers: { origin: desk.t.url, 'x-forwarded-for': options.ip ?? freshIp() },
  });
}

async function anonymous(widget: Widget): Promise<string> {
  const res = await frameSession({ widgetId: widget.id });
  expect(res.status).toBe(201);
  return res.body.sessionToken;
}

function visitor(method: string, path: string, token: string, body?: unknown, ip = freshIp()) {
  return desk.t.request(method, path, { token, body, headers: { 'x-forwarded-for': ip } });
}

async function start(token: string, body: Record<string, unknown> = {}, ip?: string) {
  return visitor(
    'POST',
    '/widget/v1/conversations',
    token,
    { clientMsgId: clientMsgId(), body: 'سلام', ...body },
    ip,
  );
}

/** A visitor's socket as the frame opens it (Origin: our own), or from another origin. */
async function visitorSocket(token: string, origin = desk.t.url): Promise<ClientSocket> {
  const socket: ClientSocket = io(desk.t.url, {
    transports: ['websocket'],
    auth: { widgetToken: token },
    // A client address of its own (the app trusts X-Forwarded-For here): per-IP limits do not mix.
    extraHeaders: { origin, 'x-forwarded-for': freshIp() },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

const refusedHandshake = (token: string, origin?: string) =>
  visitorSocket(token, origin).then(
    () => 'connected',
    (error: Error) => error.message,
  );

async function count(table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    desk.t.app.database.db,
    sql.raw(`select count(*)::int as n from ${table}`),
  );
  return row!.n;
}

beforeAll(async () => {
  desk = await startDesk({
    backend: 'postgres',
    env: { TRUST_PROXY: 'true', WIDGET_MESSAGES_PER_IP_MINUTE: '6', WIDGET_SESSIONS_PER_IP_MINUTE: '100' },
  });
  admin = await desk.person('admin', 'Admin');
  agent = await desk.person('agent', 'Nazanin');
  await desk.quietAppInbox(admin);
  ({ inboxId } = await desk.team(admin, [agent]));
  const calendar = await desk.t.request('POST', '/api/v1/support/calendars', {
    token: admin.token,
    body: { name: 'Always', template: 'always_open' },
  });
  expect(calendar.status).toBe(201);
  const inbox = await desk.t.request('PATCH', `/api/v1/support/inboxes/${inboxId}`, {
    token: admin.token,
    body: { calendarId: calendar.body.id },
  });
  expect(inbox.status).toBe(200);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await desk?.close();
});

describe('becoming a contact', () => {
  it('opening the chat stores nothing; the first message makes the contact and a conversation in the widget’s inbox, once', async () => {
    const widget = await createWidget({
      prechat: {
        enabled: true,
        fields: [
          { key: 'name', kind: 'name', required: true },
          { key: 'phone', kind: 'phone', required: true },
          { key: 'order_id', kind: 'text', label: { fa: 'شمارهٔ سفارش' } },
        ],
      },
    });
    const [contacts, users] = [await count('widget_contacts'), await count('users')];
    const token = await anonymous(widget);
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({
      contact: null,
      conversation: null,
      verified: false,
      opening: { open: true, nextOpenAt: null },
      widget: { prechat: { enabled: true } },
    });
    expect([await count('widget_contacts'), await count('users')]).toEqual([contacts, users]);

    // Required fields missing: refused, nothing stored.
    const missing = await start(token, { form: { name: 'سارا' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('widget/form_invalid');
    expect(missing.body.error.details).toEqual([{ path: ['phone'], message: 'required' }]);
    const badPhone = await start(token, { form: { name: 'سارا', phone: '۱۲۳' } });
    expect(badPhone.status).toBe(400);
    expect(await count('widget_contacts')).toBe(contacts);

    const id = clientMsgId();
    const body = {
      clientMsgId: id,
      body: 'سفارشم نرسیده',
      form: { name: 'سارا', phone: '۰۹۱۲ ۳۴۵ ۶۷۸۹', order_id: '۴۴۲', unknown_field: 'dropped' },
      attributes: { plan: 'gold', seats: 3 },
    };
    const first = await visitor('POST', '/widget/v1/conversations', token, body);
    expect(first.status).toBe(201);
    expect(first.body.session.sessionToken).not.toBe(token);
    expect(first.body.conversation).toMatchObject({ status: 'open', writable: true });
    const conversationId = first.body.conversation.id as string;

    const ticket = await desk.ticket(conversationId);
    expect(ticket.inboxId).toBe(inboxId);
    const [contact] = await queryRows<{
      phone: string;
      name: string;
      attributes: object;
      verified: boolean;
      user_phone: string;
    }>(
      desk.t.app.database.db,
      sql`select c.phone, c.name, c.attributes, c.verified, u.phone as user_phone
          from widget_contacts c join users u on u.id = c.user_id where c.widget_id = ${widget.id}`,
    );
    expect(contact).toMatchObject({
      phone: '+989123456789',
      name: 'سارا',
      verified: false,
      attributes: { plan: 'gold', seats: 3 },
    });
    // The customer user's key is never a phone number: phone sign-in and look-ups cannot reach it.
    expect(contact!.user_phone).toMatch(/^widget:/);
    const [origin] = await queryRows<{ form: object; host_origin: string }>(
      desk.t.app.database.db,
      sql`select form, host_origin from widget_conversations where conversation_id = ${conversationId}`,
    );
    expect(origin).toEqual({
      form: { name: 'سارا', phone: '+989123456789', order_id: '۴۴۲' },
      host_origin: ORIGIN,
    });

    // The agents' customer panel: the visitor's word, marked unverified, and where they wrote from.
    const panel = await desk.t.request('GET', `/api/v1/support/conversations/${conversationId}/customer`, {
      token: admin.token,
    });
    expect(panel.status).toBe(200);
    expect(panel.body).toMatchObject({
      name: 'سارا',
      phone: '',
      widget: {
        widgetId: widget.id,
        widgetName: 'Shop',
        verified: false,
        externalId: null,
        phone: '+989123456789',
        attributes: { plan: 'gold', seats: 3 },
        form: { order_id: '۴۴۲' },
        offline: false,
        hostOrigin: ORIGIN,
      },
    });

    // The same start again (a retry after a lost reply): the same conversation and message.
    const again = await visitor('POST', '/widget/v1/conversations', first.body.session.sessionToken, body);
    expect(again.status).toBe(201);
    expect(again.body.conversation.id).toBe(conversationId);
    expect(again.body.message.id).toBe(first.body.message.id);
    const [messages] = await queryRows<{ n: number }>(
      desk.t.app.database.db,
      sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
    );
    expect(messages!.n).toBe(1);
  });

  it('takes offline messages with a way to answer, and tells the next opening', async () => {
    const widget = await createWidget();
    const closed = await desk.t.request('POST', '/api/v1/support/calendars', {
      token: admin.token,
      body: { name: 'Rarely', weekly: rarelyOpen() },
    });
    const { inboxId: offlineInbox } = await desk.team(admin, []);
    await desk.t.request('PATCH', `/api/v1/support/inboxes/${offlineInbox}`, {
      token: admin.token,
      body: { calendarId: closed.body.id },
    });
    await patchWidget(widget.id, { inboxId: offlineInbox });
    const token = await anonymous(widget);
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.body.opening.open).toBe(false);
    expect(Date.parse(state.body.opening.nextOpenAt)).toBeGreaterThan(Date.now());
    expect(state.body.opening.timeZone).toBe('Asia/Tehran');
    expect(state.body.agentsAvailable).toBe(false);

    const noWay = await start(token, { offline: true, form: { name: 'رضا' } });
    expect(noWay.status).toBe(400);
    expect(noWay.body.error.code).toBe('widget/form_invalid');
    const left = await start(token, { offline: true, form: { name: 'رضا', email: 'Reza@Example.IR' } });
    expect(left.status).toBe(201);
    const [row] = await queryRows<{ offline: boolean; form: object }>(
      desk.t.app.database.db,
      sql`select offline, form from widget_conversations where conversation_id = ${left.body.conversation.id}`,
    );
    expect(row).toEqual({ offline: true, form: { name: 'رضا', email: 'reza@example.ir' } });
    // It waits in the inbox's queue for the first agent at the opening: never stranded.
    const ticket = await desk.ticket(left.body.conversation.id);
    expect(ticket).toMatchObject({ inboxId: offlineInbox, status: 'open', assigneeId: null });
  });

  it('takes the offer to leave a message while waiting into the conversation already waiting', async () => {
    const widget = await createWidget();
    const { inboxId: nobody } = await desk.team(admin, []);
    await patchWidget(widget.id, { inboxId: nobody });
    const waiting = await start(await anonymous(widget), { body: 'کسی هست؟' });
    expect(waiting.body.conversation.queuePosition).toBe(1);
    const token = waiting.body.session.sessionToken as string;
    const left = await start(token, { offline: true, body: 'لطفاً ایمیل بزنید', form: { email: 'a@b.ir' } });
    expect(left.status).toBe(201);
    expect(left.body.conversation.id).toBe(waiting.body.conversation.id);
    const [row] = await queryRows<{ offline: boolean; form: object }>(
      desk.t.app.database.db,
      sql`select offline, form from widget_conversations where conversation_id = ${left.body.conversation.id}`,
    );
    expect(row).toEqual({ offline: true, form: { email: 'a@b.ir' } });
    const [messages] = await queryRows<{ n: number }>(
      desk.t.app.database.db,
      sql`select count(*)::int as n from messages where conversation_id = ${left.body.conversation.id}`,
    );
    expect(messages!.n).toBe(2);
  });
});

/** Weekly hours open one hour, three days from now (Tehran): closed now, with a next opening. */
function rarelyOpen() {
  const weekday = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'Asia/Tehran' })
    .format(new Date(Date.now() + 3 * 86_400_000))
    .toLowerCase()
    .slice(0, 3);
  return Object.fromEntries(WEEKDAYS.map((d) => [d, d === weekday ? [{ from: '10:00', to: '11:00' }] : []]));
}

describe('the visitor’s socket', () => {
  it('carries the conversation both ways: agent replies, typing and reads live; visitor messages to the agent', async () => {
    const widget = await createWidget();
    const agentSocket = await desk.online(agent);
    await desk.setAvailability(agentSocket, 'online');
    const started = await start(await anonymous(widget), { form: { name: 'مینا' } });
    expect(started.status).toBe(201);
    const token = started.body.session.sessionToken as string;
    const conversationId = started.body.conversation.id as string;
    const socket = await visitorSocket(token);
    await desk.waitFor(conversationId, (t) => t.assigneeId === agent.id, 'assigned to the agent');

    const reply = next(socket, 'message:new', (m) => m.conversationId === conversationId);
    await desk.write(agent, conversationId, 'سلام، در خدمتم');
    expect((await reply).body).toBe('سلام، در خدمتم');
    // The agent is a member: their typing and the visitor's messages reach each other.
    const typing = next(socket, 'typing', (e) => e.conversationId === conversationId);
    agentSocket.emit('typing', { conversationId });
    expect((await typing).userId).toBe(agent.id);
    const atAgent = next(agentSocket, 'message:new', (m) => m.conversationId === conversationId);

    const sent = await call<{ message: { seq: number; senderId: string } }>(socket, 'message:send', {
      conversationId,
      clientMsgId: clientMsgId(),
      body: 'ممنون',
    });
    expect(sent.ok).toBe(true);
    expect((await atAgent).body).toBe('ممنون');
    const agentRead = next(socket, 'read', (e) => e.userId === agent.id);
    await call(agentSocket, 'read', { conversationId, seq: 3 });
    expect((await agentRead).seq).toBe(3);
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.body.contact.userId).toBe(sent.ok && sent.message.senderId);
    expect(state.body.conversation).toMatchObject({
      id: conversationId,
      lastSeq: 3,
      agentReadSeq: 3,
      assignee: { id: agent.id, name: 'Nazanin' },
    });

    const read = await call(socket, 'read', { conversationId, seq: 3 });
    expect(read.ok).toBe(true);
    const sync = await call<{ conversations: { messages: { body: string }[] }[] }>(socket, 'sync', {
      since: { [conversationId]: 0 },
    });
    expect(sync.ok && sync.conversations[0]!.messages.map((m) => m.body)).toEqual([
      'سلام',
      'سلام، در خدمتم',
      'ممنون',
    ]);

    // Only a visitor's few events: anything else is refused.
    const presence = await call(socket, 'presence:query', { userIds: [agent.id] });
    expect(presence).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    // Not another conversation of the desk's.
    const other = await desk.open(await desk.person('customer', 'Other'));
    const elsewhere = await call(socket, 'message:send', {
      conversationId: other.id,
      clientMsgId: clientMsgId(),
      body: 'x',
    });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
  });

  it('refuses a handshake from another origin, without a contact, after the origin left the list, or with the widget disabled', async () => {
    const widget = await createWidget({ allowedOrigins: [ORIGIN, 'https://other.example.ir'] });
    const anon = await anonymous(widget);
    expect(await refusedHandshake(anon)).toBe('widget/no_contact');
    const started = await start(anon);
    const token = started.body.session.sessionToken as string;
    expect(await refusedHandshake(token, ELSEWHERE)).toBe('widget/origin_not_allowed');
    expect(await refusedHandshake(token, ORIGIN)).toBe('connected'); // the host page itself may
    expect(await refusedHandshake('not-a-token')).toBe('auth/invalid_token');
    await patchWidget(widget.id, { allowedOrigins: ['https://other.example.ir'] });
    expect(await refusedHandshake(token)).toBe('widget/origin_not_allowed');
    await patchWidget(widget.id, { allowedOrigins: [ORIGIN], enabled: false });
    expect(await refusedHandshake(token)).toBe('widget/disabled');
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.status).toBe(403);
  });

  it('asks the visitor to rate a resolve in the widget, and never texts them', async () => {
    const widget = await createWidget();
    const agentSocket = await desk.online(agent);
    await desk.setAvailability(agentSocket, 'online');
    const started = await start(await anonymous(widget), { form: { name: 'پویا' } });
    const token = started.body.session.sessionToken as string;
    const conversationId = started.body.conversation.id as string;
    const socket = await visitorSocket(token);
    await desk.waitFor(conversationId, (t) => t.assigneeId === agent.id, 'assigned to the agent');
    await desk.write(agent, conversationId, 'حل شد؟');
    const asked = next(socket, 'support:csat', (e) => e.conversationId === conversationId);
    const resolved = await desk.t.request('POST', `/api/v1/support/conversations/${conversationId}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    expect(await asked).toEqual({ conversationId, cycle: 0 });
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.body.conversation).toMatchObject({
      status: 'resolved',
      writable: true,
      csat: { rating: null },
    });
    // The survey's SMS link, were it sent before they answer, finds no phone to text.
    const [survey] = await queryRows<{ id: string }>(
      desk.t.app.database.db,
      sql`select id from support_csat where conversation_id = ${conversationId}`,
    );
    const texts = () => desk.t.logs.filter((line) => line.includes('"sms.log"')).length;
    const before = texts();
    await desk.t.app.support.csat.sendLink(survey!.id);
    expect(texts()).toBe(before);
    const rated = await visitor('POST', `/widget/v1/conversations/${conversationId}/csat`, token, {
      rating: 5,
      comment: 'عالی بود',
    });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ cycle: 0, rating: 5, comment: 'عالی بود' });
    // Another visitor cannot rate it.
    const stranger = await start(await anonymous(widget));
    const theirs = await visitor(
      'POST',
      `/widget/v1/conversations/${conversationId}/csat`,
      stranger.body.session.sessionToken,
      {
        rating: 1,
      },
    );
    expect(theirs.status).toBe(404);
  });

  it('never writes into a closed conversation: the visitor starts a new one', async () => {
    const widget = await createWidget();
    const started = await start(await anonymous(widget));
    const token = started.body.session.sessionToken as string;
    const first = started.body.conversation.id as string;
    const socket = await visitorSocket(token);
    await queryRows(
      desk.t.app.database.db,
      sql`update support_tickets set status = 'closed' where conversation_id = ${first}`,
    );
    const refused = await call(socket, 'message:send', {
      conversationId: first,
      clientMsgId: clientMsgId(),
      body: 'باز هم',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'widget/conversation_closed' } });
    const state = await visitor('GET', '/widget/v1/state', token);
    expect(state.body.conversation).toBeNull();
    expect(state.body.history).toEqual([expect.objectContaining({ id: first, status: 'closed' })]);
    const again = await start(token);
    expect(again.status).toBe(201);
    expect(again.body.conversation.id).not.toBe(first);
  });
});

describe('identity on every path', () => {
  type Proof = 'none' | 'bad signature' | 'expired' | 'replayed' | 'valid';
  const PROOFS: Proof[] = ['none', 'bad signature', 'expired', 'replayed', 'valid'];
  const EXPECTED: Record<
    'off' | 'optional' | 'required',
    Record<Proof, number | 'verified' | 'anonymous'>
  > = {
    off: {
      none: 'anonymous',
      'bad signature': 'anonymous',
      expired: 'anonymous',
      replayed: 'anonymous',
      valid: 'anonymous',
    },
    optional: { none: 'anonymous', 'bad signature': 401, expired: 401, replayed: 401, valid: 'verified' },
    required: { none: 401, 'bad signature': 401, expired: 401, replayed: 401, valid: 'verified' },
  };

  for (const mode of ['off', 'optional', 'required'] as const) {
    it(`${mode}: identify, update, start and send follow the proof`, async () => {
      const widget = await createWidget({ identityMode: mode });
      for (const proof of PROOFS) {
        const sub = `${mode}-${proof}`;
        let token: string | undefined;
        if (proof === 'bad signature') token = await identityToken('not-the-secret', { sub });
        if (proof === 'expired')
          token = await identityToken(widget.secret, { sub, exp: Math.floor(Date.now() / 1000) - 3600 });
        if (proof === 'valid') token = await identityToken(widget.secret, { sub, name: 'Ali' });
        if (proof === 'replayed') {
          token = await identityToken(widget.secret, { sub });
          await frameSession({ widgetId: widget.id, token });
        }
        const identify = await frameSession({ widgetId: widget.id, ...(token ? { token } : {}) });
        const expected = EXPECTED[mode][proof];
        if (typeof expected === 'number') {
          expect(identify.status, `${mode} × ${proof}: identify`).toBe(expected);
          continue;
        }
        expect(identify.status, `${mode} × ${proof}: identify`).toBe(201);
        expect(identify.body.verified).toBe(expected === 'verified');
        const session = identify.body.sessionToken as string;
        const begun = await start(session);
        expect(begun.status, `${mode} × ${proof}: start`).toBe(201);
        const renewed = begun.body.session.sessionToken as string;
        const update = await visitor('PATCH', '/widget/v1/attributes', renewed, {
          attributes: { tier: proof },
        });
        expect(update.status, `${mode} × ${proof}: update`).toBe(200);
        const socket = await visitorSocket(renewed);
        const send = await call(socket, 'message:send', {
          conversationId: begun.body.conversation.id,
          clientMsgId: clientMsgId(),
          body: 'hi',
        });
        expect(send, `${mode} × ${proof}: send`).toMatchObject({ ok: true });
        socket.close();
      }
    });
  }

  it('refuses update, start and send of an unverified visitor once identity is required', async () => {
    const widget = await createWidget({ identityMode: 'optional' });
    const anon = await anonymous(widget);
    const begun = await start(anon);
    const token = begun.body.session.sessionToken as string;
    const socket = await visitorSocket(token);
    const waiting = await anonymous(widget);
    await patchWidget(widget.id, { identityMode: 'required' });

    const update = await visitor('PATCH', '/widget/v1/attributes', token, { attributes: { a: 1 } });
    expect([update.status, update.body.error.code]).toEqual([401, 'widget/identity_required']);
    const startAnew = await start(waiting);
    expect([startAnew.status, startAnew.body.error.code]).toEqual([401, 'widget/identity_required']);
    // The socket opened before: its messages are refused as soon as the widget's settings are re-read.
    await eventually(
      async () => {
        const send = await call(socket, 'message:send', {
          conversationId: begun.body.conversation.id,
          clientMsgId: clientMsgId(),
          body: 'hi',
        });
        return !send.ok && send.error.code === 'widget/identity_required';
      },
      15_000,
      'send refused',
    );
    expect(await refusedHandshake(token)).toBe('widget/identity_required');
  });

  it('shows a verified visitor their history on another device, and an anonymous one nobody’s', async () => {
    const widget = await createWidget();
    const first = await frameSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'customer-42', phone: '+989121111111' }),
    });
    const begun = await start(first.body.sessionToken);
    const conversationId = begun.body.conversation.id as string;

    // Another device: a new identity token for the same person.
    const second = await frameSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'customer-42' }),
    });
    const state = await visitor('GET', '/widget/v1/state', second.body.sessionToken);
    expect(state.body.verified).toBe(true);
    expect(state.body.conversation?.id).toBe(conversationId);

    // An anonymous visitor stating the same phone gets a contact of their own, never the verified one.
    const stranger = await start(await anonymous(widget), {
      form: { phone: '09121111111', name: 'Mallory' },
    });
    expect(stranger.status).toBe(201);
    const theirs = await visitor('GET', '/widget/v1/state', stranger.body.session.sessionToken);
    expect(theirs.body.contact.verified).toBe(false);
    expect(theirs.body.conversation.id).not.toBe(conversationId);
    expect(theirs.body.history).toEqual([]);
    const contacts = await queryRows<{ verified: boolean; n: number }>(
      desk.t.app.database.db,
      sql`select verified, count(distinct user_id)::int as n from widget_contacts where widget_id = ${widget.id} group by verified order by verified`,
    );
    expect(contacts).toEqual([
      { verified: false, n: 1 },
      { verified: true, n: 1 },
    ]);
    // A fresh anonymous visitor sees nothing at all.
    const fresh = await visitor('GET', '/widget/v1/state', await anonymous(widget));
    expect(fresh.body).toMatchObject({ contact: null, conversation: null, history: [], unread: 0 });
  });

  it('keeps a verified visitor verified when the frame renews their session (an identity token is good once)', async () => {
    const widget = await createWidget({ identityMode: 'required' });
    const identified = await frameSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'renewing' }),
    });
    const renewed = await frameSession({ widgetId: widget.id, visitorToken: identified.body.sessionToken });
    expect(renewed.status).toBe(201);
    expect(renewed.body).toMatchObject({ verified: true, visitorId: identified.body.visitorId });
    // An anonymous session's renewal stays anonymous, and is refused where identity is required.
    const other = await createWidget({ identityMode: 'optional' });
    const anon = await anonymous(other);
    await patchWidget(other.id, { identityMode: 'required' });
    const refused = await frameSession({ widgetId: other.id, visitorToken: anon });
    expect(refused.status).toBe(401);
  });
});

describe('sessions from the frame, rates, the frame page', () => {
  it('accepts the frame’s own origin only with a listed host origin', async () => {
    const widget = await createWidget();
    expect((await frameSession({ widgetId: widget.id })).status).toBe(201);
    const unlisted = await frameSession({ widgetId: widget.id }, { hostOrigin: ELSEWHERE });
    expect([unlisted.status, unlisted.body.error.code]).toEqual([403, 'widget/origin_not_allowed']);
    const missing = await desk.t.request('POST', '/widget/v1/sessions', {
      body: { widgetId: widget.id },
      headers: { origin: desk.t.url, 'x-forwarded-for': freshIp() },
    });
    expect(missing.status).toBe(403);
    // A foreign page cannot pose as the frame by naming a listed host.
    const posing = await desk.t.request('POST', '/widget/v1/sessions', {
      body: { widgetId: widget.id, hostOrigin: ORIGIN },
      headers: { origin: ELSEWHERE, 'x-forwarded-for': freshIp() },
    });
    expect(posing.status).toBe(403);
  });

  it('remembers the frame’s visitor in a partitioned cookie of its own, for browsers that deny it storage', async () => {
    const widget = await createWidget();
    const first = await frameSession({ widgetId: widget.id });
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^abrik_v_[0-9a-f]{32}=ey/);
    for (const part of ['HttpOnly', 'Secure', 'SameSite=None', 'Partitioned', 'Path=/widget/v1/sessions'])
      expect(cookie).toContain(part);
    const began = await start(first.body.sessionToken);
    // The page reloads; the frame has no storage, only the cookie its last session left.
    const pair = (began.status === 201 ? cookie : '').split(';')[0]!;
    const stale = await frameSession({ widgetId: widget.id }, {});
    expect(stale.body.visitorId).not.toBe(first.body.visitorId);
    const again = await desk.t.request('POST', '/widget/v1/sessions', {
      body: { widgetId: widget.id, hostOrigin: ORIGIN },
      headers: { origin: desk.t.url, cookie: pair, 'x-forwarded-for': freshIp() },
    });
    expect(again.body, JSON.stringify(again.body)).toMatchObject({ visitorId: first.body.visitorId });
    const state = await visitor('GET', '/widget/v1/state', again.body.sessionToken);
    expect(state.body.conversation?.id).toBe(began.body.conversation.id);
    // The host page itself sending the cookie gets nothing from it, and no cookie is set for it.
    const fromHost = await desk.t.request('POST', '/widget/v1/sessions', {
      body: { widgetId: widget.id },
      headers: { origin: ORIGIN, cookie: pair, 'x-forwarded-for': freshIp() },
    });
    expect(fromHost.body.visitorId).not.toBe(first.body.visitorId);
    expect(fromHost.headers.get('set-cookie')).toBeNull();
    // Signing out forgets it.
    const forget = await desk.t.request('POST', '/widget/v1/sessions/forget', {
      body: { widgetId: widget.id },
      headers: { origin: desk.t.url },
    });
    expect(forget.status).toBe(204);
    expect(forget.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  it('limits starts and messages per IP address', async () => {
    const widget = await createWidget();
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await start(await anonymous(widget), {}, ip)).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429]);
  });

  it('serves the frame with the widget’s frame-ancestors and a strict policy; refuses unknown and disabled widgets', async () => {
    const widget = await createWidget({ allowedOrigins: [ORIGIN, 'http://localhost:8080'] });
    const res = await fetch(`${desk.t.url}/widget/frame?widgetId=${widget.id}&locale=fa`);
    const policy = res.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`frame-ancestors ${ORIGIN} http://localhost:8080`);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBeNull();
    // `npm test` builds the web client first: the frame's page is served from the build.
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const unknown = await fetch(`${desk.t.url}/widget/frame?widgetId=${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await patchWidget(widget.id, { enabled: false });
    expect((await fetch(`${desk.t.url}/widget/frame?widgetId=${widget.id}`)).status).toBe(403);
  });
});
