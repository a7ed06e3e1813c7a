import { describe, expect, it } from 'vitest';
import { LiveEvents } from './live-events.js';

interface TestEvents {
  'read.advanced': { conversationId: string; userId: string; seq: number };
}

describe(LiveEvents.name, () => {
  it('delivers after the current call has replied, so an ack always precedes the broadcast', async () => {
    const events = new LiveEvents<TestEvents>();
    const order: string[] = [];
    events.on('read.advanced', () => order.push('broadcast'));
    const handler = async () => {
      events.publish('read.advanced', { conversationId: 'c', userId: 'u', seq: 1 });
      await Promise.resolve();
      order.push('ack');
    };
    await handler();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['ack', 'broadcast']);
  });

  it('keeps delivering to other listeners when one throws, and reports the failure', async () => {
    const failures: string[] = [];
    const events = new LiveEvents<TestEvents>((_error, event) => failures.push(event));
    const got: number[] = [];
    events.on('read.advanced', () => {
      throw new Error('boom');
    });
    events.on('read.advanced', (e) => got.push(e.seq));
    events.publish('read.advanced', { conversationId: 'c', userId: 'u', seq: 7 });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([7]);
    expect(failures).toEqual(['read.advanced']);
  });
});
