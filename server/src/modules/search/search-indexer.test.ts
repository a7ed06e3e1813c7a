import { afterEach, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../../../test/support/logs.js';
import type { SweepResult } from './search.repository.js';
import { SearchIndexer } from './search-indexer.js';

const OPTIONS = {
  idleMs: 1000,
  busyShare: 0.25,
  retryMs: 5000,
  conversationsPerSweep: 10,
  messagesPerConversation: 50,
};

/**
 * A repository whose sweeps answer `answers` in turn (then 0), counting the calls and keeping the
 * `changedSince` each was given; each takes `tookMs`. A number answers that many conversations
 * read, caught up (at watermark `w<call>`) when it is under the limit; an object answers as it is.
 */
function fakeRepo(answers: (number | SweepResult | null | Error)[], tookMs = 0) {
  const calls = { count: 0, changedSince: [] as (string | undefined)[] };
  return {
    calls,
    repo: {
      async sweep(limits: {
        conversations: number;
        changedSince?: string | undefined;
      }): Promise<SweepResult | null> {
        calls.count += 1;
        calls.changedSince.push(limits.changedSince);
        if (tookMs > 0) await new Promise((resolve) => setTimeout(resolve, tookMs));
        const answer = answers.length > 0 ? answers.shift()! : 0;
        if (answer instanceof Error) throw answer;
        if (typeof answer !== 'number') return answer;
        return {
          conversations: answer,
          caughtUpTo: answer < limits.conversations ? `w${calls.count}` : null,
        };
      },
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe(SearchIndexer.name, () => {
  it('sweeps again soon after a full sweep, and waits idleMs after one that was not', async () => {
    vi.useFakeTimers();
    const { repo, calls } = fakeRepo([10, 10, 3, 0]);
    const indexer = new SearchIndexer(repo, capturingLogger().logger, OPTIONS);
    indexer.start();
    // 10, 10 (full: again after three times as long as it took — here no time, so at once), 3 (not
    // full): then a second's pause.
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(900);
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.count).toBe(4);
    await indexer.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.count).toBe(4);
  });

  it('rests between full sweeps so that indexing takes at most busyShare of the time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Each sweep takes 30 ms; at a quarter of the time, the next starts 90 ms after one ends.
    const { repo, calls } = fakeRepo([10, 10, 3], 30);
    const indexer = new SearchIndexer(repo, capturingLogger().logger, OPTIONS);
    indexer.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(30); // 130: the second began at 120
    expect(calls.count).toBe(2);
    await vi.advanceTimersByTimeAsync(120); // 250: the third began at 240
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(950); // 1200: the third was not full, a second's pause
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.count).toBe(4);
    await indexer.stop();
  });

  it('logs a failed sweep and tries again after retryMs', async () => {
    vi.useFakeTimers();
    const { repo, calls } = fakeRepo([new Error('connection refused'), 0]);
    const log = capturingLogger();
    const indexer = new SearchIndexer(repo, log.logger, OPTIONS);
    indexer.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.count).toBe(1);
    expect(log.logs().some((l) => l.level === 'warn' && l.component === 'search')).toBe(true);
    await vi.advanceTimersByTimeAsync(4900);
    expect(calls.count).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.count).toBe(2);
    await indexer.stop();
  });

  it('catches up by sweeping until nothing is left, waiting while another instance sweeps', async () => {
    const { repo, calls } = fakeRepo([10, null, 4, 0]);
    const indexer = new SearchIndexer(repo, capturingLogger().logger, OPTIONS);
    expect(await indexer.catchUp()).toBe(14);
    expect(calls.count).toBe(4);
  });

  it('after a sweep that left nothing behind, asks the next for what changed since it only', async () => {
    // Full (no watermark yet), then one that stopped at a conversation's message limit (caught up
    // to nothing), then one that caught up at w3, then one after w3.
    const { repo, calls } = fakeRepo([10, { conversations: 2, caughtUpTo: null }, 1, 0]);
    const indexer = new SearchIndexer(repo, capturingLogger().logger, OPTIONS);
    expect(await indexer.catchUp()).toBe(13);
    expect(calls.changedSince).toEqual([undefined, undefined, undefined, 'w3']);
    // A restart of the loop keeps it: what changed while stopped is after it.
    await indexer.catchUp();
    expect(calls.changedSince.at(-1)).toBe('w4');
  });
});
