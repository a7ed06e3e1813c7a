// Scenario bodies shared by more than one benchmark file (`cluster` runs `pairs` and `max` over
// several instances). Test files never import each other: that would register their tests twice.
import {
  createPairs,
  knob,
  knobList,
  type LoadPool,
  type MaxResult,
  pairEndpoints,
  progress,
  type Route,
  runStep,
  type StepResult,
  stepsTable,
  stepUp,
  type Target,
} from './harness/index.js';

/**
 * Creates BENCH_PAIRS pairs (default 500: 1,000 connections) and connects both ends of each;
 * `route` says how to reach instance i (default: straight to its port).
 */
export async function connectPairs(target: Target, pool: LoadPool, route?: Route) {
  const pairCount = knob('BENCH_PAIRS', 500, 1);
  const pairs = await createPairs(target, pairCount);
  const connected = await pool.connect(pairEndpoints(target, pairs, pool.size, route));
  progress(
    `${connected.opened} connections in ${connected.seconds} s (${connected.retries} refused and retried)`,
  );
  return { pairs: pairCount, connectSeconds: connected.seconds, connectRetries: connected.retries };
}

/** `pairs`: one fixed total rate (BENCH_RATE), a warm-up, a steady window, a drain. */
export async function pairsScenario(
  target: Target,
  pool: LoadPool,
): Promise<{ settings: Record<string, unknown>; step: StepResult }> {
  const settings = {
    rate: knob('BENCH_RATE', 2000, 1),
    warmupSeconds: knob('BENCH_WARMUP', 5),
    steadySeconds: knob('BENCH_SECONDS', 30, 1),
    drainSeconds: knob('BENCH_DRAIN', 10),
    bodyLength: 64,
  };
  const step = await runStep(target, pool, settings);
  progress(
    `${settings.rate} msg/s: p50 ${step.latencyMs.p50} ms, p99 ${step.latencyMs.p99} ms, ` +
      `acked ${step.counts.steadyAcked}/${step.counts.steadySent}, lost ${step.counts.steadyLost}`,
  );
  return { settings: { ...settings, loadProcesses: pool.size }, step };
}

/** The rates `max` tries: BENCH_MAX_RATES, or 2,000 up to 40,000 in steps of 2,000. */
export function maxRates(): number[] {
  const start = knob('BENCH_MAX_START', 2000, 1);
  const step = knob('BENCH_MAX_STEP', 2000, 1);
  const limit = knob('BENCH_MAX_LIMIT', 40_000, 1);
  const fallback: number[] = [];
  for (let rate = start; rate <= limit; rate += step) fallback.push(rate);
  return knobList('BENCH_MAX_RATES', fallback);
}

/** `max`: steps the rate up on the connected pairs until p99 > BENCH_MAX_P99_MS or any loss. */
export async function maxScenario(
  target: Target,
  pool: LoadPool,
): Promise<{ settings: Record<string, unknown>; max: MaxResult }> {
  const settings = {
    rates: maxRates(),
    warmupSeconds: knob('BENCH_MAX_WARMUP', 3),
    steadySeconds: knob('BENCH_MAX_SECONDS', 10, 1),
    drainSeconds: knob('BENCH_DRAIN', 10),
    pauseSeconds: knob('BENCH_MAX_PAUSE', 3),
    p99LimitMs: knob('BENCH_MAX_P99_MS', 100, 1),
    bodyLength: 64,
  };
  const max = await stepUp(target, pool, settings.rates, settings);
  progress(`highest sustained rate: ${max.maxSustainedRate} msg/s; limited by ${max.limitedBy ?? '—'}`);
  return { settings: { ...settings, loadProcesses: pool.size }, max };
}

/** The Markdown of a `max` result: the sustained rate, why the next step failed, the steps. */
export function maxTables(max: MaxResult): string {
  const failed = max.steps.find((s) => !s.sustained);
  return [
    `**Highest sustained rate: ${max.maxSustainedRate.toLocaleString('en-US')} msg/s** (p99 ≤ ${max.p99LimitMs} ms, nothing lost, refused or unacked).`,
    failed
      ? `The next step (${failed.rate.toLocaleString('en-US')} msg/s) failed: ${failed.shortfalls.join('; ')}; busiest processes there: ${max.limitedBy}.`
      : 'No step failed: raise BENCH_MAX_LIMIT.',
    ...saturatedLoad(max),
    '',
    stepsTable(max.steps),
  ].join('\n');
}

/** A warning for every step in which a load process used (nearly) a whole core. */
function saturatedLoad(max: MaxResult): string[] {
  return max.steps.flatMap((step) => {
    const busy = Object.entries(step.cpu).filter(([k, v]) => /^load\d+$/.test(k) && v >= 0.9);
    return busy.length
      ? [
          `Warning: at ${step.rate.toLocaleString('en-US')} msg/s ${busy.map(([k, v]) => `${k} used ${v} of a core`).join(', ')}: the load processes may have been the limit (BENCH_LOAD_PROCESSES).`,
        ]
      : [];
  });
}
