import type { Conversation, Presence } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { directConversation, ME, textMessage as msg, YOU } from '../test/messages.js';
import {
  applyDeleted,
  applyMessages,
  applyRead,
  type ConversationPage,
  endTyping,
  expireTyping,
  forgetConversation,
  fromOthers,
  memberIds,
  mergePresence,
  sortByActivity,
  startTyping,
  type TypingHints,
  updateConversation,
  withLive,
} from './cache.js';

const THEM = '00000000-0000-4000-8000-00000000000c';
const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000b1';

const conversation = directConversation;
const list = (...items: Conversation[]): ConversationPage => ({ items, nextCursor: null });
const row = (page: ConversationPage, id: string) => page.items.find((c) => c.id === id);
const mine = (conversationId: string, seq: number) => msg(conversationId, seq, { senderId: ME });
const presence = (userId: string, status: Presence['status']): Presence => ({
  userId,
  status,
  lastSeenAt: null,
});

describe(fromOthers.name, () => {
  it('keeps the text messages of other people only', () => {
    const system = msg(A, 3, { senderId: null, kind: 'system' });
    expect(fromOthers([msg(A, 1), mine(A, 2), system], ME)).toEqual([msg(A, 1)]);
  });
});

describe(updateConversation.name, () => {
  it('replaces the one conversation and keeps the others as they were', () => {
    const page = list(conversation(A, 1), conversation(B, 1));
    const next = updateConversation(page, A, (c) => ({ ...c, muted: true }));
    expect(row(next, A)?.muted).toBe(true);
    expect(row(next, B)).toBe(page.items[1]);
  });

  it('returns the same page when the update changes nothing or the conversation is not listed', () => {
    const page = list(conversation(A, 1));
    expect(updateConversation(page, A, (c) => c)).toBe(page);
    expect(updateConversation(page, B, (c) => ({ ...c, muted: true }))).toBe(page);
  });
});

describe(applyMessages.name, () => {
  it('makes the newest message the last one and moves lastSeq up to it', () => {
    const page = applyMessages(list(conversation(A, 1)), [msg(A, 3), msg(A, 2)], { meId: ME, live: false });
    expect(row(page, A)).toMatchObject({ lastSeq: 3, lastMessage: msg(A, 3) });
  });

  it('counts live messages from others past the read marker and lastSeq as unread, not my own', () => {
    let page = list(conversation(A, 1));
    for (const m of [msg(A, 2), msg(A, 3), msg(A, 3), mine(A, 4)]) {
      page = applyMessages(page, [m], { meId: ME, live: true });
    }
    expect(row(page, A)).toMatchObject({ unreadCount: 2, lastSeq: 4 });
  });

  it('counts nothing for messages that are not live (sync, acks, edits)', () => {
    const page = applyMessages(list(conversation(A, 1)), [msg(A, 2), msg(A, 3)], { meId: ME, live: false });
    expect(row(page, A)?.unreadCount).toBe(0);
  });

  it('keeps a newer last message when an older one arrives, and takes an edit of the last one', () => {
    const page = list(conversation(A, 5));
    const older = applyMessages(page, [msg(A, 2)], { meId: ME, live: false });
    expect(row(older, A)).toMatchObject({ lastSeq: 5, lastMessage: msg(A, 5) });
    const edited = msg(A, 5, { body: 'edited', editedAt: '2024-01-02T00:00:00Z' });
    expect(row(applyMessages(page, [edited], { meId: ME, live: false }), A)?.lastMessage).toEqual(edited);
  });

  it('leaves the other conversations, and the page when the conversation is not listed', () => {
    const page = list(conversation(A, 1), conversation(B, 1));
    expect(row(applyMessages(page, [msg(A, 2)], { meId: ME, live: true }), B)).toBe(page.items[1]);
    expect(applyMessages(page, [msg('not-listed', 2)], { meId: ME, live: true })).toBe(page);
    expect(applyMessages(page, [], { meId: ME, live: true })).toBe(page);
  });
});

describe(applyRead.name, () => {
  it('moves my marker forward, leaving unread only what comes after it, never back', () => {
    const c = conversation(A, 6, { lastReadSeq: 3, unreadCount: 3 });
    expect(applyRead(c, { userId: ME, seq: 5 }, ME)).toMatchObject({ lastReadSeq: 5, unreadCount: 1 });
    expect(applyRead(c, { userId: ME, seq: 6 }, ME)).toMatchObject({ lastReadSeq: 6, unreadCount: 0 });
    expect(applyRead(c, { userId: ME, seq: 2 }, ME)).toBe(c);
  });

  it('moves another member’s marker only, never back, and leaves my unread count', () => {
    const c = conversation(A, 3, { unreadCount: 1 });
    const next = applyRead(c, { userId: YOU, seq: 5 }, ME);
    expect(next.members.map((m) => [m.userId, m.lastReadSeq])).toEqual([
      [ME, 3],
      [YOU, 5],
    ]);
    expect(next).toMatchObject({ lastReadSeq: 3, unreadCount: 1 });
    expect(applyRead(c, { userId: YOU, seq: 2 }, ME)).toBe(c);
    expect(applyRead(c, { userId: THEM, seq: 9 }, ME)).toBe(c);
  });
});

describe(applyDeleted.name, () => {
  it('shows a conversation’s last message as deleted, without its body', () => {
    const page = applyDeleted(list(conversation(A, 2)), {
      conversationId: A,
      id: msg(A, 2).id,
      deletedAt: '2024-01-02T00:00:00Z',
    });
    expect(row(page, A)?.lastMessage).toMatchObject({
      id: msg(A, 2).id,
      body: null,
      deletedAt: '2024-01-02T00:00:00Z',
    });
  });

  it('returns the same page when the deleted message is not a last one', () => {
    const page = list(conversation(A, 2));
    expect(
      applyDeleted(page, { conversationId: A, id: msg(A, 1).id, deletedAt: '2024-01-02T00:00:00Z' }),
    ).toBe(page);
  });
});

describe(forgetConversation.name, () => {
  it('removes the conversation from the list, and returns the same page when it is not there', () => {
    const page = list(conversation(A, 1), conversation(B, 1));
    expect(forgetConversation(page, A).items.map((c) => c.id)).toEqual([B]);
    expect(forgetConversation(page, 'gone')).toBe(page);
  });
});

describe(sortByActivity.name, () => {
  it('puts the latest activity first: the last message, else the conversation’s creation', () => {
    const quiet = conversation(A, 1); // last message 2024-01-01T00:01
    const fresh = conversation(B, 0, { createdAt: '2024-01-01T00:05:00Z' });
    const busy = conversation('c', 9); // last message 2024-01-01T00:09
    expect(sortByActivity(list(quiet, fresh, busy)).items.map((c) => c.id)).toEqual(['c', B, A]);
  });

  it('returns the same page when it is in order already', () => {
    const page = list(conversation(B, 2), conversation(A, 1));
    expect(sortByActivity(page)).toBe(page);
  });
});

describe(memberIds.name, () => {
  it('lists the other members of every conversation once, without me', () => {
    const group = conversation(B, 1, {
      members: [...conversation(B, 1).members, { ...conversation(B, 1).members[1]!, userId: THEM }],
    });
    expect(memberIds(list(conversation(A, 1), group), ME).sort()).toEqual([YOU, THEM].sort());
    expect(memberIds(undefined, ME)).toEqual([]);
  });
});

describe(withLive.name, () => {
  it('adds the live messages newer than the page, in seq order', () => {
    const page = { items: [msg(A, 1), msg(A, 2)], nextCursor: null };
    expect(withLive(page, [msg(A, 2), msg(A, 4), msg(A, 3)]).items.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('returns the page as it is when no live message is newer', () => {
    const page = { items: [msg(A, 1), msg(A, 2)], nextCursor: 7 };
    expect(withLive(page, [msg(A, 1)])).toBe(page);
  });
});

describe('typing hints', () => {
  const hints = (entries: [string, [string, number][]][]): TypingHints =>
    new Map(entries.map(([id, users]) => [id, new Map(users)]));
  const plain = (typing: TypingHints) => [...typing].map(([id, users]) => [id, [...users]]);

  it(`${startTyping.name} shows a hint until the given time, without touching the map it got`, () => {
    const before = hints([[A, [[YOU, 100]]]]);
    const after = startTyping(before, A, THEM, 500);
    expect(plain(after)).toEqual([
      [
        A,
        [
          [YOU, 100],
          [THEM, 500],
        ],
      ],
    ]);
    expect(plain(before)).toEqual([[A, [[YOU, 100]]]]);
    expect(plain(startTyping(after, A, YOU, 900))[0]).toEqual([
      A,
      [
        [YOU, 900],
        [THEM, 500],
      ],
    ]);
  });

  it(`${endTyping.name} ends the hints of the senders in that conversation only`, () => {
    const typing = hints([
      [
        A,
        [
          [YOU, 100],
          [THEM, 100],
        ],
      ],
      [B, [[YOU, 100]]],
    ]);
    expect(plain(endTyping(typing, A, new Set([YOU])))).toEqual([
      [A, [[THEM, 100]]],
      [B, [[YOU, 100]]],
    ]);
  });

  it(`${endTyping.name} returns the same map when none of the senders was typing`, () => {
    const typing = hints([[A, [[YOU, 100]]]]);
    expect(endTyping(typing, A, new Set([THEM, null]))).toBe(typing);
    expect(endTyping(typing, B, new Set([YOU]))).toBe(typing);
  });

  it(`${expireTyping.name} drops the hints past their time and conversations left without any`, () => {
    const typing = hints([
      [
        A,
        [
          [YOU, 100],
          [THEM, 300],
        ],
      ],
      [B, [[YOU, 150]]],
    ]);
    expect(plain(expireTyping(typing, 200))).toEqual([[A, [[THEM, 300]]]]);
  });

  it(`${expireTyping.name} returns the same map when no hint expired`, () => {
    const typing = hints([[A, [[YOU, 300]]]]);
    expect(expireTyping(typing, 200)).toBe(typing);
  });
});

describe(mergePresence.name, () => {
  it('takes the newest presence of each person given and keeps the others', () => {
    const before = new Map([
      [YOU, presence(YOU, 'online')],
      [THEM, presence(THEM, 'online')],
    ]);
    const after = mergePresence(before, [presence(YOU, 'offline'), presence(ME, 'online')]);
    expect([...after.values()].map((p) => [p.userId, p.status])).toEqual([
      [YOU, 'offline'],
      [THEM, 'online'],
      [ME, 'online'],
    ]);
    expect(before.get(YOU)?.status).toBe('online');
  });

  it('returns the same map when there is nothing to merge', () => {
    const before = new Map([[YOU, presence(YOU, 'online')]]);
    expect(mergePresence(before, [])).toBe(before);
  });
});
