import { afterEach, describe, expect, it, vi } from 'vitest';
import { viewMessages } from '../../chat/messages.js';
import { ME, textMessage as msg } from '../../test/messages.js';
import { continuesGroup, firstUnreadSeq, ReadMarker, unseenCount } from './reading.js';

const C = '00000000-0000-4000-8000-0000000000c1';

afterEach(() => {
  vi.useRealTimers();
});

describe(ReadMarker.name, () => {
  it('sends the first seen message at once, then the newest seen at most once a second', () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    const marker = new ReadMarker(10, (seq) => sent.push(seq), 1_000);
    marker.seen(9); // read before: nothing to say
    expect(sent).toEqual([]);
    marker.seen(11);
    expect(sent).toEqual([11]);
    marker.seen(12);
    marker.seen(14);
    marker.seen(13);
    expect(sent).toEqual([11]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([11, 14]);
    marker.seen(15);
    marker.flush(); // the conversation closes: what was seen goes now
    expect(sent).toEqual([11, 14, 15]);
    vi.advanceTimersByTime(5_000);
    expect(sent).toEqual([11, 14, 15]);
  });
});

describe('unread', () => {
  const rows = viewMessages(
    [msg(C, 1), msg(C, 2), msg(C, 3, { senderId: ME }), msg(C, 4), msg(C, 5)],
    [],
    ME,
    0,
  );

  it('puts the divider at the first message from others after my read marker', () => {
    expect(firstUnreadSeq(rows, 2)).toBe(4); // 3 is mine
    expect(firstUnreadSeq(rows, 1)).toBe(2);
    expect(firstUnreadSeq(rows, 5)).toBeNull();
    // Only what had come when the conversation was opened.
    expect(firstUnreadSeq(rows, 2, 3)).toBeNull();
    expect(
      firstUnreadSeq(
        rows.map((r) => ({ ...r, note: true })),
        1,
      ),
    ).toBeNull();
  });

  it('counts others’ messages below what was seen', () => {
    expect(unseenCount(rows, 2)).toBe(2);
    expect(unseenCount(rows, 5)).toBe(0);
  });
});

describe(continuesGroup.name, () => {
  const at = (iso: string, senderId = 'a') => ({ senderId, createdAt: iso, message: null });
  it('groups the same sender within a minute, on the same day', () => {
    expect(continuesGroup(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:00:59Z'), true)).toBe(true);
    expect(continuesGroup(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:01:00Z'), true)).toBe(false);
    expect(continuesGroup(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:00:10Z', 'b'), true)).toBe(false);
    expect(continuesGroup(at('2024-01-01T10:00:00Z'), at('2024-01-01T10:00:10Z'), false)).toBe(false);
    expect(continuesGroup(undefined, at('2024-01-01T10:00:10Z'), true)).toBe(false);
  });
});
