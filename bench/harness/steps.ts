// Open-model rate steps (pairs, max, cluster): run one, judge it, step up until one fails.
import { cpus } from 'node:os';
import hdr, { type Histogram } from 'hdr-histogram-js';
import { type LoadStats, noCounts, type RunCounts } from '../load/ipc.js';
import { now, progress, round, sleep, sleepUntil } from './common.js';
import type { LoadPool } from './load.js';
import { cpuBetween, cpuSnapshot } from './proc.js';
import { markdownTable } from './results.js';
import { quiesce, type Target } from './server.js';

export interface StepSettings {
  rate: number;
  warmupSeconds: number;
  steadySeconds: number;
  drainSeconds: number;
  bodyLength: number;
}

export interface StepResult {
  rate: number;
  /** Seconds waited before the step for the server to become idle (`quiesce`). */
  quiesceSeconds: number;
  /** Messages sent per second in the steady window (below `rate`: the load processes fell behind). */
  achievedRate: number;
  counts: Omit<RunCounts, 'errors'>;
  errors: Record<string, number>;
  /** Send → receipt at the other member, steady window. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Send → ack (stored in PostgreSQL), steady window. */
  ackMs: { p50: number; p99: number; max: number };
  /** Cores used per process group during the steady window. */
  cpu: Record<string, number>;
  loadStats: LoadStats[];
}

function newHistogram() {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * One open-model step, once the server is idle: every load process sends its share of `rate`
 * from the same moment, a warm-up, then the steady window (whose CPU per process group is
 * measured), then a drain.
 */
export async function runStep(target: Target, pool: LoadPool, settings: StepSettings): Promise<StepResult> {
  const quiesceSeconds = await quiesce(target);
  const groups = [...target.groups, ...pool.groups()];
  const startAt = now() + 500;
  const running = pool.run({ ...settings, startAt });
  running.catch(() => {}); // awaited below; keeps an early failure from going unhandled
  await sleepUntil(startAt + settings.warmupSeconds * 1000);
  const before = await cpuSnapshot(groups);
  await sleepUntil(startAt + (settings.warmupSeconds + settings.steadySeconds) * 1000);
  const after = await cpuSnapshot(groups);
  const replies = await running;

  const latency = newHistogram();
  const ack = newHistogram();
  const counts: RunCounts = noCounts();
  for (const r of replies) {
    latency.add(hdr.decodeFromCompressedBase64(r.latency));
    ack.add(hdr.decodeFromCompressedBase64(r.ack));
    for (const [key, value] of Object.entries(r.counts)) {
      if (key === 'errors') continue;
      (counts as unknown as Record<string, number>)[key]! += value as number;
    }
    for (const [code, n] of Object.entries(r.counts.errors))
      counts.errors[code] = (counts.errors[code] ?? 0) + n;
  }
  const ms = (h: Histogram, q: number) => round(h.getValueAtPercentile(q) / 1000, 2);
  const { errors, ...rest } = counts;
  return {
    rate: settings.rate,
    quiesceSeconds,
    achievedRate: Math.round(counts.steadySent / settings.steadySeconds),
    counts: rest,
    errors,
    latencyMs: {
      p50: ms(latency, 50),
      p95: ms(latency, 95),
      p99: ms(latency, 99),
      max: round(latency.maxValue / 1000, 2),
    },
    ackMs: { p50: ms(ack, 50), p99: ms(ack, 99), max: round(ack.maxValue / 1000, 2) },
    cpu: cpuBetween(before, after, groups),
    loadStats: replies.map((r) => r.stats),
  };
}

/** Why a step does not count as sustained (empty: it does). */
export function shortfalls(step: StepResult, p99LimitMs: number): string[] {
  const out: string[] = [];
  const c = step.counts;
  if (c.steadyLost > 0) out.push(`${c.steadyLost} acked but not delivered`);
  if (c.steadyUnacked > 0) out.push(`${c.steadyUnacked} never acked`);
  if (c.steadyFailed > 0) out.push(`${c.steadyFailed} refused (${JSON.stringify(step.errors)})`);
  if (c.steadyDelivered === 0) out.push('nothing delivered');
  if (step.latencyMs.p99 > p99LimitMs) out.push(`p99 ${step.latencyMs.p99} ms > ${p99LimitMs} ms`);
  if (step.achievedRate < step.rate * 0.97) out.push(`load processes sent only ${step.achievedRate} msg/s`);
  return out;
}

export interface MaxResult {
  maxSustainedRate: number;
  p99LimitMs: number;
  steps: (StepResult & { sustained: boolean; shortfalls: string[] })[];
  /** The busiest process groups of the first step that failed (what limited it). */
  limitedBy: string | null;
}

/** Steps the rate up until a step misses (p99 over the limit, any loss or refusal). */
export async function stepUp(
  target: Target,
  pool: LoadPool,
  rates: number[],
  base: Omit<StepSettings, 'rate'> & { pauseSeconds: number; p99LimitMs: number },
): Promise<MaxResult> {
  const result: MaxResult = { maxSustainedRate: 0, p99LimitMs: base.p99LimitMs, steps: [], limitedBy: null };
  for (const rate of rates) {
    const step = await runStep(target, pool, { ...base, rate });
    const misses = shortfalls(step, base.p99LimitMs);
    result.steps.push({ ...step, sustained: misses.length === 0, shortfalls: misses });
    progress(
      `${rate} msg/s: p99 ${step.latencyMs.p99} ms, acked ${step.counts.steadyAcked}/${step.counts.steadySent}, ` +
        `lost ${step.counts.steadyLost}; CPU ${formatCpu(step.cpu)}${misses.length ? ` — ${misses.join('; ')}` : ''}`,
    );
    if (misses.length > 0) {
      result.limitedBy = busiest(step.cpu);
      break;
    }
    result.maxSustainedRate = rate;
    await sleep(base.pauseSeconds * 1000);
  }
  return result;
}

/** The process groups by CPU, busiest first, with the machine's total. */
function busiest(cpu: Record<string, number>): string {
  const skip = new Set(['machine', 'other', 'load', 'servers']);
  const ranked = Object.entries(cpu)
    .filter(([k]) => !skip.has(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v}`);
  return `${ranked.join(', ')} (machine ${cpu.machine} of ${cpus().length} cores, other ${cpu.other})`;
}

export function formatCpu(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** The table of rate steps (pairs, max, cluster), with a CPU column per process group. */
export function stepsTable(steps: (StepResult & { sustained?: boolean })[]): string {
  const cpuKeys = Object.keys(steps[0]?.cpu ?? {}).filter((k) => !/^load\d+$/.test(k));
  return markdownTable(
    [
      'rate msg/s',
      'sent/s',
      'sent (steady)',
      'acked',
      'delivered',
      'lost',
      'refused',
      'unacked',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'ack p99 ms',
      ...cpuKeys.map((k) => `CPU ${k}`),
      ...(steps.some((s) => s.sustained !== undefined) ? ['sustained'] : []),
    ],
    steps.map((s) => [
      s.rate,
      s.achievedRate,
      s.counts.steadySent,
      s.counts.steadyAcked,
      s.counts.steadyDelivered,
      s.counts.steadyLost,
      s.counts.steadyFailed,
      s.counts.steadyUnacked,
      s.latencyMs.p50,
      s.latencyMs.p95,
      s.latencyMs.p99,
      s.latencyMs.max,
      s.ackMs.p99,
      ...cpuKeys.map((k) => s.cpu[k]),
      ...(s.sustained === undefined ? [] : [s.sustained ? 'yes' : 'no']),
    ]),
  );
}
