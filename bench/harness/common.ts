// What every part of the harness uses: the clock, knobs, clean-up at exit, process helpers.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The JWT secret the harness gives the server and signs its tokens with. */
export const SECRET = 'bench-secret-that-is-long-enough-for-hs256-signing';
export const TOKEN_TTL_SECONDS = 6 * 3600;

/** The monotonic clock of the load processes (CLOCK_MONOTONIC: one clock for the whole machine). */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sleepUntil = (at: number) => sleep(Math.max(0, at - now()));
/** Prints progress on stderr (Vitest shows it as it comes). */
export const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** A numeric BENCH_* knob; a bad value stops the run with a message naming it. */
export function knob(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

/** A comma-separated list of numbers (e.g. BENCH_MAX_RATES=2000,4000). */
export function knobList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new Error(`${name} must be comma-separated positive numbers, got "${raw}"`);
  }
  return values;
}

/** Extra server environment from BENCH_SERVER_ENV="NAME=value,NAME=value" (server knobs to try). */
export function serverEnvOverrides(): Record<string, string> {
  const raw = process.env.BENCH_SERVER_ENV ?? '';
  const out: Record<string, string> = {};
  for (const part of raw.split(',').filter((p) => p.trim())) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`BENCH_SERVER_ENV: expected NAME=value, got "${part}"`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

// ---- cleanup ----------------------------------------------------------------------------------

/** Kills what still runs should a scenario die before its own clean-up (synchronous, best effort). */
export const atExit = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of atExit) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
});

export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM (or the given signal), then SIGKILL after timeoutMs. */
export async function stop(child: ChildProcess, timeoutMs: number, signal: NodeJS.Signals = 'SIGTERM') {
  if (!alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  if (await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

// Raises the soft limit of open files to the hard limit before exec'ing the command (a server
// or load process holding 10,000 connections needs more than the usual 1,024).
export const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** The soft limit of open files of a running process, from /proc/PID/limits. */
export function openFilesLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

// ---- numbers ----------------------------------------------------------------------------------

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nearest-rank percentile of unsorted numbers. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
}
