import type { Message } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxItem, type SendResult } from './outbox.js';

const CONV = '00000000-0000-4000-8000-000000000001';
const KEY = 'abrik.outbox.test';

function stored(item: OutboxItem, seq: number): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    conversationId: item.conversationId,
    seq,
    senderId: '00000000-0000-4000-8000-00000000000a',
    clientMsgId: item.clientMsgId,
    kind: 'text',
    body: item.body,
    createdAt: new Date().toISOString(),
    editedAt: null,
    deletedAt: null,
  };
}

/** A server that answers each send with the next scripted result, and records what it was sent. */
function server(script: ((item: OutboxItem) => SendResult)[] = []) {
  const sent: OutboxItem[] = [];
  const storedIds = new Map<string, Message>();
  let seq = 0;
  const transport = async (item: OutboxItem): Promise<SendResult> => {
    sent.push(item);
    const next = script.shift();
    if (next) return next(item);
    // Like the server: the same clientMsgId is stored once and answered with the first message.
    let message = storedIds.get(item.clientMsgId);
    if (!message) {
      message = stored(item, ++seq);
      storedIds.set(item.clientMsgId, message);
    }
    return { ok: true, message };
  };
  return { sent, storedIds, transport };
}

function outbox(transport: (item: OutboxItem) => Promise<SendResult>, acked: Message[] = []) {
  return new Outbox(
    transport,
    (_item, message) => acked.push(message),
    localStorage,
    KEY,
    async () => {},
  );
}

describe(Outbox.name, () => {
  it('sends queued messages one at a time in the order they were written', async () => {
    const s = server();
    const box = outbox(s.transport);
    box.enqueue(CONV, 'one');
    box.enqueue(CONV, 'two');
    box.enqueue(CONV, 'three');
    expect(s.sent).toHaveLength(0); // offline: nothing leaves
    box.setOnline(true);
    await box.pump();
    expect(s.sent.map((i) => i.body)).toEqual(['one', 'two', 'three']);
    expect([...s.storedIds.values()].map((m) => [m.seq, m.body])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(box.items).toEqual([]);
  });

  it('keeps a message whose send was not acknowledged, and resends it with the same clientMsgId', async () => {
    const s = server([() => ({ ok: false, retryable: true })]);
    const acked: Message[] = [];
    const box = outbox(s.transport, acked);
    box.setOnline(true);
    const item = box.enqueue(CONV, 'hello');
    await box.pump();
    expect(s.sent.map((i) => i.clientMsgId)).toEqual([item.clientMsgId, item.clientMsgId]);
    expect(s.storedIds.size).toBe(1);
    expect(acked.map((m) => m.clientMsgId)).toEqual([item.clientMsgId]);
    expect(box.items).toEqual([]);
  });

  it('marks a refused message failed, goes on with the next, and retries it with the same clientMsgId', async () => {
    const s = server([() => ({ ok: false, retryable: false, error: 'not allowed' })]);
    const box = outbox(s.transport);
    box.setOnline(true);
    const first = box.enqueue(CONV, 'first');
    box.enqueue(CONV, 'second');
    await box.pump();
    expect(box.items).toEqual([
      expect.objectContaining({ clientMsgId: first.clientMsgId, status: 'failed', error: 'not allowed' }),
    ]);
    expect(s.sent.map((i) => i.body)).toEqual(['first', 'second']);

    box.retry(first.clientMsgId);
    await box.pump();
    expect(box.items).toEqual([]);
    expect(s.sent.at(-1)?.clientMsgId).toBe(first.clientMsgId);
    expect([...s.storedIds.keys()]).toHaveLength(2);
  });

  it('stops sending when offline and keeps what is left for later', async () => {
    let box: Outbox | undefined;
    const s = server([
      (item) => ({ ok: true, message: stored(item, 1) }),
      () => {
        box!.setOnline(false);
        return { ok: false, retryable: true };
      },
    ]);
    box = outbox(s.transport);
    box.setOnline(true);
    box.enqueue(CONV, 'one');
    box.enqueue(CONV, 'two');
    await box.pump();
    expect(box.items.map((i) => [i.body, i.status])).toEqual([['two', 'queued']]);
  });

  it('survives a reload: the queue is kept in storage', () => {
    const s = server();
    const box = outbox(s.transport);
    const a = box.enqueue(CONV, 'one');
    const b = box.enqueue(CONV, 'two');
    const reloaded = outbox(s.transport);
    expect(reloaded.items.map((i) => i.clientMsgId)).toEqual([a.clientMsgId, b.clientMsgId]);
  });

  it('drops a message the server already holds (seen in sync or message:new) without sending it again', async () => {
    const s = server();
    const box = outbox(s.transport);
    const a = box.enqueue(CONV, 'one');
    const b = box.enqueue(CONV, 'two');
    box.settle([a.clientMsgId]);
    box.setOnline(true);
    await box.pump();
    expect(s.sent.map((i) => i.clientMsgId)).toEqual([b.clientMsgId]);
  });

  it('ignores damaged storage', () => {
    localStorage.setItem(KEY, '{not json');
    expect(outbox(server().transport).items).toEqual([]);
    localStorage.setItem(KEY, JSON.stringify([{ clientMsgId: 1 }, null]));
    expect(outbox(server().transport).items).toEqual([]);
  });
});
