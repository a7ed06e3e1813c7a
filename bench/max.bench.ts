import { it } from 'vitest';
import { environment, knob, startSingle, withLoad, withTarget, writeResults } from './harness/index.js';
import { connectPairs, maxScenario, maxTables } from './scenarios.js';

/**
 * `max` (issue 5): the `pairs` load on one instance, its rate stepped up (2,000, 4,000, … msg/s,
 * each a warm-up and a steady window) until p99 exceeds 100 ms or anything is lost, refused or
 * left unacked; the highest rate that passed is the instance's sustained maximum. CPU per process
 * of each step says what limited it: the server, PostgreSQL or the load processes.
 */
it('max: highest sustained message rate on one instance', async () => {
  await withTarget(
    () => startSingle(),
    (target) =>
      withLoad(knob('BENCH_LOAD_PROCESSES', 2, 1), async (pool) => {
        const connected = await connectPairs(target, pool);
        const { settings, max } = await maxScenario(target, pool);
        writeResults(
          'max',
          {
            environment: await environment(target.db),
            settings: { ...connected, ...settings, ...target.settings },
            maxSustainedRate: max.maxSustainedRate,
            limitedBy: max.limitedBy,
            steps: max.steps,
            serverLog: target.logSummary(),
          },
          maxTables(max),
        );
      }),
  );
});
