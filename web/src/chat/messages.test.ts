import type { Message } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { textMessage } from '../test/messages.js';
import {
  contiguousSeq,
  flatten,
  type MessagesData,
  markDeleted,
  mergeMessages,
  viewMessages,
} from './messages.js';
import type { OutboxItem } from './outbox.js';

const ME = '00000000-0000-4000-8000-00000000000a';
const CONV = '00000000-0000-4000-8000-000000000001';

const msg = (seq: number, over: Partial<Message> = {}) => textMessage(CONV, seq, over);
const data = (...pages: Message[][]): MessagesData => ({
  pages: pages.map((items) => ({ items, nextCursor: null })),
  pageParams: pages.map(() => undefined),
});

describe(mergeMessages.name, () => {
  it('adds new messages once, in seq order, however often they arrive (ack, live, sync)', () => {
    let d = data([msg(1), msg(2)]);
    d = mergeMessages(d, [msg(4)]);
    d = mergeMessages(d, [msg(3), msg(4)]);
    d = mergeMessages(d, [msg(4)]);
    expect(flatten(d).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('replaces an edited message in place and never takes an edit back', () => {
    const edited = msg(2, { body: 'new', editedAt: '2024-01-02T00:00:00Z' });
    let d = mergeMessages(data([msg(1)], [msg(2)]), [edited]);
    expect(flatten(d).find((m) => m.seq === 2)?.body).toBe('new');
    d = mergeMessages(d, [msg(2)]); // a stale copy from an older fetch
    expect(flatten(d).find((m) => m.seq === 2)?.body).toBe('new');
  });

  it('keeps a deletion', () => {
    let d = markDeleted(data([msg(1), msg(2)]), { id: msg(2).id, deletedAt: '2024-01-02T00:00:00Z' });
    d = mergeMessages(d, [msg(2)]);
    expect(flatten(d).find((m) => m.seq === 2)).toMatchObject({
      body: null,
      deletedAt: '2024-01-02T00:00:00Z',
    });
  });
});

describe(contiguousSeq.name, () => {
  it('is the last seq before the first gap, so sync fills the gap', () => {
    expect(contiguousSeq([msg(5), msg(6), msg(7)], 0)).toBe(7);
    expect(contiguousSeq([msg(5), msg(6), msg(9), msg(10)], 0)).toBe(6);
    expect(contiguousSeq([], 12)).toBe(12);
  });
});

describe(viewMessages.name, () => {
  const pending = (clientMsgId: string, status: OutboxItem['status'] = 'queued'): OutboxItem => ({
    clientMsgId,
    conversationId: CONV,
    body: clientMsgId,
    createdAt: '2024-01-01T01:00:00Z',
    status,
  });

  it('moves an own message from sending to sent (ack) to read (receipt)', () => {
    const mine = msg(3, { senderId: ME, clientMsgId: 'x' });
    const status = (stored: Message[], items: OutboxItem[], readSeq: number) =>
      viewMessages(stored, items, ME, readSeq).find((r) => r.clientMsgId === 'x')?.status;
    expect(status([msg(1)], [pending('x')], 1)).toBe('sending');
    expect(status([msg(1), mine], [], 1)).toBe('sent');
    expect(status([msg(1), mine], [], 3)).toBe('read');
  });

  it('shows a refused message as failed', () => {
    expect(viewMessages([], [pending('x', 'failed')], ME, 0)[0]).toMatchObject({
      status: 'failed',
      seq: null,
      mine: true,
    });
  });

  it('shows a message once when the ack arrives while it is still in the outbox', () => {
    const rows = viewMessages([msg(1, { senderId: ME, clientMsgId: 'x' })], [pending('x')], ME, 0);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ seq: 1, status: 'sent', key: 'x' });
  });

  it('gives others’ messages no status and puts pending ones last', () => {
    const rows = viewMessages([msg(1), msg(2)], [pending('y')], ME, 0);
    expect(rows.map((r) => [r.seq, r.mine, r.status])).toEqual([
      [1, false, null],
      [2, false, null],
      [null, true, 'sending'],
    ]);
  });

  it('quotes the message a queued reply answers, before the server has it', () => {
    const item = { ...pending('r'), replyToSeq: 2 };
    const rows = viewMessages([msg(1), msg(2, { body: 'the question' })], [item], ME, 0);
    expect(rows.at(-1)?.replyTo).toEqual({
      seq: 2,
      id: msg(2).id,
      senderId: msg(2).senderId,
      body: 'the question',
      attachmentKind: null,
      deleted: false,
    });
    // A quoted message not held here: no quote until the server's ack brings it.
    expect(viewMessages([msg(1)], [item], ME, 0).at(-1)?.replyTo).toBeUndefined();
    expect(viewMessages([msg(1), msg(2)], [pending('plain')], ME, 0).at(-1)?.replyTo).toBeUndefined();
  });
});
