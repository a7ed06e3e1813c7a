import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAnswers } from './databases.js';

/**
 * A throw-away PostgreSQL cluster of a test's own, which the test may stop and start (the shared
 * cluster must never be touched). initdb and postgres refuse to run as root: as root, the
 * cluster belongs to the `postgres` OS user and its binaries run through `runuser`.
 */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  url: string;
  port: number;
  /** The temp directory: the data directory (`data`), the server log and the Unix socket. */
  dir: string;
  /** Fast shutdown (`pg_ctl -m fast stop`): connections are terminated, new ones refused. */
  stop(): Promise<void>;
  /** Starts the stopped cluster again on the same port and waits until it answers queries. */
  start(): Promise<void>;
  /**
   * Freezes every process of the cluster (SIGSTOP): connections stay open but nothing answers,
   * like a database host that hangs. `thaw()` (SIGCONT) resumes them.
   */
  freeze(): void;
  thaw(): void;
  /** Stops the cluster (if running) and deletes its directory. Safe to call more than once. */
  destroy(): Promise<void>;
}

export interface PostgresToolchain {
  /** Directory holding initdb, pg_ctl and postgres. */
  bin: string;
  /** Set when running as root: the OS user the cluster runs as. */
  runAs?: { user: string; uid: number; gid: number };
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];

/**
 * Finds the PostgreSQL server binaries: $PG_BIN, then the newest /usr/lib/postgresql/<version>/bin,
 * then the directory of `pg_ctl` on PATH. Throws an error saying what is missing.
 */
export function findPostgresToolchain(): PostgresToolchain {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const bin = candidates.find((dir) => REQUIRED.every((name) => existsSync(join(dir, name))));
  if (!bin) {
    throw new Error(
      `PostgreSQL server binaries (${REQUIRED.join(', ')}) not found in $PG_BIN, /usr/lib/postgresql/*/bin or PATH; install the postgresql package or set PG_BIN`,
    );
  }
  if (process.getuid?.() !== 0) return { bin };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      'running as root, but there is no `postgres` OS user to run initdb/postgres as (they refuse to run as root)',
    );
  }
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser')) {
    throw new Error('running as root, but `runuser` is missing: cannot run initdb/postgres as postgres');
  }
  return { bin, runAs: { user: 'postgres', uid, gid } };
}

/** Whether a cluster of our own can be made here; under CI=true a missing toolchain throws. */
export function ownPostgresAvailable(): boolean {
  try {
    findPostgresToolchain();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but a throw-away PostgreSQL cluster cannot be made: ${reason}`);
    }
    process.stderr.write(`${reason}: the suites that stop PostgreSQL are left out (not in CI)\n`);
    return false;
  }
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function run(
  toolchain: PostgresToolchain,
  program: string,
  args: string[],
  cwd: string,
  timeoutMs = 90_000,
): Promise<string> {
  const path = join(toolchain.bin, program);
  const [file, argv] = toolchain.runAs
    ? ['runuser', ['-u', toolchain.runAs.user, '--', path, ...args]]
    : [path, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * Clusters not destroyed yet. Should a suite die before its afterAll finishes (a hung hook), the
 * process exit stops them immediately and deletes their files, so no postgres is left behind.
 */
const undestroyed = new Map<string, () => void>();
process.once('exit', () => {
  for (const cleanup of undestroyed.values()) cleanup();
});

/** initdb's a cluster into a fresh temp directory and starts it on a free port. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const toolchain = findPostgresToolchain();
  const dir = mkdtempSync(join(tmpdir(), 'abrik-pg-'));
  if (toolchain.runAs) chownSync(dir, toolchain.runAs.uid, toolchain.runAs.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  let port = 0;
  let running = false;
  let destroyed = false;

  const logTail = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no server log)';
    }
  };

  const pgCtlStart = async () => {
    // -l: the server must not inherit our pipes, or pg_ctl's output would never end.
    await run(
      toolchain,
      'pg_ctl',
      [
        '-D',
        data,
        '-l',
        log,
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
        '-w',
        '-t',
        '60',
        'start',
      ],
      dir,
    );
    running = true;
    // pg_ctl -w waits for the postmaster; make sure TCP connections are accepted too.
    const deadline = Date.now() + 30_000;
    while (!(await postgresAnswers(url(), 1000))) {
      if (Date.now() > deadline)
        throw new Error(`own PostgreSQL on port ${port} never answered:\n${logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const url = () => `postgres://postgres@127.0.0.1:${port}/postgres`;

  try {
    await run(
      toolchain,
      'initdb',
      ['-D', data, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C', '--no-sync'],
      dir,
    );
    // The port is free when picked but could be taken before the server binds it: retry.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgCtlStart();
        break;
      } catch (error) {
        if (attempt >= 3 || running) throw error;
      }
    }
  } catch (error) {
    if (running) await run(toolchain, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop'], dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  /** The postmaster and its children (the backends and auxiliary processes). */
  const processes = (): number[] => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  };
  const frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone already
      }
    }
  };

  undestroyed.set(dir, () => {
    thaw();
    try {
      const path = join(toolchain.bin, 'pg_ctl');
      const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
      if (toolchain.runAs)
        execFileSync('runuser', ['-u', toolchain.runAs.user, '--', path, ...args], {
          cwd: dir,
          stdio: 'ignore',
        });
      else execFileSync(path, args, { cwd: dir, stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const stop = async () => {
    thaw();
    if (!running) return;
    await run(toolchain, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], dir);
    running = false;
  };

  return {
    url: url(),
    port,
    dir,
    stop,
    freeze() {
      if (!running) throw new Error('own PostgreSQL is not running');
      for (const pid of processes()) {
        process.kill(pid, 'SIGSTOP');
        frozen.push(pid);
      }
    },
    thaw,
    async start() {
      if (destroyed) throw new Error('own PostgreSQL was destroyed');
      if (running) return;
      await pgCtlStart();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await stop().catch(() =>
          run(toolchain, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], dir).catch(() => {}),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
        undestroyed.delete(dir);
      }
    },
  };
}
