import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Executor } from '../../platform/db/client.js';
import type { BatchInput, BatchOutcome } from './message.repository.js';
import { MessageWriter } from './message-writer.js';
import type { MessageRow } from './tables.js';

const stored = (input: BatchInput, seq = 1): BatchOutcome => ({
  outcome: 'stored',
  message: {
    id: randomUUID(),
    conversationId: input.conversationId,
    seq,
    senderId: input.senderId,
    clientMsgId: input.clientMsgId,
    kind: 'text',
    body: input.body,
    createdAt: new Date(),
    editedAt: null,
    deletedAt: null,
    replyToSeq: null,
    meta: null,
  } satisfies MessageRow,
});

/**
 * A writer over a fake statement: each call waits until the test releases it (`release`), then
 * answers with `answer(inputs)` (everything stored by default) or throws what `fail` says.
 */
function build(options: { maxQueueWaitMs?: number } = {}) {
  const calls: { inputs: BatchInput[]; release: (error?: unknown) => void }[] = [];
  let answer = (inputs: BatchInput[]): BatchOutcome[] => inputs.map((i) => stored(i));
  const metrics = { batched: [] as number[], failed: [] as unknown[], persisted: 0 };
  const writer = new MessageWriter({
    messages: {
      insertBatch: (inputs) =>
        new Promise((resolve, reject) => {
          calls.push({ inputs, release: (error) => (error ? reject(error) : resolve(answer(inputs))) });
        }),
    },
    writer: {} as Executor,
    maxQueueWaitMs: options.maxQueueWaitMs ?? 2000,
    metrics: {
      persisted: () => metrics.persisted++,
      batched: (n) => metrics.batched.push(n),
      batchFailed: (error) => metrics.failed.push(error),
    },
  });
  const send = (conversationId: string, clientMsgId: string = randomUUID(), senderId = 'u1') =>
    writer.write({ conversationId, senderId, clientMsgId, body: 'x' });
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    writer,
    calls,
    metrics,
    send,
    tick,
    answerWith: (f: typeof answer) => {
      answer = f;
    },
  };
}

/**
 * Holds the writer's clock (performance.now) still: a batch in flight never "takes too long", so
 * no second batch opens however slowly a loaded machine runs the test.
 */
const holdTheClock = () => vi.useFakeTimers({ toFake: ['performance'] });

describe(MessageWriter.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a send at once when idle, and the sends that arrive meanwhile together in the next batch', async () => {
    holdTheClock();
    const t = build();
    const first = t.send('c1');
    await t.tick();
    expect(t.calls.map((c) => c.inputs.length)).toEqual([1]);
    const rest = ['c2', 'c3', 'c4'].map((c) => t.send(c));
    await t.tick();
    expect(t.calls).toHaveLength(1); // fewer than 50 wait: no second statement yet
    t.calls[0]!.release();
    await first;
    await t.tick();
    expect(t.calls.map((c) => c.inputs.map((i) => i.conversationId))).toEqual([['c1'], ['c2', 'c3', 'c4']]);
    t.calls[1]!.release();
    expect((await Promise.all(rest)).map((o) => o.outcome)).toEqual(['stored', 'stored', 'stored']);
    expect(t.metrics.batched).toEqual([1, 3]);
  });

  it('writes a retry in the same batch once, and tells it what became of the first', async () => {
    const t = build();
    void t.send('c0');
    await t.tick();
    const [a, b] = [t.send('c1', 'same'), t.send('c1', 'same')];
    // The second lane opens once the first batch has taken 5 ms: both sends go in it, written once.
    await new Promise((r) => setTimeout(r, 15));
    expect(t.calls.map((c) => c.inputs.length)).toEqual([1, 1]);
    t.calls[1]!.release();
    const [first, retry] = await Promise.all([a, b]);
    expect(first.outcome).toBe('stored');
    expect(retry).toEqual({
      outcome: 'duplicate',
      first: first.outcome === 'stored' ? first.message : undefined,
    });
    t.calls[0]!.release();
  });

  it('never writes one conversation in two batches at once, and writes its sends in arrival order', async () => {
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const written: BatchInput[] = [];
    const writer = new MessageWriter({
      messages: {
        insertBatch: async (inputs) => {
          const mine = new Set(inputs.map((i) => i.conversationId));
          for (const c of mine) if (inFlight.has(c)) overlaps.push(c);
          for (const c of mine) inFlight.add(c);
          await new Promise((r) => setTimeout(r, Math.random() * 8));
          for (const c of mine) inFlight.delete(c);
          written.push(...inputs);
          return inputs.map((i) => stored(i));
        },
      },
      writer: {} as Executor,
      maxQueueWaitMs: 10_000,
      metrics: { persisted: () => {}, batched: () => {}, batchFailed: () => {} },
    });
    const sent: BatchInput[] = [];
    const writes: Promise<BatchOutcome>[] = [];
    for (let i = 0; i < 400; i++) {
      const input = { conversationId: `c${i % 7}`, senderId: 'u', clientMsgId: `m${i}`, body: 'x' };
      sent.push(input);
      writes.push(writer.write(input));
      if (i % 37 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect((await Promise.all(writes)).every((o) => o.outcome === 'stored')).toBe(true);
    expect(overlaps).toEqual([]);
    for (let c = 0; c < 7; c++) {
      const order = (list: BatchInput[]) =>
        list.filter((i) => i.conversationId === `c${c}`).map((i) => i.clientMsgId);
      expect(order(written)).toEqual(order(sent));
    }
  });

  it('refuses every send of a batch the database could not take, with the database error', async () => {
    const t = build();
    const results = [t.send('c1'), t.send('c2')].map((s) =>
      s.then(
        () => 'stored',
        (error: unknown) => error,
      ),
    );
    await t.tick();
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    t.calls[0]!.release(down);
    await new Promise((r) => setTimeout(r, 15));
    t.calls[1]!.release(down);
    expect(await Promise.all(results)).toEqual([down, down]);
  });

  it('writes each send alone after a batch lost a race with a concurrent insert (unique violation)', async () => {
    holdTheClock();
    const t = build();
    const first = t.send('c0');
    await t.tick();
    const sends = [t.send('c1', 'raced'), t.send('c2')];
    await t.tick();
    t.calls[0]!.release();
    await first;
    await t.tick();
    const conflict = Object.assign(new Error('duplicate key'), { code: '23505' });
    t.calls[1]!.release(conflict);
    await t.tick();
    // One statement per send now; the one that raced finds the other instance's row.
    expect(t.calls.slice(2).map((c) => c.inputs.map((i) => i.clientMsgId))).toEqual([
      ['raced'],
      [expect.any(String)],
    ]);
    const other = stored({ conversationId: 'c1', senderId: 'u1', clientMsgId: 'raced', body: 'x' });
    t.answerWith((inputs) =>
      inputs.map((i) =>
        i.clientMsgId === 'raced' && other.outcome === 'stored'
          ? { outcome: 'duplicate', first: other.message }
          : stored(i),
      ),
    );
    t.calls[2]!.release();
    t.calls[3]!.release();
    expect((await Promise.all(sends)).map((o) => o.outcome)).toEqual(['duplicate', 'stored']);
    expect(t.metrics.failed).toEqual([conflict]);
  });

  it('sheds the sends that waited longer than the limit for a batch, as db/unavailable', async () => {
    const t = build({ maxQueueWaitMs: 20 });
    const held = t.send('c1');
    await t.tick();
    const late = t.send('c1');
    await new Promise((r) => setTimeout(r, 40));
    t.calls[0]!.release();
    await held;
    await expect(late).rejects.toMatchObject({ status: 503, code: 'db/unavailable' });
  });
});
