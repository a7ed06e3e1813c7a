import type { JobQueue } from '../../platform/jobs/queue.js';
import type { PushReport } from '../notifications/push-report.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * `abrik doctor push`: the runbook's push diagnosis — credentials, outcomes, quota, stale
 * tokens, dead letters and queues — as lines of text. Answers 1 when a provider's credentials fail.
 */
export async function doctorPush(deps: {
  providers: { name: string; check: () => Promise<void> }[];
  report: PushReport;
  jobs: Pick<JobQueue, 'waiting'>;
  dailyLimit: number;
  staleDays: number;
  write: (line?: string) => void;
  now?: number;
}): Promise<number> {
  const { providers, report, write } = deps;
  const now = deps.now ?? Date.now();
  let failures = 0;
  write('Push providers');
  for (const provider of providers) {
    try {
      await provider.check();
      write(`  ${provider.name}: credentials OK`);
    } catch (error) {
      failures += 1;
      write(`  ${provider.name}: FAILED — ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (providers.length === 0) write('  none configured (PUSH_PROVIDERS)');
  for (const [label, since] of [
    ['last hour', now - HOUR_MS],
    ['last day', now - DAY_MS],
  ] as const) {
    const rows = await report.outcomesSince(new Date(since));
    write(`Sends ${label}`);
    if (rows.length === 0) write('  none');
    for (const r of rows.sort((a, b) => b.n - a.n))
      write(`  ${r.provider.padEnd(8)} ${r.outcome.padEnd(14)} ${r.n}`);
  }
  const used = await report.quotaUsed(new Date(now).toISOString().slice(0, 10));
  write(`Quota today: ${used} of ${deps.dailyLimit} (${((used / deps.dailyLimit) * 100).toFixed(1)} %)`);
  const stale = await report.staleDevices(new Date(now - deps.staleDays * DAY_MS));
  write(`Stale devices (not refreshed for ${deps.staleDays} days): ${stale}`);
  const waiting = await deps.jobs.waiting();
  write(`Dead letters: ${waiting.get('push-dead')?.waiting ?? 0} (abrik jobs dead-letter list | replay)`);
  for (const [name, queue] of waiting) {
    if (name === 'push-dead') continue;
    write(`Queue ${name}: ${queue.waiting} waiting, oldest ${Math.round(queue.oldestSeconds)} s`);
  }
  return failures > 0 ? 1 : 0;
}
