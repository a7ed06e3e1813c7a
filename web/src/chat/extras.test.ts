import type { Conversation, Message } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/index.js';
import { directConversation, ME, textMessage, YOU } from '../test/messages.js';
import { applyReactions, markHidden, reactionToggle, withMyReaction } from './extras.js';
import { flatten, type MessagesData, othersReadSeq, viewMessages } from './messages.js';
import { memberNames } from './names.js';

const CONV = '00000000-0000-4000-8000-000000000001';
const LEFT = '00000000-0000-4000-8000-00000000000c';
const msg = (seq: number, over: Partial<Message> = {}) => textMessage(CONV, seq, over);
const data = (...items: Message[]): MessagesData => ({
  pages: [{ items, nextCursor: null }],
  pageParams: [undefined],
});

/** A group of me and YOU that LEFT (Leila) has left after reading up to seq 5. */
function groupWithFormer(): Conversation {
  return directConversation(CONV, 5, {
    kind: 'group',
    title: 'g',
    members: [
      { userId: ME, name: 'me', role: 'owner', lastReadSeq: 5, joinedAt: '2024-01-01T00:00:00Z' },
      { userId: YOU, name: 'Sara', role: 'member', lastReadSeq: 2, joinedAt: '2024-01-01T00:00:00Z' },
    ],
    formerMembers: [{ userId: LEFT, name: 'Leila', lastReadSeq: 5, leftAt: '2024-01-02T00:00:00Z' }],
  });
}

describe(memberNames.name, () => {
  it('names people who left, so their old messages do not turn "Unnamed"', async () => {
    const i18n = await createI18n('fa');
    const names = memberNames(groupWithFormer(), i18n.t, 'fa');
    expect(names.get(LEFT)).toBe('Leila');
    expect(names.get(YOU)).toBe('Sara');
  });

  it('prefers the current name of someone who left and came back', async () => {
    const i18n = await createI18n('en');
    const c = groupWithFormer();
    c.members.push({
      userId: LEFT,
      name: 'Leila N.',
      role: 'member',
      lastReadSeq: 5,
      joinedAt: '2024-01-03T00:00:00Z',
    });
    expect(memberNames(c, i18n.t, 'en').get(LEFT)).toBe('Leila N.');
  });
});

describe(othersReadSeq.name, () => {
  it('counts a reader who left: ✓✓ does not go back to ✓', () => {
    const c = groupWithFormer();
    expect(othersReadSeq(c, ME)).toBe(5);
    const rows = viewMessages([msg(4, { senderId: ME })], [], ME, othersReadSeq(c, ME));
    expect(rows[0]?.status).toBe('read');
    // Without the former member, only Sara's marker (2) would count.
    expect(othersReadSeq({ ...c, formerMembers: [] }, ME)).toBe(2);
  });

  it('does not count my own marker', () => {
    const c = groupWithFormer();
    expect(
      othersReadSeq({ ...c, formerMembers: [], members: c.members.filter((m) => m.userId === ME) }, ME),
    ).toBe(0);
  });
});

describe(reactionToggle.name, () => {
  it('takes my reaction back when I choose it again, and replaces it with another', () => {
    const reactions = [{ emoji: '👍' as const, count: 2, userIds: [YOU, ME] }];
    expect(reactionToggle(reactions, '👍', ME)).toBeNull();
    expect(reactionToggle(reactions, '❤️', ME)).toBe('❤️');
    expect(reactionToggle(reactions, '👍', 'someone-who-has-none')).toBe('👍');
  });
});

describe(withMyReaction.name, () => {
  it('moves my one reaction between emoji and keeps the others’ counts', () => {
    const start = [{ emoji: '👍' as const, count: 2, userIds: [YOU, ME] }];
    const moved = withMyReaction(start, '❤️', ME);
    expect(moved).toEqual([
      { emoji: '👍', count: 1, userIds: [YOU] },
      { emoji: '❤️', count: 1, userIds: [ME] },
    ]);
    expect(withMyReaction(moved, null, ME)).toEqual([{ emoji: '👍', count: 1, userIds: [YOU] }]);
    expect(withMyReaction([], '😂', ME)).toEqual([{ emoji: '😂', count: 1, userIds: [ME] }]);
    expect(withMyReaction(withMyReaction([], '😂', ME), null, ME)).toEqual([]);
  });
});

describe(applyReactions.name, () => {
  it('writes the server’s reactions into the held message, and drops the field when none are left', () => {
    let d = data(msg(1), msg(2));
    const id = msg(2).id;
    d = applyReactions(d, { id, reactions: [{ emoji: '🙏', count: 1, userIds: [YOU] }] });
    expect(flatten(d)[1]?.reactions).toEqual([{ emoji: '🙏', count: 1, userIds: [YOU] }]);
    d = applyReactions(d, { id, reactions: [] });
    expect(flatten(d)[1]).not.toHaveProperty('reactions');
    expect(applyReactions(d, { id: 'not-held', reactions: [] })).toBe(d);
  });
});

describe(markHidden.name, () => {
  it('keeps a message deleted for me in the history (seqs stay contiguous) and out of the view', () => {
    const d = markHidden(data(msg(1), msg(2), msg(3)), msg(2));
    expect(flatten(d).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(viewMessages(flatten(d), [], ME, 0).map((r) => r.seq)).toEqual([1, 3]);
  });
});
