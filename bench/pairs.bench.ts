import { it } from 'vitest';
import {
  environment,
  knob,
  startSingle,
  stepsTable,
  withLoad,
  withTarget,
  writeResults,
} from './harness/index.js';
import { connectPairs, pairsScenario } from './scenarios.js';

/**
 * `pairs` (issue 5): 500 pairs (1,000 connections) of real socket.io-client sockets in a separate
 * process, a fixed total send rate (open model), 64-character bodies, latency send → receipt at
 * the other member in an HDR histogram over a steady window after warm-up. The server is the
 * production build on PostgreSQL; users and tokens are made in the database, not through SMS.
 */
it('pairs: fixed-rate messages between pairs of users', async () => {
  await withTarget(
    () => startSingle(),
    (target) =>
      withLoad(knob('BENCH_LOAD_PROCESSES', 1, 1), async (pool) => {
        const connected = await connectPairs(target, pool);
        const { settings, step } = await pairsScenario(target, pool);
        writeResults(
          'pairs',
          {
            environment: await environment(target.db),
            settings: { ...connected, ...settings, ...target.settings },
            result: step,
            serverLog: target.logSummary(),
          },
          stepsTable([step]),
        );
      }),
  );
});
