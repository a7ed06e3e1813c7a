import { afterEach, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../../../test/support/logs.js';
import { SearchIndexer } from './search-indexer.js';

const OPTIONS = { idleMs: 1000, retryMs: 5000, conversationsPerSweep: 10, messagesPerConversation: 50 };

/** A repository whose sweeps answer `answers` in turn (then 0), counting the calls. */
function fakeRepo(answers: (number | null | Error)[]) {
  const calls = { count: 0 };
  return {
    calls,
    repo: {
      async sweep(): Promise<number | null> {
        calls.count += 1;
        const answer = answers.length > 0 ? answers.shift()! : 0;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe(SearchIndexer.name, () => {
  it('sweeps again at once after a full sweep, and waits idleMs after one that was not', async () => {
    vi.useFakeTimers();
    const { repo, calls } = fakeRepo([10, 10, 3, 0]);
    const indexer = new SearchIndexer(repo, capturingLogger().logger, OPTIONS);
    indexer.start();
    // 10, 10 (full: at once, i.e. a timer of 0, which Node makes 1 ms), 3 (not full): then a second's pause.
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
});
