import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { actor, fakeChat, recordingLive } from '../../../test/support/fakes.js';
import type { BatchOutcome } from './message.repository.js';
import { MessageService, type MessageSink } from './message.service.js';

/** A message service over the in-memory chat, with a writer that answers `outcomes` in turn. */
function build() {
  const outcomes: BatchOutcome[] = [];
  const chat = fakeChat();
  const live = recordingLive();
  const writes: Parameters<MessageSink['write']>[0][] = [];
  const joined: string[] = [];
  const writer: MessageSink = {
    write: async (input) => {
      writes.push(input);
      const next = outcomes.shift();
      if (!next) throw new Error('the test gave no more outcomes');
      return next;
    },
  };
  const conversationService = {
    joinAsStaff: async (who: { id: string }, conversationId: string) => {
      joined.push(`${who.id}:${conversationId}`);
    },
  };
  const service = new MessageService({
    writer,
    messages: chat.messages,
    conversations: chat.conversations,
    conversationService,
    live,
  });
  /** What the writer answers to the next writes. */
  const answer = (...next: BatchOutcome[]) => outcomes.push(...next);
  return { service, chat, live, writes, joined, answer };
}

describe(MessageService.name, () => {
  it('answers a stored message with its ack and announces it for the other members, naming the socket it came from', async () => {
    const alice = actor();
    const t = build();
    const conversation = t.chat.given.conversation({ kind: 'direct' });
    const stored = t.chat.given.message(conversation.id, alice.id, 'سلام', 'c-1');
    t.answer({ outcome: 'stored', message: stored });
    const reply = await t.service.send(
      alice,
      { conversationId: conversation.id, clientMsgId: 'c-1', body: 'سلام' },
      'socket-1',
    );
    expect(reply).toMatchObject({ duplicate: false, message: { id: stored.id, seq: 1, body: 'سلام' } });
    expect(t.writes).toEqual([
      {
        conversationId: conversation.id,
        clientMsgId: 'c-1',
        body: 'سلام',
        senderId: alice.id,
        // A plain text: no reply, no attachment or forward.
        replyToSeq: null,
        meta: null,
      },
    ]);
    expect(t.live.published).toEqual([
      { event: 'message.created', payload: { message: stored, origin: 'socket-1' } },
    ]);
  });

  it('returns the first ack when the same clientMsgId is sent twice, and announces a fresh one again', async () => {
    const alice = actor();
    const t = build();
    const conversation = t.chat.given.conversation({ kind: 'direct' });
    const first = t.chat.given.message(conversation.id, alice.id, 'once', 'c-2');
    t.answer({ outcome: 'duplicate', first });
    const reply = await t.service.send(
      alice,
      { conversationId: conversation.id, clientMsgId: 'c-2', body: 'once' },
      'socket-2',
    );
    expect(reply).toMatchObject({ duplicate: true, message: { id: first.id, seq: first.seq } });
    // Its first announcement may never have gone (an ack that failed after the commit).
    expect(t.live.published).toEqual([
      { event: 'message.created', payload: { message: first, origin: 'socket-2' } },
    ]);
  });

  it('announces nothing for the duplicate of a message stored long ago', async () => {
    const alice = actor();
    const t = build();
    const conversation = t.chat.given.conversation({ kind: 'direct' });
    const first = t.chat.given.message(conversation.id, alice.id, 'old', 'c-old');
    first.createdAt = new Date(Date.now() - 20 * 60_000);
    t.answer({ outcome: 'duplicate', first });
    const reply = await t.service.send(alice, {
      conversationId: conversation.id,
      clientMsgId: 'c-old',
      body: 'old',
    });
    expect(reply.duplicate).toBe(true);
    expect(t.live.published).toEqual([]);
  });

  it('refuses a clientMsgId reused for another conversation with 409, never answering with that message', async () => {
    const alice = actor();
    const t = build();
    const elsewhere = t.chat.given.conversation({ kind: 'direct' });
    const first = t.chat.given.message(elsewhere.id, alice.id, 'there', 'c-3');
    t.answer({ outcome: 'duplicate', first });
    const other = t.chat.given.conversation({ kind: 'direct' });
    await expect(
      t.service.send(alice, { conversationId: other.id, clientMsgId: 'c-3', body: 'here' }),
    ).rejects.toMatchObject({ status: 409, code: 'message/client_id_conflict' });
  });

  it('lets an agent answer a support conversation they have not joined: joins it, then writes again', async () => {
    const agent = actor('agent');
    const t = build();
    const support = t.chat.given.conversation({ kind: 'support' });
    const stored = t.chat.given.message(support.id, agent.id, 'چطور کمک کنم؟');
    t.answer({ outcome: 'not_member' }, { outcome: 'stored', message: stored });
    const reply = await t.service.send(agent, {
      conversationId: support.id,
      clientMsgId: 'a-1',
      body: 'چطور کمک کنم؟',
    });
    expect(reply.duplicate).toBe(false);
    expect(t.joined).toEqual([`${agent.id}:${support.id}`]);
    expect(t.writes).toHaveLength(2);
  });

  it('answers 404 to a non-member, exactly as for a conversation that does not exist, and joins nobody', async () => {
    const t = build();
    t.answer({ outcome: 'not_member' }, { outcome: 'not_member' });
    const group = t.chat.given.conversation({ kind: 'group' });
    const stranger = actor('customer');
    await expect(
      t.service.send(stranger, { conversationId: group.id, clientMsgId: 'x', body: 'hi' }),
    ).rejects.toMatchObject({ status: 404, code: 'conversation/not_found' });
    // An agent is no member of a group either: support is the only place staff may enter.
    await expect(
      t.service.send(actor('agent'), { conversationId: group.id, clientMsgId: 'y', body: 'hi' }),
    ).rejects.toMatchObject({ status: 404, code: 'conversation/not_found' });
    expect(t.joined).toEqual([]);
  });

  it('edits and deletes only the sender’s live messages, with the reason when it may not', async () => {
    const alice = actor();
    const bob = actor();
    const t = build();
    const conversation = t.chat.given.conversation({ kind: 'direct' });
    t.chat.given.member(conversation.id, alice.id);
    t.chat.given.member(conversation.id, bob.id);
    const mine = t.chat.given.message(conversation.id, alice.id, 'draft');
    await expect(t.service.edit(bob, conversation.id, mine.id, 'theirs')).rejects.toMatchObject({
      status: 403,
      code: 'message/forbidden',
    });
    expect(await t.service.edit(alice, conversation.id, mine.id, 'final')).toMatchObject({ body: 'final' });
    await t.service.delete(alice, conversation.id, mine.id);
    await t.service.delete(alice, conversation.id, mine.id); // again: a no-op
    await expect(t.service.edit(alice, conversation.id, mine.id, 'late')).rejects.toMatchObject({
      status: 409,
      code: 'message/deleted',
    });
    await expect(t.service.edit(alice, conversation.id, randomUUID(), 'x')).rejects.toMatchObject({
      code: 'message/not_found',
    });
    expect(t.live.published.map((p) => p.event)).toEqual(['message.updated', 'message.deleted']);
  });

  it('pages history in ascending order with cursors both ways', async () => {
    const alice = actor();
    const t = build();
    const conversation = t.chat.given.conversation({ kind: 'direct' });
    t.chat.given.member(conversation.id, alice.id);
    for (let i = 1; i <= 5; i++) t.chat.given.message(conversation.id, alice.id, `#${i}`);
    const newest = await t.service.history(alice, conversation.id, { limit: 2 });
    expect(newest).toMatchObject({ items: [{ seq: 4 }, { seq: 5 }], nextCursor: 4 });
    const older = await t.service.history(alice, conversation.id, { before: 4, limit: 2 });
    expect(older).toMatchObject({ items: [{ seq: 2 }, { seq: 3 }], nextCursor: 2 });
    const after = await t.service.history(alice, conversation.id, { after: 3, limit: 5 });
    expect(after).toMatchObject({ items: [{ seq: 4 }, { seq: 5 }], nextCursor: null });
  });

  it('syncs what a client missed, says when there is more, and lists conversations it may no longer see', async () => {
    const alice = actor();
    const t = build();
    const kept = t.chat.given.conversation({ kind: 'direct' });
    const left = t.chat.given.conversation({ kind: 'group' });
    t.chat.given.member(kept.id, alice.id);
    for (let i = 1; i <= 3; i++) t.chat.given.message(kept.id, alice.id, `#${i}`);
    const reply = await t.service.sync(alice, { [kept.id]: 1, [left.id]: 0 }, 1);
    expect(reply.removed).toEqual([left.id]);
    expect(reply.conversations).toMatchObject([
      { conversationId: kept.id, hasMore: true, messages: [{ seq: 2 }] },
    ]);
  });
});
