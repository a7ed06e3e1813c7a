import { randomUUID } from 'node:crypto';
import type { Ack, Conversation, Message, Pin, Reaction } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type ClientSocket, call, connect, next } from './support/sockets.js';

const API = '/api/v1/conversations';

/** A socket call that must succeed: its ack's fields. */
async function ok<T extends object>(ack: Promise<Ack<T>>): Promise<T> {
  const reply = await ack;
  if (!reply.ok) throw new Error(`refused: ${JSON.stringify(reply)}`);
  return reply;
}

/**
 * Issue 18's everyday chat on the server: replies, forwards, reactions, pins, delete for me,
 * former members' names and receipts, group system messages, admins and the description.
 */
describe.each(BACKENDS)('everyday chat on %s', (backend) => {
  let t: TestApp;
  const open: ClientSocket[] = [];

  const signIn = (name: string) => t.signIn(uniquePhone(), name);
  const socketOf = async (who: AuthResult) => {
    const s = await connect(t.url, who.accessToken);
    open.push(s);
    return s;
  };
  const group = async (owner: AuthResult, members: AuthResult[], title = 'Friends') => {
    const res = await t.request('POST', API, {
      token: owner.accessToken,
      body: { kind: 'group', title, memberIds: members.map((m) => m.user.id) },
    });
    expect(res.status).toBe(201);
    return res.body as Conversation;
  };
  const direct = async (a: AuthResult, b: AuthResult) => {
    const res = await t.request('POST', API, {
      token: a.accessToken,
      body: { kind: 'direct', userId: b.user.id },
    });
    return res.body as Conversation;
  };
  const send = async (who: AuthResult, conversationId: string, body: Record<string, unknown>) =>
    t.request('POST', `${API}/${conversationId}/messages`, {
      token: who.accessToken,
      body: { clientMsgId: randomUUID(), ...body },
    });
  const say = async (who: AuthResult, conversationId: string, text: string) => {
    const res = await send(who, conversationId, { body: text });
    expect(res.status).toBe(201);
    return res.body as Message;
  };
  const history = async (who: AuthResult, conversationId: string) => {
    const res = await t.request('GET', `${API}/${conversationId}/messages`, { token: who.accessToken });
    expect(res.status).toBe(200);
    return res.body.items as Message[];
  };
  const detail = async (who: AuthResult, conversationId: string) => {
    const res = await t.request('GET', `${API}/${conversationId}`, { token: who.accessToken });
    expect(res.status).toBe(200);
    return res.body as Conversation;
  };

  beforeAll(async () => {
    t = await startTestApp({ backend });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  describe('replies', () => {
    it('quotes the replied message in the ack, the broadcast, history and sync', async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const conversation = await direct(alice, bob);
      const question = await say(alice, conversation.id, 'ناهار کجا برویم؟');
      const b = await socketOf(bob);
      const onBob = next(b, 'message:new', (m: Message) => m.replyTo !== undefined);
      const a = await socketOf(alice);
      const ack = await ok(
        call<{ message: Message }>(a, 'message:send', {
          conversationId: conversation.id,
          clientMsgId: randomUUID(),
          body: 'همان همیشگی',
          replyToSeq: question.seq,
        }),
      );
      const quote = {
        seq: question.seq,
        id: question.id,
        senderId: alice.user.id,
        body: 'ناهار کجا برویم؟',
        attachmentKind: null,
        deleted: false,
      };
      expect(ack.message.replyTo).toEqual(quote);
      expect((await onBob).replyTo).toEqual(quote);
      const items = await history(bob, conversation.id);
      expect(items.at(-1)!.replyTo).toEqual(quote);
      expect(items[0]!.replyTo).toBeUndefined();
      const synced = await ok(
        call<{ conversations: { messages: Message[] }[] }>(b, 'sync', {
          since: { [conversation.id]: question.seq },
        }),
      );
      expect(synced.conversations[0]!.messages[0]!.replyTo).toEqual(quote);

      // The quoted message deleted: the quote says so and keeps no text.
      await t.request('DELETE', `${API}/${conversation.id}/messages/${question.id}`, {
        token: alice.accessToken,
      });
      const after = await history(bob, conversation.id);
      expect(after.at(-1)!.replyTo).toMatchObject({ seq: question.seq, deleted: true, body: null });
    });

    it('refuses a reply to a seq that is not in the conversation, and a plain text carries no extras', async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const conversation = await direct(alice, bob);
      const plain = await say(alice, conversation.id, 'hi');
      expect(Object.keys(plain).sort()).toEqual(
        [
          'body',
          'clientMsgId',
          'conversationId',
          'createdAt',
          'deletedAt',
          'editedAt',
          'id',
          'kind',
          'senderId',
          'seq',
        ].sort(),
      );
      const res = await send(alice, conversation.id, { body: 'to nothing', replyToSeq: 99 });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('message/reply_not_found');
      // Someone outside cannot probe which seqs exist: answered as for any conversation they may not see.
      const eve = await signIn('Eve');
      for (const seq of [plain.seq, 99]) {
        const probe = await send(eve, conversation.id, { body: 'x', replyToSeq: seq });
        expect([probe.status, probe.body.error.code]).toEqual([404, 'conversation/not_found']);
      }
      const empty = await send(alice, conversation.id, {});
      expect(empty.status).toBe(400);
      expect(empty.body.error.code).toBe('validation/invalid');
    });
  });

  describe('forwards', () => {
    it('copies the text with its first author, only from a conversation the sender can read', async () => {
      const [alice, bob, carol, eve] = await Promise.all([
        signIn('Alice'),
        signIn('Bob'),
        signIn('Carol'),
        signIn('Eve'),
      ]);
      const ab = await direct(alice, bob);
      const bc = await direct(bob, carol);
      const original = await say(alice, ab.id, 'خبر خوب!');
      const fwd = await send(bob, bc.id, { forward: { conversationId: ab.id, messageId: original.id } });
      expect(fwd.status).toBe(201);
      expect(fwd.body).toMatchObject({
        body: 'خبر خوب!',
        forwarded: { senderId: alice.user.id, name: 'Alice' },
      });
      // Forwarded again, it still names Alice.
      const cd = await direct(carol, eve);
      const again = await send(carol, cd.id, { forward: { conversationId: bc.id, messageId: fwd.body.id } });
      expect(again.body.forwarded).toEqual({ senderId: alice.user.id, name: 'Alice' });
      // Eve cannot forward what she cannot read: answered as not found.
      const ed = await direct(eve, alice);
      const stolen = await send(eve, ed.id, { forward: { conversationId: ab.id, messageId: original.id } });
      expect(stolen.status).toBe(404);
      expect(stolen.body.error.code).toBe('conversation/not_found');
      const mixed = await send(bob, bc.id, {
        body: 'x',
        forward: { conversationId: ab.id, messageId: original.id },
      });
      expect(mixed.status).toBe(400);
    });
  });

  describe('reactions', () => {
    it('keeps one reaction per person, announces changes over the socket, and shows them in history', async () => {
      const [alice, bob, carol] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Carol')]);
      const g = await group(alice, [bob, carol]);
      const message = await say(alice, g.id, 'تولدت مبارک');
      const a = await socketOf(alice);
      const onAlice = next(a, 'message:reactions', (e: { reactions: Reaction[] }) =>
        e.reactions.some((r) => r.emoji === '❤️'),
      );
      const put = await t.request('PUT', `${API}/${g.id}/messages/${message.id}/reaction`, {
        token: bob.accessToken,
        body: { emoji: '❤️' },
      });
      expect(put.status).toBe(200);
      expect(put.body.reactions).toEqual([{ emoji: '❤️', count: 1, userIds: [bob.user.id] }]);
      expect(await onAlice).toEqual({
        conversationId: g.id,
        id: message.id,
        seq: message.seq,
        reactions: [{ emoji: '❤️', count: 1, userIds: [bob.user.id] }],
      });
      const c = await socketOf(carol);
      const viaSocket = await ok(
        call<{ reactions: Reaction[] }>(c, 'message:react', {
          conversationId: g.id,
          messageId: message.id,
          emoji: '❤️',
        }),
      );
      expect(viaSocket.reactions).toEqual([{ emoji: '❤️', count: 2, userIds: [bob.user.id, carol.user.id] }]);
      // Bob changes his mind: one reaction per person.
      await t.request('PUT', `${API}/${g.id}/messages/${message.id}/reaction`, {
        token: bob.accessToken,
        body: { emoji: '😂' },
      });
      const [seen] = (await history(alice, g.id)).filter((m) => m.id === message.id);
      expect(seen!.reactions).toEqual([
        // In the order each emoji was first given: Carol's heart stayed, Bob's laugh came after.
        { emoji: '❤️', count: 1, userIds: [carol.user.id] },
        { emoji: '😂', count: 1, userIds: [bob.user.id] },
      ]);
      const back = await t.request('DELETE', `${API}/${g.id}/messages/${message.id}/reaction`, {
        token: bob.accessToken,
      });
      expect(back.body.reactions).toEqual([{ emoji: '❤️', count: 1, userIds: [carol.user.id] }]);
    });

    it('refuses an emoji outside the set, a non-member and a deleted message', async () => {
      const [alice, bob, eve] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Eve')]);
      const conversation = await direct(alice, bob);
      const message = await say(alice, conversation.id, 'x');
      const path = `${API}/${conversation.id}/messages/${message.id}/reaction`;
      const odd = await t.request('PUT', path, { token: bob.accessToken, body: { emoji: '🍕' } });
      expect(odd.status).toBe(400);
      const stranger = await t.request('PUT', path, { token: eve.accessToken, body: { emoji: '👍' } });
      expect(stranger.status).toBe(404);
      expect(stranger.body.error.code).toBe('conversation/not_found');
      await t.request('DELETE', `${API}/${conversation.id}/messages/${message.id}`, {
        token: alice.accessToken,
      });
      const gone = await t.request('PUT', path, { token: bob.accessToken, body: { emoji: '👍' } });
      expect(gone.status).toBe(409);
      expect(gone.body.error.code).toBe('message/deleted');
    });
  });

  describe('pins', () => {
    it("lets a group's admins pin for everyone, tells the group, and refuses plain members", async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const g = await group(alice, [bob]);
      const rules = await say(bob, g.id, 'قوانین گروه: مهربان باشید');
      const byMember = await t.request('POST', `${API}/${g.id}/pins`, {
        token: bob.accessToken,
        body: { messageId: rules.id },
      });
      expect(byMember.status).toBe(403);
      const b = await socketOf(bob);
      const onBob = next(b, 'conversation:pins', (e: { pins: Pin[] }) => e.pins.length === 1);
      const pinned = await t.request('POST', `${API}/${g.id}/pins`, {
        token: alice.accessToken,
        body: { messageId: rules.id },
      });
      expect(pinned.status).toBe(200);
      expect(pinned.body.pins).toEqual([
        { messageId: rules.id, seq: rules.seq, pinnedBy: alice.user.id, pinnedAt: expect.any(String) },
      ]);
      expect((await onBob).pins[0]!.messageId).toBe(rules.id);
      expect((await detail(bob, g.id)).pins).toEqual(pinned.body.pins);
      const system = (await history(bob, g.id)).at(-1)!;
      expect(system).toMatchObject({
        kind: 'system',
        senderId: null,
        system: { action: 'pinned', actorId: alice.user.id, userIds: [], value: String(rules.seq) },
      });
      // Pinning twice changes nothing; unpinning empties the list.
      const twice = await t.request('POST', `${API}/${g.id}/pins`, {
        token: alice.accessToken,
        body: { messageId: rules.id },
      });
      expect(twice.body.pins).toHaveLength(1);
      const unpinned = await t.request('DELETE', `${API}/${g.id}/pins/${rules.id}`, {
        token: alice.accessToken,
      });
      expect(unpinned.body.pins).toEqual([]);
      // In a direct conversation either person pins.
      const d = await direct(alice, bob);
      const m = await say(alice, d.id, 'آدرس: خیابان ولیعصر');
      const inDirect = await t.request('POST', `${API}/${d.id}/pins`, {
        token: bob.accessToken,
        body: { messageId: m.id },
      });
      expect(inDirect.status).toBe(200);
    });
  });

  describe('delete for me', () => {
    it("hides the message from my history and sync on every device, keeps its seq, and leaves others' alone", async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const conversation = await direct(alice, bob);
      const message = await say(bob, conversation.id, 'یک عکس بد');
      await say(bob, conversation.id, 'ببخشید');
      const otherDevice = await socketOf(alice);
      const onOther = next(otherDevice, 'message:hidden');
      const hide = await t.request('POST', `${API}/${conversation.id}/messages/${message.id}/hide`, {
        token: alice.accessToken,
      });
      expect(hide.status).toBe(204);
      expect(await onOther).toEqual({ conversationId: conversation.id, id: message.id, seq: message.seq });
      const mine = await history(alice, conversation.id);
      expect(mine.map((m) => [m.seq, m.hidden ?? false, m.body])).toEqual([
        [1, true, null],
        [2, false, 'ببخشید'],
      ]);
      const synced = await ok(
        call<{ conversations: { messages: Message[] }[] }>(otherDevice, 'sync', {
          since: { [conversation.id]: 0 },
        }),
      );
      expect(synced.conversations[0]!.messages[0]).toMatchObject({ seq: 1, hidden: true, body: null });
      const theirs = await history(bob, conversation.id);
      expect(theirs[0]).toMatchObject({ seq: 1, body: 'یک عکس بد' });
      expect(theirs[0]!.hidden).toBeUndefined();
    });

    it('shows reactions and what the reader hid on one page, each reader their own hidden', async () => {
      const [alice, bob, carol] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Carol')]);
      const g = await group(alice, [bob, carol]);
      const first = await say(carol, g.id, 'اولی');
      const second = await say(carol, g.id, 'دومی');
      await say(carol, g.id, 'سومی');
      const react = async (who: AuthResult, messageId: string, emoji: string) =>
        expect(
          (
            await t.request('PUT', `${API}/${g.id}/messages/${messageId}/reaction`, {
              token: who.accessToken,
              body: { emoji },
            })
          ).status,
        ).toBe(200);
      const hide = async (who: AuthResult, messageId: string) =>
        expect(
          (await t.request('POST', `${API}/${g.id}/messages/${messageId}/hide`, { token: who.accessToken }))
            .status,
        ).toBe(204);
      await react(carol, first.id, '❤️');
      await react(alice, second.id, '😂');
      await react(bob, second.id, '😂');
      await hide(alice, first.id);
      await hide(bob, second.id);
      const page = (messages: Message[]) =>
        messages.map((m) => [m.seq, m.hidden ?? false, m.body, m.reactions ?? []]);
      expect(page(await history(alice, g.id))).toEqual([
        [1, true, null, []],
        [2, false, 'دومی', [{ emoji: '😂', count: 2, userIds: [alice.user.id, bob.user.id] }]],
        [3, false, 'سومی', []],
      ]);
      expect(page(await history(bob, g.id))).toEqual([
        [1, false, 'اولی', [{ emoji: '❤️', count: 1, userIds: [carol.user.id] }]],
        [2, true, null, []],
        [3, false, 'سومی', []],
      ]);
      expect(page(await history(carol, g.id)).map(([seq, hidden]) => [seq, hidden])).toEqual([
        [1, false],
        [2, false],
        [3, false],
      ]);
      const synced = await ok(
        call<{ conversations: { messages: Message[] }[] }>(await socketOf(alice), 'sync', {
          since: { [g.id]: 0 },
        }),
      );
      expect(page(synced.conversations[0]!.messages)).toEqual(page(await history(alice, g.id)));
    });
  });

  describe('groups', () => {
    it('keeps the names and read markers of people who left, and says who added, removed and left', async () => {
      const [alice, bob, carol] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Carol')]);
      const g = await group(alice, [bob]);
      const fromBob = await say(bob, g.id, 'سلام به همه');
      const hello = await say(alice, g.id, 'خوش آمدی');
      await t.request('POST', `${API}/${g.id}/read`, { token: bob.accessToken, body: { seq: hello.seq } });
      const added = await t.request('POST', `${API}/${g.id}/members`, {
        token: alice.accessToken,
        body: { userIds: [carol.user.id] },
      });
      expect(added.body.added).toEqual([carol.user.id]);
      const left = await t.request('DELETE', `${API}/${g.id}/members/${bob.user.id}`, {
        token: bob.accessToken,
      });
      expect(left.status).toBe(204);

      const seen = await detail(alice, g.id);
      expect(seen.members.map((m) => m.name).sort()).toEqual(['Alice', 'Carol']);
      expect(seen.formerMembers).toEqual([
        { userId: bob.user.id, name: 'Bob', lastReadSeq: hello.seq, leftAt: expect.any(String) },
      ]);
      const items = await history(alice, g.id);
      expect(items.find((m) => m.id === fromBob.id)!.senderId).toBe(bob.user.id);
      expect(items.filter((m) => m.kind === 'system').map((m) => m.system)).toEqual([
        { action: 'added', actorId: alice.user.id, userIds: [carol.user.id], value: null },
        { action: 'left', actorId: bob.user.id, userIds: [], value: null },
      ]);

      // Bob is told why, not "not found"; added back, he is a member with his marker where he left it.
      const refused = await t.request('GET', `${API}/${g.id}`, { token: bob.accessToken });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('conversation/removed');
      await t.request('POST', `${API}/${g.id}/members`, {
        token: alice.accessToken,
        body: { userIds: [bob.user.id] },
      });
      const back = await detail(bob, g.id);
      expect(back.lastReadSeq).toBe(hello.seq);
      expect(back.formerMembers).toEqual([]);
    });

    it('lets the owner promote and demote, an admin promote only, and tells the group', async () => {
      const [alice, bob, carol, dan] = await Promise.all([
        signIn('Alice'),
        signIn('Bob'),
        signIn('Carol'),
        signIn('Dan'),
      ]);
      const g = await group(alice, [bob, carol, dan]);
      const role = (who: AuthResult, userId: string, value: 'admin' | 'member') =>
        t.request('PATCH', `${API}/${g.id}/members/${userId}`, {
          token: who.accessToken,
          body: { role: value },
        });
      expect((await role(bob, carol.user.id, 'admin')).status).toBe(403);
      expect((await role(alice, bob.user.id, 'admin')).status).toBe(204);
      expect((await role(bob, carol.user.id, 'admin')).status).toBe(204);
      expect((await role(bob, carol.user.id, 'member')).status).toBe(403);
      expect((await role(bob, alice.user.id, 'member')).status).toBe(403);
      expect((await role(alice, carol.user.id, 'member')).status).toBe(204);
      expect((await role(alice, randomUUID(), 'admin')).status).toBe(404);
      const bad = await t.request('PATCH', `${API}/${g.id}/members/${dan.user.id}`, {
        token: alice.accessToken,
        body: { role: 'owner' },
      });
      expect(bad.status).toBe(400);
      const roles = Object.fromEntries((await detail(dan, g.id)).members.map((m) => [m.name, m.role]));
      expect(roles).toEqual({ Alice: 'owner', Bob: 'admin', Carol: 'member', Dan: 'member' });
      const events = (await history(dan, g.id))
        .filter((m) => m.kind === 'system')
        .map((m) => m.system!.action);
      expect(events).toEqual(['promoted', 'promoted', 'demoted']);
    });

    it("changes a group's title and description (owner and admins only) and announces it", async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const g = await group(alice, [bob]);
      const b = await socketOf(bob);
      const onUpdate = next(b, 'conversation:updated');
      const res = await t.request('PATCH', `${API}/${g.id}`, {
        token: alice.accessToken,
        body: { title: 'کوه‌نوردان', description: 'برنامهٔ جمعه‌ها' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: 'کوه‌نوردان', description: 'برنامهٔ جمعه‌ها' });
      expect(await onUpdate).toEqual({ conversationId: g.id });
      const byMember = await t.request('PATCH', `${API}/${g.id}`, {
        token: bob.accessToken,
        body: { description: 'hacked' },
      });
      expect(byMember.status).toBe(403);
      const tooLong = await t.request('PATCH', `${API}/${g.id}`, {
        token: alice.accessToken,
        body: { description: 'x'.repeat(501) },
      });
      expect(tooLong.status).toBe(400);
      const nothing = await t.request('PATCH', `${API}/${g.id}`, { token: alice.accessToken, body: {} });
      expect(nothing.status).toBe(400);
      const cleared = await t.request('PATCH', `${API}/${g.id}`, {
        token: alice.accessToken,
        body: { description: '' },
      });
      expect(cleared.body.description).toBeNull();
      const events = (await history(bob, g.id)).filter((m) => m.kind === 'system').map((m) => m.system);
      expect(events).toEqual([
        { action: 'title', actorId: alice.user.id, userIds: [], value: 'کوه‌نوردان' },
        { action: 'description', actorId: alice.user.id, userIds: [], value: 'برنامهٔ جمعه‌ها' },
        { action: 'description', actorId: alice.user.id, userIds: [], value: null },
      ]);
      const d = await direct(alice, bob);
      const notGroup = await t.request('PATCH', `${API}/${d.id}`, {
        token: alice.accessToken,
        body: { title: 'x' },
      });
      expect(notGroup.status).toBe(400);
    });
  });
});
