import { createHash, randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsatRepository, type CsatSummaryRow } from '../src/modules/support/csat/csat.repository.js';
import { supportCsat } from '../src/modules/support/csat/tables.js';
import { queryRows } from '../src/platform/db/client.js';
import type { DomainEvent, DomainEventMap } from '../src/platform/events/domain-events.js';
import { KavenegarSmsProvider, toReceptor } from '../src/providers/sms/kavenegar.provider.js';
import { type FakeKavenegar, startFakeKavenegar } from './fakes/kavenegar.fake.js';
import { signInThrough } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { capturingLogger } from './support/logs.js';
import { collect, eventually, next } from './support/sockets.js';

const PUBLIC_URL = 'https://chat.example.ir';
const HOUR = 3_600_000;

/**
 * Satisfaction surveys over HTTP on the desk: asked at each resolve — in the app when the customer
 * is connected, by an SMS link (the Kavenegar fake) when not — answered once per cycle, editable
 * for a day, with the agent and team of the resolve kept.
 */
describe.each(BACKENDS)('satisfaction surveys (CSAT) on %s', (backend) => {
  let desk: Desk;
  let kavenegar: FakeKavenegar;
  let admin: Person;
  const smsLog = capturingLogger();

  beforeAll(async () => {
    kavenegar = await startFakeKavenegar();
    const sms = new KavenegarSmsProvider({
      apiKey: kavenegar.apiKey,
      baseUrl: kavenegar.url,
      otpTemplate: 'abrik-otp',
      timeoutMs: 2000,
      logger: smsLog.logger,
    });
    desk = await startDesk({ backend, sms, env: { PUBLIC_URL: `${PUBLIC_URL}/`, TRUST_PROXY: 'true' } });
    // Every SMS goes to the fake, sign-in codes too: people sign in with the code it received.
    desk.t.signIn = (phone, name) =>
      signInThrough(desk.t.request, async () => kavenegar.lastOtp(toReceptor(phone)!), phone, name);
    admin = await desk.person('admin', 'Admin');
    await desk.quietAppInbox(admin);
  });
  afterAll(async () => {
    await desk?.close();
    await kavenegar?.close();
  });

  const db = () => desk.t.app.database.db;
  const surveys = (conversationId: string) =>
    db()
      .select()
      .from(supportCsat)
      .where(eq(supportCsat.conversationId, conversationId))
      .orderBy(asc(supportCsat.cycle));
  const view = async (customer: Person, id: string) => {
    const reply = await desk.t.request('GET', `/api/v1/conversations/${id}`, { token: customer.token });
    expect(reply.status).toBe(200);
    return reply.body.support;
  };
  const resolve = async (agent: Person, id: string) => {
    const reply = await desk.t.request('POST', `/api/v1/support/conversations/${id}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  };
  const rate = (who: Person, id: string, body: unknown) =>
    desk.t.request('PUT', `/api/v1/support/conversations/${id}/csat`, { token: who.token, body });
  const csatSms = (customer: Person) =>
    kavenegar.requests.filter(
      (r) =>
        r.path === 'sms/send' &&
        r.params.receptor === toReceptor(customer.auth.user.phone) &&
        r.params.message?.includes('/csat/'),
    );
  const waitSurvey = async (id: string, cycle = 0) => {
    await eventually(async () => (await surveys(id)).some((s) => s.cycle === cycle), 15_000, 'the survey');
    return (await surveys(id)).find((s) => s.cycle === cycle)!;
  };
  const resolveEvents = async (id: string) =>
    (
      await desk.t.app.events.list({
        subject: `conversation:${id}`,
        types: ['support.status_changed'],
        limit: 100,
      })
    ).filter(
      (e) => (e as DomainEvent<'support.status_changed'>).payload.to === 'resolved',
    ) as DomainEvent<'support.status_changed'>[];
  const received = async (id: string) =>
    (
      await desk.t.app.events.list({
        subject: `conversation:${id}`,
        types: ['support.csat_received'],
        limit: 100,
      })
    ).map((e) => ({ actorId: e.actorId, ...(e.payload as DomainEventMap['support.csat_received']) }));

  /** An online agent of a team of their own with a customer's conversation assigned to them. */
  async function assigned(name: string, subject = 'پرداخت ناموفق') {
    const agent = await desk.person('agent', name);
    const { inboxId, teamId } = await desk.team(admin, [agent]);
    const socket = await desk.online(agent);
    const customer = await desk.person('customer', `${name}'s customer`);
    const conversation = await desk.openIn(inboxId, customer, subject);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === agent.id, `${name} to take it`);
    return { agent, socket, customer, id: conversation.id, inboxId, teamId };
  }

  /** A resolved conversation whose customer was asked in the app (connected at the resolve). */
  async function askedInApp(name: string) {
    const setup = await assigned(name);
    await desk.online(setup.customer);
    await resolve(setup.agent, setup.id);
    const survey = await waitSurvey(setup.id);
    return { ...setup, survey };
  }

  it('asks in the app when the customer is connected: the view shows the survey pending, support:csat arrives, no SMS is queued', async () => {
    const { agent, customer, id, teamId, inboxId } = await assigned('Present');
    const socket = await desk.online(customer);
    const asked = next(socket, 'support:csat', (e) => e.conversationId === id, 15_000);
    expect((await view(customer, id)).csat).toBeNull();

    await resolve(agent, id);
    expect(await asked).toEqual({ conversationId: id, cycle: 0 });
    expect((await view(customer, id)).csat).toEqual({
      cycle: 0,
      rating: null,
      comment: null,
      editableUntil: null,
    });
    const [survey] = await surveys(id);
    expect(survey).toMatchObject({ cycle: 0, agentId: agent.id, teamId: teamId, rating: null });
    expect(survey!.linkTokenHash).toBeNull();
    // The SMS job is queued in the survey's own transaction: none exists, so none will go out.
    expect(await desk.t.app.jobs.find('support-csat-sms', { data: { csatId: survey!.id } })).toHaveLength(0);
    expect(csatSms(customer)).toHaveLength(0);

    // Staff see it; its inbox is the conversation's.
    const staff = await desk.t.request('GET', `/api/v1/support/conversations/${id}/csat`, {
      token: agent.token,
    });
    expect(staff.status).toBe(200);
    expect(staff.body.items).toEqual([
      expect.objectContaining({
        conversationId: id,
        cycle: 0,
        inboxId,
        teamId,
        agentId: agent.id,
        agentName: 'Present',
        rating: null,
        via: null,
        linkSentAt: null,
      }),
    ]);
  });

  it('sends one SMS with a working link when the customer is away, and the link answers without sign-in', async () => {
    const { agent, customer, id, teamId, inboxId } = await assigned('Away', 'کارت هدیه');
    await resolve(agent, id);
    await eventually(() => csatSms(customer).length > 0, 15_000, 'the survey SMS');
    const [message] = csatSms(customer);
    expect(message!.apiKey).toBe(kavenegar.apiKey);
    // Persian by default, the link under PUBLIC_URL (its trailing slash dropped).
    expect(message!.params.message).toContain('از ۱ تا ۵');
    const link = /https:\/\/chat\.example\.ir\/csat\/([A-Za-z0-9_-]{43})$/.exec(message!.params.message!);
    expect(link, message!.params.message).not.toBeNull();
    const token = link![1]!;

    // Only the token's SHA-256 is stored; the link works for 7 days from its sending.
    await eventually(async () => (await surveys(id))[0]?.linkSentAt != null, 10_000, 'the link marked sent');
    const [survey] = await surveys(id);
    expect(survey!.linkTokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(survey!.linkSentAt).not.toBeNull();
    expect(survey!.linkExpiresAt!.getTime() - survey!.linkSentAt!.getTime()).toBe(7 * 24 * HOUR);

    const page = await desk.t.request('GET', `/api/v1/csat/${token}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body).toEqual({
      cycle: 0,
      rating: null,
      comment: null,
      editableUntil: null,
      agentName: 'Away',
      subject: 'کارت هدیه',
      expiresAt: survey!.linkExpiresAt!.toISOString(),
    });

    const answered = await desk.t.request('PUT', `/api/v1/csat/${token}`, {
      body: { rating: 4, comment: '  سریع و مؤدب  ' },
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ rating: 4, comment: 'سریع و مؤدب', agentName: 'Away' });
    const [stored] = await surveys(id);
    expect(stored).toMatchObject({ rating: 4, comment: 'سریع و مؤدب', via: 'sms' });
    expect(answered.body.editableUntil).toBe(
      new Date(stored!.answeredAt!.getTime() + 24 * HOUR).toISOString(),
    );
    expect(await received(id)).toEqual([
      {
        actorId: customer.id,
        inboxId,
        teamId,
        agentId: agent.id,
        cycle: 0,
        rating: 4,
        comment: 'سریع و مؤدب',
      },
    ]);
    // The customer's app shows the same answer.
    expect((await view(customer, id)).csat).toMatchObject({ cycle: 0, rating: 4, comment: 'سریع و مؤدب' });

    // The token and the phone number reach no log line (the request log shows /csat/…).
    const logs = [...desk.t.logs, ...smsLog.lines].join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(customer.auth.user.phone);
    expect(logs).toContain('/api/v1/csat/…');

    // The listener run again (at least once) asks nothing more: one survey, one SMS job, one SMS.
    const [event] = await resolveEvents(id);
    await desk.t.app.support.csat.resolved(event!);
    await desk.t.app.support.csat.resolved(event!);
    expect(await surveys(id)).toHaveLength(1);
    expect(await desk.t.app.jobs.find('support-csat-sms', { data: { csatId: survey!.id } })).toHaveLength(1);
    expect(csatSms(customer)).toHaveLength(1);
  });

  it('refuses a link after its 7 days with 410 csat/expired, and an unknown or malformed one with 404 csat/not_found', async () => {
    const { agent, customer, id } = await assigned('Expiry');
    await resolve(agent, id);
    await eventually(() => csatSms(customer).length > 0, 15_000, 'the survey SMS');
    const token = csatSms(customer)[0]!.params.message!.split('/csat/')[1]!;
    expect((await desk.t.request('GET', `/api/v1/csat/${token}`)).status).toBe(200);

    // Until the end of its week it works; from then on it does not.
    await queryRows(
      db(),
      sql`update support_csat set link_expires_at = now() + interval '1 minute' where conversation_id = ${id}`,
    );
    expect((await desk.t.request('GET', `/api/v1/csat/${token}`)).status).toBe(200);
    await queryRows(
      db(),
      sql`update support_csat set link_expires_at = now() - interval '1 second' where conversation_id = ${id}`,
    );
    for (const reply of [
      await desk.t.request('GET', `/api/v1/csat/${token}`),
      await desk.t.request('PUT', `/api/v1/csat/${token}`, { body: { rating: 5 } }),
    ]) {
      expect(reply.status).toBe(410);
      expect(reply.body.error).toMatchObject({ code: 'csat/expired', message: expect.any(String) });
    }
    expect((await surveys(id))[0]!.rating).toBeNull();

    const unknown = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [unknown, 'short', `${token}x`]) {
      const reply = await desk.t.request('GET', `/api/v1/csat/${bad}`);
      expect(reply.status, bad).toBe(404);
      expect(reply.body.error.code).toBe('csat/not_found');
    }
  });

  it('takes one answer per cycle in the app, editable for 24 hours after the first answer, then 409 csat/closed', async () => {
    const { customer, id, survey } = await askedInApp('Editable');
    const first = await rate(customer, id, { rating: 2, comment: 'کند بود' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ cycle: 0, rating: 2, comment: 'کند بود' });
    const [afterFirst] = await surveys(id);
    expect(afterFirst).toMatchObject({ rating: 2, via: 'app' });
    expect(first.body.editableUntil).toBe(
      new Date(afterFirst!.answeredAt!.getTime() + 24 * HOUR).toISOString(),
    );

    // A change keeps the first answer's time (the window does not slide) and replaces the comment.
    const second = await rate(customer, id, { rating: '۵' });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ rating: 5, comment: null, editableUntil: first.body.editableUntil });
    const [afterSecond] = await surveys(id);
    expect(afterSecond!.id).toBe(survey.id);
    expect(afterSecond!.answeredAt).toEqual(afterFirst!.answeredAt);
    expect((await view(customer, id)).csat).toEqual(second.body);
    expect((await received(id)).map((e) => e.rating)).toEqual([2, 5]);

    // 23 hours 59 minutes after the first answer: still open to change.
    await queryRows(
      db(),
      sql`update support_csat set answered_at = now() - interval '23 hours 59 minutes' where id = ${survey.id}`,
    );
    expect((await rate(customer, id, { rating: 4 })).status).toBe(200);
    // A day and a second after it: closed.
    await queryRows(
      db(),
      sql`update support_csat set answered_at = now() - interval '24 hours 1 second' where id = ${survey.id}`,
    );
    const late = await rate(customer, id, { rating: 1 });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'csat/closed', message: expect.any(String) });
    expect((await surveys(id))[0]!.rating).toBe(4);
    expect(await received(id)).toHaveLength(3);
  });

  it('asks again after a reopen and a second resolve (cycle 1), keeping the agent and team of each resolve after a transfer', async () => {
    const { agent, customer, id, inboxId, teamId } = await askedInApp('First');
    expect(await rate(customer, id, { rating: 3 })).toMatchObject({ status: 200 });

    // The customer writes again: reopened, the survey of cycle 0 no longer stands in the view.
    await desk.write(customer, id, 'باز هم مشکل دارم');
    await desk.waitFor(id, (t) => t.status === 'open' && t.reopenCount === 1, 'the reopen');
    expect((await view(customer, id)).csat).toBeNull();
    await desk.waitFor(id, (t) => t.assigneeId === agent.id, 'the previous assignee to take it back');

    // Handed to another agent of another team serving this inbox, who resolves it.
    const taker = await desk.person('agent', 'Taker');
    const { teamId: otherTeam } = await desk.team(admin, [taker]);
    await desk.admin(admin, 'PATCH', `/inboxes/${inboxId}`, { teamIds: [teamId, otherTeam] });
    const moved = await desk.t.request('POST', `/api/v1/support/conversations/${id}/transfer`, {
      token: agent.token,
      body: { agentId: taker.id, teamId: otherTeam },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await resolve(taker, id);
    await waitSurvey(id, 1);

    expect((await view(customer, id)).csat).toEqual({
      cycle: 1,
      rating: null,
      comment: null,
      editableUntil: null,
    });
    const answered = await rate(customer, id, { rating: 5 });
    expect(answered.body).toMatchObject({ cycle: 1, rating: 5 });
    const staff = await desk.t.request('GET', `/api/v1/support/conversations/${id}/csat`, {
      token: admin.token,
    });
    expect(
      staff.body.items.map((s: { cycle: number; agentId: string; teamId: string; rating: number }) => [
        s.cycle,
        s.agentId,
        s.teamId,
        s.rating,
      ]),
    ).toEqual([
      [0, agent.id, teamId, 3],
      [1, taker.id, otherTeam, 5],
    ]);
    expect((await received(id)).map((e) => [e.cycle, e.agentId])).toEqual([
      [0, agent.id],
      [1, taker.id],
    ]);

    // The listener of the first resolve, run late (after the reopen and the transfer), still asks
    // about that resolve: from its event, and from the durable events when the event is older and
    // carries only from, to and reopened.
    const [firstResolve] = await resolveEvents(id);
    const { from, to, reopened } = firstResolve!.payload;
    for (const event of [firstResolve!, { ...firstResolve!, payload: { from, to, reopened } }]) {
      await queryRows(db(), sql`delete from support_csat where conversation_id = ${id} and cycle = 0`);
      await desk.t.app.support.csat.resolved(event);
      expect((await surveys(id)).map((s) => [s.cycle, s.agentId, s.teamId])).toEqual([
        [0, agent.id, teamId],
        [1, taker.id, otherTeam],
      ]);
    }
  });

  it('credits the last assignee when nobody had the conversation at the resolve', async () => {
    const { agent, socket, customer, id, teamId } = await assigned('Stepped away');
    await desk.online(customer);
    // Away, so the queue does not hand it back; then back to the queue, and an admin resolves it.
    await desk.setAvailability(socket, 'away');
    const unassigned = await desk.t.request('POST', `/api/v1/support/conversations/${id}/assign`, {
      token: agent.token,
      body: { agentId: null },
    });
    expect(unassigned.status, JSON.stringify(unassigned.body)).toBe(200);
    expect(unassigned.body.assigneeId).toBeNull();
    await resolve(admin, id);
    expect(await waitSurvey(id)).toMatchObject({ cycle: 0, agentId: agent.id, teamId });
  });

  it('lets only the conversation’s customer answer and only staff who see it read; no survey is 404 csat/not_found', async () => {
    const { agent, customer, id } = await askedInApp('Guarded');
    const stranger = await desk.person('customer', 'Stranger');
    const otherAgent = await desk.person('agent', 'Other team');
    await desk.team(admin, [otherAgent]);

    const strangerRates = await rate(stranger, id, { rating: 5 });
    expect(strangerRates.status).toBe(404);
    expect(strangerRates.body.error.code).toBe('conversation/not_found');
    const agentRates = await rate(agent, id, { rating: 5 });
    expect(agentRates.status).toBe(403);
    expect(agentRates.body.error.code).toBe('support/forbidden');
    expect(
      (await desk.t.request('PUT', `/api/v1/support/conversations/${id}/csat`, { body: { rating: 5 } }))
        .status,
    ).toBe(401);
    expect((await surveys(id))[0]!.rating).toBeNull();

    const read = (who: Person) =>
      desk.t.request('GET', `/api/v1/support/conversations/${id}/csat`, { token: who.token });
    expect((await read(customer)).status).toBe(403);
    expect((await read(customer)).body.error.code).toBe('support/forbidden');
    expect((await read(otherAgent)).status).toBe(404);
    expect((await read(otherAgent)).body.error.code).toBe('conversation/not_found');
    expect((await read(agent)).status).toBe(200);

    // An open conversation has no survey yet.
    const { customer: waiting, id: open } = await assigned('Not yet');
    const none = await rate(waiting, open, { rating: 5 });
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: 'csat/not_found', message: expect.any(String) });
    expect((await read(agent)).body.items).toHaveLength(1);
  });

  it('answers bad ratings and comments with 400 validation/invalid, in the app and by the link', async () => {
    const { customer, id } = await askedInApp('Strict');
    const away = await assigned('Strict by SMS');
    await resolve(away.agent, away.id);
    await eventually(() => csatSms(away.customer).length > 0, 15_000, 'the survey SMS');
    const token = csatSms(away.customer)[0]!.params.message!.split('/csat/')[1]!;

    const bad: unknown[] = [
      { rating: 0 },
      { rating: 6 },
      { rating: 'x' },
      { rating: '۶' },
      { rating: 4.5 },
      { rating: null },
      {},
      { rating: 3, comment: 'خ'.repeat(1001) },
      { rating: 3, comment: 42 },
    ];
    for (const body of bad) {
      for (const reply of [
        await rate(customer, id, body),
        await desk.t.request('PUT', `/api/v1/csat/${token}`, { body }),
      ]) {
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'validation/invalid', message: expect.any(String) });
      }
    }
    expect((await surveys(id))[0]!.rating).toBeNull();
    expect((await surveys(away.id))[0]!.rating).toBeNull();
    // The longest comment is accepted, counted in characters (not UTF-16 units or bytes).
    const longest = await rate(customer, id, { rating: 1, comment: '😀'.repeat(1000) });
    expect(longest.status, JSON.stringify(longest.body)).toBe(200);
  });

  it('limits the link’s reads and answers per IP address with 429 rate_limited', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 120; i++) {
      const reply = await desk.t.request('GET', `/api/v1/csat/${'a'.repeat(43)}`, { headers: ip });
      expect(reply.status).toBe(404);
    }
    const limited = await desk.t.request('GET', `/api/v1/csat/${'a'.repeat(43)}`, { headers: ip });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another address is not held back.
    const other = await desk.t.request('GET', `/api/v1/csat/${'a'.repeat(43)}`, {
      headers: { 'x-forwarded-for': '203.0.113.78' },
    });
    expect(other.status).toBe(404);
  });

  it('sums satisfaction up per inbox, team and agent of the resolve over a range, for reports', async () => {
    const { customer, id } = await assigned('Reported');
    const [inbox, team, a, b] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const row = (
      cycle: number,
      askedAt: string,
      teamId: string | null,
      agentId: string | null,
      rating: number | null,
    ) => ({
      conversationId: id,
      cycle: 100 + cycle,
      customerId: customer.id,
      inboxId: inbox,
      teamId,
      agentId,
      askedAt: new Date(askedAt),
      rating,
    });
    await db()
      .insert(supportCsat)
      .values([
        row(0, '2001-01-05T10:00:00Z', team, a, 5),
        row(1, '2001-01-10T10:00:00Z', team, a, 3),
        row(2, '2001-01-15T10:00:00Z', team, b, null),
        row(3, '2001-01-20T10:00:00Z', null, null, 1),
        // Outside [from, to): the end is excluded, the start included.
        row(4, '2001-02-01T00:00:00Z', team, a, 1),
        row(5, '2000-12-31T23:59:59.999Z', team, a, 1),
      ]);
    const repository = new CsatRepository(db());
    const range = { from: new Date('2001-01-01T00:00:00Z'), to: new Date('2001-02-01T00:00:00Z') };
    const sorted = (rows: CsatSummaryRow[]) =>
      [...rows].sort((x, y) => String(x.key).localeCompare(String(y.key)));
    expect(await repository.summary({ ...range, by: 'inbox', inboxIds: [inbox] })).toEqual([
      { key: inbox, asked: 4, answered: 3, ratingSum: 9, mean: 3 },
    ]);
    expect(sorted(await repository.summary({ ...range, by: 'agent' }))).toEqual(
      sorted([
        { key: a, asked: 2, answered: 2, ratingSum: 8, mean: 4 },
        { key: b, asked: 1, answered: 0, ratingSum: 0, mean: null },
        { key: null, asked: 1, answered: 1, ratingSum: 1, mean: 1 },
      ]),
    );
    expect(sorted(await repository.summary({ ...range, by: 'team' }))).toEqual(
      sorted([
        { key: team, asked: 3, answered: 2, ratingSum: 8, mean: 4 },
        { key: null, asked: 1, answered: 1, ratingSum: 1, mean: 1 },
      ]),
    );
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await desk.t.request('GET', '/api/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths['/api/v1/support/conversations/{id}/csat'])).toEqual(['put', 'get']);
    expect(Object.keys(doc.body.paths['/api/v1/csat/{token}'])).toEqual(['get', 'put']);
  });

  it('tells the customer’s other connections when the answer changes', async () => {
    const { customer, id } = await askedInApp('Echo');
    const other = await desk.online(customer);
    const heard = collect(other, 'support:csat');
    expect((await rate(customer, id, { rating: 5 })).status).toBe(200);
    await eventually(() => heard.some((e) => e.conversationId === id), 10_000, 'support:csat');
  });
});
