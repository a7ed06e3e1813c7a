// Result files in bench/results/: the environment, the settings, the figures (JSON, Markdown).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { REPO } from '../../server/test/support/cluster.js';
import { progress, round } from './common.js';

const RESULTS = join(REPO, 'bench/results');

/** Where and on what a result was measured; with `db`, PostgreSQL's version and durability settings. */
export async function environment(db?: pg.Client): Promise<Record<string, unknown>> {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'server', 'protocol', 'bench') !== '';
  const env: Record<string, unknown> = {
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+dirty' : ''}`,
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverageAtStart: loadavg().map((v) => round(v, 2)),
  };
  if (db) {
    const rows = await db.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings
       where name in ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_level')`,
    );
    env.postgres = Object.fromEntries(rows.rows.map((r) => [r.name, r.setting]));
  }
  return env;
}

/** A Markdown table; numbers are written with thousands separators. */
export function markdownTable(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) =>
    v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US') : v;
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/**
 * Writes bench/results/<scenario>-<time>.json and .md: the environment and settings first, then
 * the scenario's figures (JSON) or tables (Markdown).
 */
export function writeResults(
  scenario: string,
  result: { environment: Record<string, unknown>; settings: Record<string, unknown> } & Record<
    string,
    unknown
  >,
  tables: string,
): string {
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const base = join(RESULTS, `${scenario}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ scenario, ...result }, null, 2)}\n`);
  const e = result.environment;
  const pgSettings = e.postgres as Record<string, string> | undefined;
  const lines = [
    `# ${scenario} (${e.date})`,
    '',
    `- commit ${e.commit}, Node ${e.node}, ${e.cpu} × ${e.cores} cores, ${e.memoryGiB} GiB, load average at start ${(e.loadAverageAtStart as number[]).join(' ')}`,
    ...(pgSettings
      ? [
          `- PostgreSQL ${pgSettings.server_version}: fsync ${pgSettings.fsync}, synchronous_commit ${pgSettings.synchronous_commit}, shared_buffers ${pgSettings.shared_buffers} × 8 kB, max_connections ${pgSettings.max_connections}`,
        ]
      : []),
    `- settings: ${Object.entries(result.settings)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(', ')}`,
    ...(tables.includes('| CPU ')
      ? [
          '- CPU columns: cores used (CPU seconds per wall second) in the measured window; `other` is what',
          '  none of the listed processes used (other work on the machine), `machine` the whole machine.',
        ]
      : []),
    '',
    tables,
    '',
  ];
  writeFileSync(`${base}.md`, lines.join('\n'));
  progress(`results: ${base}.json, ${base}.md`);
  return base;
}

/** The newest result file of a scenario (e.g. `max`), parsed; undefined when there is none. */
export function latestResult(scenario: string): { file: string; data: Record<string, unknown> } | undefined {
  let files: string[];
  try {
    files = readdirSync(RESULTS).filter((f) => f.startsWith(`${scenario}-`) && f.endsWith('.json'));
  } catch {
    return undefined;
  }
  const file = files.sort().at(-1);
  if (!file) return undefined;
  return { file: join('bench/results', file), data: JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) };
}
