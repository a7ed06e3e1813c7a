import { AUDIT_EVENT_TYPES, type AuditEntry } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { pgErrorCode } from '../src/platform/errors.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';

describe.each(BACKENDS)('the audit trail on %s', (backend) => {
  let desk: Desk;
  let admin: Person;
  let supervisor: Person;
  let agent: Person;
  let customer: Person;
  /** Made an agent and a customer again by the admin. */
  let promoted: Person;
  let teamId: string;
  let inboxId: string;
  let conversationId: string;

  const audit = (query = '', who: Person | null = admin) =>
    desk.t.request('GET', `/api/v1/audit${query}`, who ? { token: who.token } : {});

  beforeAll(async () => {
    desk = await startDesk({
      backend,
      env: { SUPPORT_REASSIGN_NO_REPLY_SECONDS: '3600', SUPPORT_REASSIGN_OFFLINE_SECONDS: '3600' },
    });
    admin = await desk.person('admin', 'Admin Azadeh');
    supervisor = await desk.person('supervisor', 'Sara');
    agent = await desk.person('agent', 'Ali');
    customer = await desk.person('customer', 'Kian');
    promoted = await desk.person('customer', 'Parsa');
    await desk.quietAppInbox(admin);
    // Admin actions: a team, an inbox, an agent's capacity, a role.
    ({ teamId, inboxId } = await desk.team(admin, [agent], [supervisor]));
    await desk.admin(admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 4 });
    const role = await desk.t.request('PUT', `/api/v1/users/${promoted.id}/role`, {
      token: admin.token,
      body: { role: 'agent' },
    });
    expect(role.status).toBe(200);
    const back = await desk.t.request('PUT', `/api/v1/users/${promoted.id}/role`, {
      token: admin.token,
      body: { role: 'customer' },
    });
    expect(back.status).toBe(200);
    // A supervisor's action: assigning a conversation waiting in the queue (the agent is offline).
    conversationId = (await desk.openIn(inboxId, customer)).id;
    const assigned = await desk.t.request('POST', `/api/v1/support/conversations/${conversationId}/assign`, {
      token: supervisor.token,
      body: { agentId: agent.id },
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
  });
  afterAll(async () => {
    await desk?.close();
  });

  it("lists admins' and supervisors' actions, newest first, with actor, name and payload", async () => {
    const reply = await audit('?limit=100');
    expect(reply.status).toBe(200);
    const items = reply.body.items as AuditEntry[];
    expect(items.map((e) => e.id)).toEqual([...items.map((e) => e.id)].sort((a, b) => b - a));
    for (const item of items) expect(AUDIT_EVENT_TYPES).toContain(item.type);

    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'support.team_saved',
        actorId: admin.id,
        actorName: 'Admin Azadeh',
        subject: `support-team:${teamId}`,
        payload: { name: expect.any(String), agentIds: [agent.id], supervisorIds: [supervisor.id] },
        at: expect.any(String),
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'support.inbox_saved',
        actorId: admin.id,
        subject: `support-inbox:${inboxId}`,
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'support.agent_saved',
        actorId: admin.id,
        subject: `user:${agent.id}`,
        payload: expect.objectContaining({ maxConversations: 4 }),
      }),
    );
    const roles = items.filter((e) => e.type === 'user.role_set' && e.subject === `user:${promoted.id}`);
    expect(roles.map((e) => [e.actorId, e.payload])).toEqual([
      [admin.id, { role: 'customer', previous: 'agent' }],
      [admin.id, { role: 'agent', previous: 'customer' }],
    ]);
    // Operators' role changes (`abrik user create`) are entries without an actor.
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'user.role_set',
        actorId: null,
        actorName: null,
        subject: `user:${supervisor.id}`,
        payload: { role: 'supervisor', previous: null },
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'support.assigned',
        actorId: supervisor.id,
        actorName: 'Sara',
        subject: `conversation:${conversationId}`,
        payload: expect.objectContaining({ fromId: null, toId: agent.id, reason: 'manual' }),
      }),
    );
    // What customers and the system did is not in it.
    expect(items.some((e) => e.type === 'support.opened')).toBe(false);
    expect(items.some((e) => e.type === 'support.assigned' && e.actorId === null)).toBe(false);
  });

  it('leaves out assignments the desk made by itself', async () => {
    await desk.online(agent);
    const other = await desk.openIn(inboxId, customer, 'routed');
    await desk.waitFor(other.id, (t) => t.assigneeId === agent.id, 'routed to the agent');
    const history = await desk.history(other.id);
    expect(history.map(([, to]) => to)).toEqual([agent.id]);
    const reply = await audit(`?subject=conversation:${other.id}`);
    expect(reply.status).toBe(200);
    expect(reply.body.items).toEqual([]);
  });

  it('filters by actor, type (exact or prefix), subject and time', async () => {
    const byActor = (await audit(`?actor=${supervisor.id}`)).body.items as AuditEntry[];
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actorId === supervisor.id)).toBe(true);
    expect(byActor.map((e) => e.type)).toContain('support.assigned');

    const exact = (await audit('?type=support.team_saved')).body.items as AuditEntry[];
    expect(exact.length).toBeGreaterThan(0);
    expect(new Set(exact.map((e) => e.type))).toEqual(new Set(['support.team_saved']));

    const prefix = (await audit('?type=user')).body.items as AuditEntry[];
    expect(prefix.length).toBeGreaterThan(0);
    expect(new Set(prefix.map((e) => e.type))).toEqual(new Set(['user.role_set']));
    expect((await audit('?type=message.created')).body.items).toEqual([]);

    const subject = (await audit(`?subject=support-team:${teamId}`)).body.items as AuditEntry[];
    expect(subject.length).toBeGreaterThan(0);
    expect(subject.every((e) => e.subject === `support-team:${teamId}`)).toBe(true);

    const all = (await audit('?limit=100')).body.items as AuditEntry[];
    const pivot = all.find((e) => e.type === 'support.agent_saved')!;
    const from = (await audit(`?from=${encodeURIComponent(pivot.at)}&limit=100`)).body.items as AuditEntry[];
    const to = (await audit(`?to=${encodeURIComponent(pivot.at)}&limit=100`)).body.items as AuditEntry[];
    expect(from.map((e) => e.id)).toContain(pivot.id);
    expect(from.every((e) => Date.parse(e.at) >= Date.parse(pivot.at))).toBe(true);
    expect(to.map((e) => e.id)).not.toContain(pivot.id);
    expect(to.every((e) => Date.parse(e.at) < Date.parse(pivot.at))).toBe(true);
    expect(from.length + to.length).toBe(all.length);

    const both = (await audit(`?actor=${admin.id}&type=support.team_saved&subject=support-team:${teamId}`))
      .body.items as AuditEntry[];
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((e) => e.actorId === admin.id && e.subject === `support-team:${teamId}`)).toBe(true);
  });

  it('pages from the newest to the oldest with a cursor', async () => {
    const all = (await audit('?limit=100')).body.items as AuditEntry[];
    expect(all.length).toBeGreaterThan(4);
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: { status: number; body: any } = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((e: any) => e.id));
      cursor = page.body.nextCursor;
      if (cursor !== null) expect(cursor).toBe(page.body.items.at(-1).id);
    } while (cursor !== null);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('answers bad filters with validation/invalid', async () => {
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?actor=someone',
      '?from=yesterday',
      '?to=2026-01-01',
      '?cursor=-1',
      '?type=DROP%20TABLE',
      `?from=${encodeURIComponent('2026-02-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
    ]) {
      const reply = await audit(query);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'validation/invalid', message: expect.any(String) });
    }
  });

  it('is for admins only', async () => {
    for (const who of [customer, agent, supervisor]) {
      const reply = await audit('', who);
      expect(reply.status, who.auth.user.role).toBe(403);
      expect(reply.body.error.code).toBe('auth/forbidden');
    }
    expect((await audit('', null)).status).toBe(401);
  });

  it('has no route that changes or deletes an entry', async () => {
    const entry = ((await audit('?limit=1')).body.items as AuditEntry[])[0]!;
    for (const [method, path] of [
      ['DELETE', `/api/v1/audit/${entry.id}`],
      ['PATCH', `/api/v1/audit/${entry.id}`],
      ['PUT', `/api/v1/audit/${entry.id}`],
      ['DELETE', '/api/v1/audit'],
      ['POST', '/api/v1/audit'],
    ]) {
      const reply = await desk.t.request(method!, path!, { token: admin.token, body: { payload: {} } });
      expect([404, 405], `${method} ${path}`).toContain(reply.status);
    }
    expect((await audit('?limit=1')).body.items[0]).toEqual(entry);
  });

  it("is refused UPDATE and DELETE by the database on the app's own connection, and takes INSERT", async () => {
    const db = desk.t.app.database.db;
    const entry = ((await audit('?limit=1')).body.items as AuditEntry[])[0]!;
    const refused = async (statement: ReturnType<typeof sql>) => {
      const error = await queryRows(db, statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'the statement was refused').toBeDefined();
      expect(pgErrorCode(error)).toBe('42501');
    };
    await refused(sql`update domain_events set payload = '{}'::jsonb where id = ${entry.id}`);
    await refused(sql`update domain_events set actor_id = null`);
    await refused(sql`delete from domain_events where id = ${entry.id}`);
    await refused(sql`delete from domain_events`);
    expect((await audit('?limit=1')).body.items[0]).toEqual(entry);

    await desk.t.app.events.record(db, {
      type: 'support.team_saved',
      actorId: admin.id,
      subject: `support-team:${teamId}`,
      payload: { name: 'written directly', agentIds: [], supervisorIds: [] },
    });
    const newest = ((await audit('?limit=1')).body.items as AuditEntry[])[0]!;
    expect(newest).toMatchObject({ type: 'support.team_saved', payload: { name: 'written directly' } });
    expect(newest.id).toBeGreaterThan(entry.id);
  });
});
