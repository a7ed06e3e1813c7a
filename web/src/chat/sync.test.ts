import type { Message } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { textMessage as msg } from '../test/messages.js';
import type { MessagesData } from './messages.js';
import { syncFrom } from './sync.js';

const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000b1';

const listed = (id: string, lastSeq: number) => ({ id, lastSeq });
const history = (...items: Message[]): MessagesData => ({
  pages: [{ items, nextCursor: null }],
  pageParams: [undefined],
});

describe(syncFrom.name, () => {
  it('asks an open history from before its first gap, the others from the list’s last seq', () => {
    const held: Record<string, MessagesData> = { [A]: history(msg(A, 1), msg(A, 2), msg(A, 4)) };
    const { since, loaded } = syncFrom([listed(A, 4), listed(B, 7)], (id) => held[id]);
    expect(since).toEqual({ [A]: 2, [B]: 7 });
    expect([...loaded]).toEqual([A]);
  });

  it('asks an open but empty history from the list’s last seq', () => {
    const { since, loaded } = syncFrom([listed(A, 5)], () => history());
    expect(since).toEqual({ [A]: 5 });
    expect([...loaded]).toEqual([A]);
  });
});
