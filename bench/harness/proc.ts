// CPU and memory of processes, from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { now, round } from './common.js';

const TICKS = 100; // USER_HZ, 100 on Linux

/** CPU seconds (user + system) a process has used; undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** The process and all its descendants (nginx's master and workers). */
export function withDescendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out;
}

/** Resident memory of a process (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time the whole machine has been busy (all but idle and iowait), in ticks, from /proc/stat. */
function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

/** A set of processes whose CPU is reported together (a server instance, PostgreSQL, …). */
export interface ProcessGroup {
  name: string;
  pids(): number[] | Promise<number[]>;
  /** Also added into this total (e.g. load1, load2 → load). */
  sumInto?: string;
  /** A server instance (see `quiesce`). */
  server?: boolean;
}

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of the whole machine. */
  machine: number;
  groups: Map<string, Map<number, number>>;
}

export async function cpuSnapshot(groups: ProcessGroup[]): Promise<CpuSnapshot> {
  const snapshot: CpuSnapshot = { at: now(), machine: machineBusyTicks(), groups: new Map() };
  for (const group of groups) {
    const seconds = new Map<number, number>();
    for (const pid of await group.pids()) {
      const s = cpuSeconds(pid);
      if (s !== undefined) seconds.set(pid, s);
    }
    snapshot.groups.set(group.name, seconds);
  }
  return snapshot;
}

/**
 * CPU used between two snapshots, in cores (CPU seconds per wall second), per group and summed
 * groups; `machine` is every process on the machine, `other` what none of the groups used
 * (other people's work, the harness itself). A process that started in between counts from 0.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, groups: ProcessGroup[]): Record<string, number> {
  const wall = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  const sums: Record<string, number> = {};
  let accounted = 0;
  for (const group of groups) {
    const before = a.groups.get(group.name) ?? new Map<number, number>();
    let used = 0;
    for (const [pid, seconds] of b.groups.get(group.name) ?? []) used += seconds - (before.get(pid) ?? 0);
    const cores = used / wall;
    out[group.name] = cores;
    accounted += cores;
    if (group.sumInto) sums[group.sumInto] = (sums[group.sumInto] ?? 0) + cores;
  }
  Object.assign(out, sums);
  const machine = (b.machine - a.machine) / TICKS / wall;
  out.machine = machine;
  out.other = Math.max(0, machine - accounted);
  for (const key of Object.keys(out)) out[key] = round(out[key]!, 2);
  return out;
}
