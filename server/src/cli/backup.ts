import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { scrubber } from '../modules/ops/doctor/doctor.js';
import type { Config } from '../platform/config.js';
import { secretsOf } from './doctor.js';

/**
 * `abrik backup` and `abrik restore`: PostgreSQL's own `pg_dump -Fc` and `pg_restore`, with the
 * connection from DATABASE_URL and nothing secret printed. Redis holds nothing to back up
 * (presence, limits and the event stream rebuild themselves).
 */

/** pg_dump / pg_restore: $PG_BIN, then the newest /usr/lib/postgresql/<version>/bin, then PATH. */
function tool(name: 'pg_dump' | 'pg_restore'): string {
  const dirs = [process.env.PG_BIN].filter((d): d is string => !!d);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a)))
      dirs.push(join(root, v, 'bin'));
  }
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  return name; // from PATH
}

/**
 * The connection for pg_dump / pg_restore: the URL without its password, which goes in
 * PGPASSWORD instead — a command line is visible to every user of the host (`ps`).
 */
function connection(url: string): { target: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return {
    target: parsed.toString(),
    env: password ? { ...process.env, PGPASSWORD: password } : process.env,
  };
}

function runTool(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  scrub: (s: string) => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', (error) =>
      reject(
        new Error(`${command} could not run (${error.message}): install postgresql-client or set PG_BIN`),
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (exit ${code}): ${scrub(stderr.trim())}`));
    });
  });
}

const requirePostgres = (config: Config): string => {
  if (!config.DATABASE_URL) {
    throw new Error(
      'no DATABASE_URL: the embedded database is backed up by stopping the server and copying DATA_DIR/pglite',
    );
  }
  return config.DATABASE_URL;
};

/**
 * `abrik backup [--out FILE] [--metrics-file FILE]`: a consistent snapshot in pg_dump's custom
 * format, taken live. With --metrics-file, a successful backup writes its time and size for
 * node_exporter's textfile collector (the AbrikBackupTooOld alert reads it).
 */
export async function backup(
  config: Config,
  options: { out?: string | undefined; metricsFile?: string | undefined },
  write: (line: string) => void,
) {
  const out = options.out;
  const url = requirePostgres(config);
  const file = out ?? `abrik-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.dump`;
  const scrub = scrubber(secretsOf(process.env));
  const { target, env } = connection(url);
  await runTool(
    tool('pg_dump'),
    ['--format=custom', '--no-owner', '--no-privileges', '--file', file, target],
    env,
    scrub,
  );
  const bytes = statSync(file).size;
  write(`backup written: ${file} (${(bytes / 1024).toFixed(0)} kB); restore with \`abrik restore ${file}\``);
  if (options.metricsFile) {
    const text = [
      '# HELP abrik_backup_last_success_timestamp_seconds When the last abrik backup finished.',
      '# TYPE abrik_backup_last_success_timestamp_seconds gauge',
      `abrik_backup_last_success_timestamp_seconds ${Math.floor(Date.now() / 1000)}`,
      '# HELP abrik_backup_last_size_bytes Size of the last abrik backup.',
      '# TYPE abrik_backup_last_size_bytes gauge',
      `abrik_backup_last_size_bytes ${bytes}`,
      '',
    ].join('\n');
    // Written beside and renamed: the collector never reads half a file.
    writeFileSync(`${options.metricsFile}.tmp`, text);
    renameSync(`${options.metricsFile}.tmp`, options.metricsFile);
  }
}

/**
 * `abrik restore FILE [--clean]`: into DATABASE_URL, which must be empty unless `--clean` (then
 * what the dump holds is dropped and recreated). Stop the servers first; they migrate on start.
 */
export async function restore(
  config: Config,
  file: string,
  options: { clean?: boolean },
  write: (line: string) => void,
) {
  const url = requirePostgres(config);
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let tables: number;
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`,
    );
    tables = rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
  if (tables > 0 && !options.clean) {
    throw new Error(
      `the database is not empty (${tables} tables): restore into a new database, or pass --clean to replace what the backup holds`,
    );
  }
  const scrub = scrubber(secretsOf(process.env));
  const { target, env } = connection(url);
  await runTool(
    tool('pg_restore'),
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      ...(options.clean ? ['--clean', '--if-exists'] : []),
      '--dbname',
      target,
      file,
    ],
    env,
    scrub,
  );
  write(`restored ${file}; start the servers (they apply any newer migrations)`);
}
