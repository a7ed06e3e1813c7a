import { randomUUID } from 'node:crypto';
import type { Conversation, Member, Message } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';

const API = '/api/v1/conversations';

/** Waits until the wall clock has moved on, so consecutive writes get distinct millisecond timestamps. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(BACKENDS)('conversations over HTTP on %s', (backend) => {
  let t: TestApp;

  const signIn = (name: string) => t.signIn(uniquePhone(), name);
  const signInAll = <N extends string[]>(...names: N) =>
    Promise.all(names.map(signIn)) as Promise<{ [K in keyof N]: AuthResult }>;
  const createDirect = (who: AuthResult, userId: string) =>
    t.request('POST', API, { token: who.accessToken, body: { kind: 'direct', userId } });
  const createGroup = async (who: AuthResult, title: string, memberIds: string[]) => {
    const res = await t.request('POST', API, {
      token: who.accessToken,
      body: { kind: 'group', title, memberIds },
    });
    if (res.status !== 201)
      throw new Error(`group creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Conversation;
  };
  const send = async (who: AuthResult, conversationId: string, body: string) => {
    const res = await t.request('POST', `${API}/${conversationId}/messages`, {
      token: who.accessToken,
      body: { clientMsgId: randomUUID(), body },
    });
    if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Message;
  };
  const get = (who: AuthResult, path: string) => t.request('GET', path, { token: who.accessToken });
  const roles = (members: Member[]) =>
    Object.fromEntries(members.map((m) => [m.userId, m.role])) as Record<string, string>;
  const list = async (who: AuthResult, query = '') => {
    const res = await get(who, `${API}${query}`);
    expect(res.status).toBe(200);
    return res.body as { items: Conversation[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    t = await startTestApp({ backend });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('direct', () => {
    it('creates a direct conversation with both members, and returns the same one for the pair', async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const created = await createDirect(alice, bob.user.id);
      expect(created.status).toBe(201);
      const conversation = created.body as Conversation;
      expect(conversation).toMatchObject({
        kind: 'direct',
        title: null,
        status: null,
        lastSeq: 0,
        unreadCount: 0,
        lastMessage: null,
        memberCount: 2,
      });
      expect(roles(conversation.members)).toEqual({ [alice.user.id]: 'member', [bob.user.id]: 'member' });
      expect(conversation.members.find((m) => m.userId === bob.user.id)?.name).toBe('Bob');

      const again = await createDirect(alice, bob.user.id);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(conversation.id);
      const reversed = await createDirect(bob, alice.user.id);
      expect(reversed.status).toBe(200);
      expect(reversed.body.id).toBe(conversation.id);
      expect(roles(reversed.body.members)).toEqual(roles(conversation.members));

      const direct = await list(alice, '?kind=direct');
      expect(direct.items.map((c) => c.id)).toEqual([conversation.id]);
    });

    it('creates exactly one conversation when ten requests for a new pair race', async () => {
      const [carol, dave] = await Promise.all([signIn('Carol'), signIn('Dave')]);
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0 ? createDirect(carol, dave.user.id) : createDirect(dave, carol.user.id),
        ),
      );
      const statuses = replies.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const ids = new Set(replies.map((r) => r.body.id as string));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      for (const reply of replies) {
        expect(roles(reply.body.members)).toEqual({ [carol.user.id]: 'member', [dave.user.id]: 'member' });
      }
      expect((await list(carol)).items.map((c) => c.id)).toEqual([id]);
      expect((await list(dave)).items.map((c) => c.id)).toEqual([id]);
    });

    it('refuses a conversation with yourself, with an unknown user, and adding members to it', async () => {
      const [erin, frank] = await Promise.all([signIn('Erin'), signIn('Frank')]);
      const self = await createDirect(erin, erin.user.id);
      expect(self.status).toBe(400);
      expect(self.body.error.code).toBe('conversation/self_direct');

      const unknown = await createDirect(erin, randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('user/not_found');

      const created = await createDirect(erin, frank.user.id);
      const third = await signIn('Third');
      const add = await t.request('POST', `${API}/${created.body.id}/members`, {
        token: erin.accessToken,
        body: { userIds: [third.user.id] },
      });
      expect(add.status).toBe(400);
      expect(add.body.error.code).toBe('conversation/not_group');
      const remove = await t.request('DELETE', `${API}/${created.body.id}/members/${frank.user.id}`, {
        token: erin.accessToken,
      });
      expect(remove.status).toBe(400);
      expect(remove.body.error.code).toBe('conversation/not_group');
      const after = await get(frank, `${API}/${created.body.id}`);
      expect(after.status).toBe(200);
      expect(after.body.memberCount).toBe(2);
      expect((await list(erin)).items.map((c) => c.id)).toEqual([created.body.id]);
    });
  });

  describe('group', () => {
    it('makes the creator owner and the others members; refuses unknown member ids', async () => {
      const [owner, a, b] = await Promise.all([signIn('Owner'), signIn('A'), signIn('B')]);
      const created = await t.request('POST', API, {
        token: owner.accessToken,
        // The creator listed among the members and a duplicate change nothing.
        body: {
          kind: 'group',
          title: '  گروه کاری  ',
          memberIds: [a.user.id, b.user.id, a.user.id, owner.user.id],
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ kind: 'group', title: 'گروه کاری', memberCount: 3 });
      expect(roles(created.body.members)).toEqual({
        [owner.user.id]: 'owner',
        [a.user.id]: 'member',
        [b.user.id]: 'member',
      });

      const missing = randomUUID();
      const refused = await t.request('POST', API, {
        token: owner.accessToken,
        body: { kind: 'group', title: 'Bad', memberIds: [a.user.id, missing] },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        code: 'conversation/invalid_members',
        details: { missing: [missing] },
      });
      // Nothing half-created.
      expect((await list(a, '?kind=group')).items.map((c) => c.id)).toEqual([created.body.id]);
    });

    it('lets the owner and admins add members, skipping those already in; a plain member may not', async () => {
      const [owner, a, b, c, d, e] = await signInAll('Owner', 'A', 'B', 'C', 'D', 'E');
      const group = await createGroup(owner, 'Adders', [a.user.id, b.user.id]);
      const path = `${API}/${group.id}/members`;

      const byOwner = await t.request('POST', path, {
        token: owner.accessToken,
        body: { userIds: [a.user.id, c.user.id, c.user.id] },
      });
      expect(byOwner.status).toBe(200);
      expect(byOwner.body).toEqual({ added: [c.user.id] });

      const byMember = await t.request('POST', path, {
        token: a.accessToken,
        body: { userIds: [d.user.id] },
      });
      expect(byMember.status).toBe(403);
      expect(byMember.body.error.code).toBe('conversation/forbidden');

      const unknown = randomUUID();
      const withUnknown = await t.request('POST', path, {
        token: owner.accessToken,
        body: { userIds: [d.user.id, unknown] },
      });
      expect(withUnknown.status).toBe(400);
      expect(withUnknown.body.error).toMatchObject({
        code: 'conversation/invalid_members',
        details: { missing: [unknown] },
      });

      // No endpoint promotes members yet: make B an admin in the database.
      await t.app.database.db.execute(
        sql`update members set role = 'admin' where conversation_id = ${group.id} and user_id = ${b.user.id}`,
      );
      const byAdmin = await t.request('POST', path, {
        token: b.accessToken,
        body: { userIds: [d.user.id, e.user.id, owner.user.id] },
      });
      expect(byAdmin.status).toBe(200);
      expect([...byAdmin.body.added].sort()).toEqual([d.user.id, e.user.id].sort());

      const after = await get(owner, `${API}/${group.id}`);
      expect(roles(after.body.members)).toEqual({
        [owner.user.id]: 'owner',
        [a.user.id]: 'member',
        [b.user.id]: 'admin',
        [c.user.id]: 'member',
        [d.user.id]: 'member',
        [e.user.id]: 'member',
      });
      expect(after.body.memberCount).toBe(6);
      // The added member sees the group at once.
      expect((await get(e, `${API}/${group.id}`)).status).toBe(200);
    });

    it('lets anyone leave and the owner remove; a member removing another is refused', async () => {
      const [owner, a, b, c] = await signInAll('Owner', 'A', 'B', 'C');
      const group = await createGroup(owner, 'Leavers', [a.user.id, b.user.id, c.user.id]);
      await send(owner, group.id, 'before removals');

      const byMember = await t.request('DELETE', `${API}/${group.id}/members/${b.user.id}`, {
        token: a.accessToken,
      });
      expect(byMember.status).toBe(403);
      expect(byMember.body.error.code).toBe('conversation/forbidden');

      const leave = await t.request('DELETE', `${API}/${group.id}/members/${a.user.id}`, {
        token: a.accessToken,
      });
      expect(leave.status).toBe(204);
      // A former member is told why (403 conversation/removed), not "not found".
      const aView = await get(a, `${API}/${group.id}`);
      expect(aView.status).toBe(403);
      expect(aView.body.error.code).toBe('conversation/removed');

      expect((await get(c, `${API}/${group.id}/messages`)).status).toBe(200);
      const removed = await t.request('DELETE', `${API}/${group.id}/members/${c.user.id}`, {
        token: owner.accessToken,
      });
      expect(removed.status).toBe(204);
      const cView = await get(c, `${API}/${group.id}`);
      expect(cView.status).toBe(403);
      expect(cView.body.error.code).toBe('conversation/removed');
      const cHistory = await get(c, `${API}/${group.id}/messages`);
      expect(cHistory.status).toBe(404);
      expect(cHistory.body.error.code).toBe('conversation/not_found');
      const cSend = await t.request('POST', `${API}/${group.id}/messages`, {
        token: c.accessToken,
        body: { clientMsgId: 'after-removal', body: 'still here?' },
      });
      expect(cSend.status).toBe(404);
      expect((await list(c)).items).toEqual([]);

      const after = await get(owner, `${API}/${group.id}`);
      expect(roles(after.body.members)).toEqual({ [owner.user.id]: 'owner', [b.user.id]: 'member' });
      expect(after.body.memberCount).toBe(2);
      // Their names stay for their old messages; the group was told who left and who was removed.
      expect(after.body.formerMembers.map((f: { name: string }) => f.name).sort()).toEqual(['A', 'C']);
      const history = await get(owner, `${API}/${group.id}/messages`);
      expect(
        history.body.items.filter((m: Message) => m.kind === 'system').map((m: Message) => m.system),
      ).toEqual([
        { action: 'left', actorId: a.user.id, userIds: [], value: null },
        { action: 'removed', actorId: owner.user.id, userIds: [c.user.id], value: null },
      ]);
    });

    it('hands ownership to another member when the owner leaves', async () => {
      const [owner, a, b, c] = await signInAll('Owner', 'A', 'B', 'C');
      const group = await createGroup(owner, 'Heirs', [a.user.id, b.user.id, c.user.id]);
      const before = (await get(owner, `${API}/${group.id}`)).body as Conversation;
      const heir = before.members.find((m) => m.userId !== owner.user.id)!;

      const leave = await t.request('DELETE', `${API}/${group.id}/members/${owner.user.id}`, {
        token: owner.accessToken,
      });
      expect(leave.status).toBe(204);
      const after = (await get(a, `${API}/${group.id}`)).body as Conversation;
      expect(after.memberCount).toBe(3);
      expect(after.members.filter((m) => m.role === 'owner').map((m) => m.userId)).toEqual([heir.userId]);
      expect(after.members.map((m) => m.userId)).not.toContain(owner.user.id);

      // An admin is preferred over earlier members.
      const second = await createGroup(a, 'Admins first', [b.user.id, c.user.id]);
      const secondBefore = (await get(a, `${API}/${second.id}`)).body as Conversation;
      // Members who joined together are listed by id: promote the one listed last.
      const last = secondBefore.members.filter((m) => m.userId !== a.user.id).at(-1)!;
      await t.app.database.db.execute(
        sql`update members set role = 'admin' where conversation_id = ${second.id} and user_id = ${last.userId}`,
      );
      expect(
        (await t.request('DELETE', `${API}/${second.id}/members/${a.user.id}`, { token: a.accessToken }))
          .status,
      ).toBe(204);
      const secondAfter = (await get(b, `${API}/${second.id}`)).body as Conversation;
      expect(roles(secondAfter.members)).toEqual(
        Object.fromEntries(
          secondBefore.members
            .filter((m) => m.userId !== a.user.id)
            .map((m) => [m.userId, m.userId === last.userId ? 'owner' : 'member']),
        ),
      );
    });
  });

  describe('support', () => {
    it('opens a support conversation for a customer; agents read and answer it, others never see it', async () => {
      const agentPhone = uniquePhone();
      await t.app.identity.users.createWithRole(agentPhone, 'agent', 'Agent');
      const [customer, other, agent] = await Promise.all([
        signIn('Customer'),
        signIn('Other customer'),
        t.signIn(agentPhone),
      ]);
      expect(agent.user.role).toBe('agent');

      const created = await t.request('POST', API, {
        token: customer.accessToken,
        body: { kind: 'support', subject: 'پرداخت انجام نشد' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        kind: 'support',
        subject: 'پرداخت انجام نشد',
        status: 'open',
        memberCount: 1,
      });
      expect(roles(created.body.members)).toEqual({ [customer.user.id]: 'customer' });
      const id = created.body.id as string;
      const question = await send(customer, id, 'پولم کم شد ولی سفارش ثبت نشد');

      const seen = await get(agent, `${API}/${id}`);
      expect(seen.status).toBe(200);
      expect(seen.body.id).toBe(id);
      expect(seen.body.members.map((m: Member) => m.userId)).toEqual([customer.user.id]);
      const history = await get(agent, `${API}/${id}/messages`);
      expect(history.status).toBe(200);
      expect(history.body.items).toEqual([question]);

      const answer = await t.request('POST', `${API}/${id}/messages`, {
        token: agent.accessToken,
        body: { clientMsgId: 'agent-1', body: 'بررسی می‌کنم' },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ senderId: agent.user.id, seq: question.seq + 1 });
      const joined = await get(customer, `${API}/${id}`);
      expect(roles(joined.body.members)).toEqual({
        [customer.user.id]: 'customer',
        [agent.user.id]: 'agent',
      });
      expect(joined.body.unreadCount).toBe(1);

      const byAgent = await t.request('POST', API, {
        token: agent.accessToken,
        body: { kind: 'support', subject: 'agents do not open tickets' },
      });
      expect(byAgent.status).toBe(403);

      for (const path of [`${API}/${id}`, `${API}/${id}/messages`]) {
        const refused = await get(other, path);
        expect(refused.status).toBe(404);
        expect(refused.body.error.code).toBe('conversation/not_found');
      }
      const otherSend = await t.request('POST', `${API}/${id}/messages`, {
        token: other.accessToken,
        body: { clientMsgId: 'intruder', body: 'hello?' },
      });
      expect(otherSend.status).toBe(404);
      expect(otherSend.body.error.code).toBe('conversation/not_found');
      expect((await get(customer, `${API}/${id}/messages`)).body.items).toHaveLength(2);
    });
  });

  describe('list', () => {
    it('lists only my conversations, most recently active first, with last message and unread count', async () => {
      const [me, a, b, c] = await signInAll('Me', 'A', 'B', 'C');
      const support = await t.request('POST', API, {
        token: me.accessToken,
        body: { kind: 'support', subject: 'help' },
      });
      const d1 = (await createDirect(me, a.user.id)).body as Conversation;
      const d2 = (await createDirect(me, b.user.id)).body as Conversation;
      const g1 = await createGroup(a, 'A group', [me.user.id, b.user.id]);
      const g2 = await createGroup(me, 'My group', [c.user.id]);
      const notMine = (await createDirect(a, b.user.id)).body as Conversation;
      const s1 = support.body as Conversation;
      await tick();

      await send(me, s1.id, 'my question');
      await tick();
      const ownInG2 = await send(me, g2.id, 'hello group');
      await tick();
      const fromA = [await send(a, d1.id, 'a1'), await send(a, d1.id, 'a2'), await send(a, d1.id, 'a3')];
      const ownInD1 = await send(me, d1.id, 'mine');
      await tick();
      await send(b, g1.id, 'b1');
      await send(b, g1.id, 'b2');
      const lastInG1 = await send(a, g1.id, 'a-in-group');
      await tick();
      await send(a, notMine.id, 'not for me');
      const deleted = await t.request('DELETE', `${API}/${d1.id}/messages/${fromA[0]!.id}`, {
        token: a.accessToken,
      });
      expect(deleted.status).toBe(204);

      const all = await list(me);
      expect(all.nextCursor).toBeNull();
      expect(all.items.map((c) => c.id)).toEqual([g1.id, d1.id, g2.id, s1.id, d2.id]);
      const byId = new Map(all.items.map((c) => [c.id, c]));
      expect(byId.get(g1.id)).toMatchObject({ unreadCount: 3, lastReadSeq: 0, lastSeq: 3, memberCount: 3 });
      expect(byId.get(g1.id)!.lastMessage).toEqual(lastInG1);
      // Three from A, one of them deleted; my own one does not count.
      expect(byId.get(d1.id)).toMatchObject({ unreadCount: 2, lastSeq: 4, memberCount: 2 });
      expect(byId.get(d1.id)!.lastMessage).toEqual(ownInD1);
      expect(byId.get(g2.id)).toMatchObject({ unreadCount: 0, lastSeq: 1 });
      expect(byId.get(g2.id)!.lastMessage).toEqual(ownInG2);
      expect(byId.get(s1.id)).toMatchObject({ unreadCount: 0, lastSeq: 1, status: 'open' });
      expect(byId.get(d2.id)).toMatchObject({ unreadCount: 0, lastSeq: 0, lastMessage: null });
      // GET of one conversation agrees with the list.
      expect((await get(me, `${API}/${d1.id}`)).body.unreadCount).toBe(2);

      const read = await t.request('POST', `${API}/${d1.id}/read`, {
        token: me.accessToken,
        body: { seq: ownInD1.seq },
      });
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ lastReadSeq: ownInD1.seq });
      const partly = await t.request('POST', `${API}/${g1.id}/read`, {
        token: me.accessToken,
        body: { seq: 1 },
      });
      expect(partly.body).toEqual({ lastReadSeq: 1 });
      // A marker past the last message stops at it.
      const past = await t.request('POST', `${API}/${g2.id}/read`, {
        token: me.accessToken,
        body: { seq: 99 },
      });
      expect(past.body).toEqual({ lastReadSeq: 1 });

      const afterRead = new Map((await list(me)).items.map((c) => [c.id, c]));
      expect(afterRead.get(d1.id)).toMatchObject({ unreadCount: 0, lastReadSeq: 4 });
      expect(afterRead.get(g1.id)).toMatchObject({ unreadCount: 2, lastReadSeq: 1 });
      // Another member's view is their own.
      const aView = new Map((await list(a)).items.map((c) => [c.id, c]));
      expect(aView.get(d1.id)).toMatchObject({ unreadCount: 1, lastReadSeq: 0 });
      expect(aView.get(notMine.id)).toMatchObject({ unreadCount: 0 });

      expect((await list(me, '?kind=group')).items.map((c) => c.id)).toEqual([g1.id, g2.id]);
      expect((await list(me, '?kind=direct')).items.map((c) => c.id)).toEqual([d1.id, d2.id]);
      expect((await list(me, '?kind=support')).items.map((c) => c.id)).toEqual([s1.id]);

      const walked: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const page = await list(me, query);
        walked.push(...page.items.map((c) => c.id));
        pageSizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor && pageSizes.length < 10);
      expect(walked).toEqual([g1.id, d1.id, g2.id, s1.id, d2.id]);
      expect(pageSizes).toEqual([2, 2, 1]);

      const groups = await list(me, '?kind=group&limit=1');
      expect(groups.items.map((c) => c.id)).toEqual([g1.id]);
      const nextGroups = await list(me, `?kind=group&limit=1&cursor=${groups.nextCursor}`);
      expect(nextGroups.items.map((c) => c.id)).toEqual([g2.id]);
    });

    it('refuses garbage cursors and out-of-range limits', async () => {
      const me = await signIn('Picky');
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const garbage = [
        'garbage',
        '!!!!',
        b64('not a date|00000000-0000-4000-8000-000000000000'),
        b64(`2024-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
        b64(`2024-01-01T00:00:00.000Z|${'f'.repeat(36)}`),
        b64('2024-01-01T00:00:00.000Z'),
        b64('+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000'),
        b64('-000001-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000'),
        b64('0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000'),
        b64('2024-02-30T00:00:00.000Z|00000000-0000-4000-8000-000000000000'),
        'x'.repeat(101),
      ];
      for (const cursor of garbage) {
        const res = await get(me, `${API}?cursor=${encodeURIComponent(cursor)}`);
        expect({ cursor, status: res.status, code: res.body?.error?.code }).toEqual({
          cursor,
          status: 400,
          code: 'validation/invalid',
        });
      }
      for (const limit of ['0', '101', '-1', 'abc', '1.5']) {
        const res = await get(me, `${API}?limit=${limit}`);
        expect({ limit, status: res.status, code: res.body?.error?.code }).toEqual({
          limit,
          status: 400,
          code: 'validation/invalid',
        });
      }
      expect((await get(me, `${API}?kind=channel`)).status).toBe(400);
      expect((await get(me, `${API}?limit=100`)).status).toBe(200);
    });
  });

  describe('authorization and existence', () => {
    it('answers a non-member exactly as for a conversation that does not exist', async () => {
      const [alice, bob, eve] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Eve')]);
      const group = await createGroup(alice, 'Private', [bob.user.id]);
      const message = await send(alice, group.id, 'secret');

      const attempts = (conversationId: string, messageId: string) =>
        [
          ['GET', `${API}/${conversationId}`, undefined],
          ['GET', `${API}/${conversationId}/messages`, undefined],
          ['POST', `${API}/${conversationId}/messages`, { clientMsgId: randomUUID(), body: 'hi' }],
          ['POST', `${API}/${conversationId}/members`, { userIds: [eve.user.id] }],
          ['DELETE', `${API}/${conversationId}/members/${bob.user.id}`, undefined],
          ['DELETE', `${API}/${conversationId}/members/${eve.user.id}`, undefined],
          ['POST', `${API}/${conversationId}/read`, { seq: 1 }],
          ['PATCH', `${API}/${conversationId}/messages/${messageId}`, { body: 'changed' }],
          ['DELETE', `${API}/${conversationId}/messages/${messageId}`, undefined],
        ] as const;

      const real = attempts(group.id, message.id);
      const missing = attempts(randomUUID(), randomUUID());
      for (let i = 0; i < real.length; i++) {
        const [method, path, body] = real[i]!;
        const [, missingPath, missingBody] = missing[i]!;
        const asStranger = await t.request(method, path, { token: eve.accessToken, body });
        const forMissing = await t.request(method, missingPath, {
          token: eve.accessToken,
          body: missingBody,
        });
        expect({ method, path, status: asStranger.status, body: asStranger.body }).toEqual({
          method,
          path,
          status: 404,
          body: { error: { code: 'conversation/not_found', message: expect.any(String) } },
        });
        expect(forMissing.status).toBe(404);
        expect(forMissing.body).toEqual(asStranger.body);
      }

      // Nothing changed behind the refusals.
      const after = await get(alice, `${API}/${group.id}`);
      expect(roles(after.body.members)).toEqual({ [alice.user.id]: 'owner', [bob.user.id]: 'member' });
      const history = await get(alice, `${API}/${group.id}/messages`);
      expect(history.body.items).toEqual([message]);
    });

    it('answers a malformed id with 400 and a missing token with 401', async () => {
      const alice = await signIn('Alice');
      const id = randomUUID();
      const routes = [
        ['GET', `${API}/not-a-uuid`, undefined],
        ['GET', `${API}/not-a-uuid/messages`, undefined],
        ['POST', `${API}/not-a-uuid/messages`, { clientMsgId: 'x', body: 'hi' }],
        ['POST', `${API}/not-a-uuid/members`, { userIds: [alice.user.id] }],
        ['DELETE', `${API}/not-a-uuid/members/${alice.user.id}`, undefined],
        ['DELETE', `${API}/${id}/members/not-a-uuid`, undefined],
        ['POST', `${API}/not-a-uuid/read`, { seq: 1 }],
        ['PATCH', `${API}/${id}/messages/not-a-uuid`, { body: 'x' }],
        ['DELETE', `${API}/${id}/messages/not-a-uuid`, undefined],
      ] as const;
      for (const [method, path, body] of routes) {
        const res = await t.request(method, path, { token: alice.accessToken, body });
        expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({
          method,
          path,
          status: 400,
          code: 'validation/invalid',
        });
      }

      const unauthenticated = [
        ['GET', API, undefined],
        ['POST', API, { kind: 'direct', userId: alice.user.id }],
        ['GET', `${API}/${id}`, undefined],
        ['GET', `${API}/${id}/messages`, undefined],
        ['POST', `${API}/${id}/messages`, { clientMsgId: 'x', body: 'hi' }],
        ['POST', `${API}/${id}/members`, { userIds: [alice.user.id] }],
        ['DELETE', `${API}/${id}/members/${alice.user.id}`, undefined],
        ['POST', `${API}/${id}/read`, { seq: 1 }],
        ['PATCH', `${API}/${id}/messages/${id}`, { body: 'x' }],
        ['DELETE', `${API}/${id}/messages/${id}`, undefined],
        // A malformed id still answers 401 first: the token is checked before anything else.
        ['GET', `${API}/not-a-uuid`, undefined],
      ] as const;
      for (const [method, path, body] of unauthenticated) {
        const res = await t.request(method, path, { body });
        expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({
          method,
          path,
          status: 401,
          code: 'auth/unauthenticated',
        });
      }
      const badToken = await t.request('GET', API, { token: 'not-a-jwt' });
      expect(badToken.status).toBe(401);
    });
  });
});
