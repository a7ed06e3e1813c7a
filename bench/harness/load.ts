// The load processes (bench/load/client.ts), driven over IPC.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../../server/test/support/cluster.js';
import type { Command, Endpoint, LoadStats, Reply, RunParams } from '../load/ipc.js';
import { alive, atExit, RAISE_NOFILE, round, sleep, stop } from './common.js';
import type { ProcessGroup } from './proc.js';

const CLIENT = join(REPO, 'bench/load/client.ts');

export type ReplyOf<T extends Reply['type']> = Extract<Reply, { type: T }>;

class LoadProcess {
  private readonly waiters: {
    type: Reply['type'];
    resolve: (r: Reply) => void;
    reject: (e: Error) => void;
  }[] = [];
  private failure: Error | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: Reply) => {
      if (message.type === 'error') {
        this.fail(new Error(`${name}: ${message.message}`));
        return;
      }
      const index = this.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    child.on('exit', (code, signal) => this.fail(new Error(`${name} exited (${code ?? signal})`)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Sends a command and waits for the reply of the given type. */
  request<T extends Reply['type']>(command: Command | undefined, type: T): Promise<ReplyOf<T>> {
    if (this.failure) return Promise.reject(this.failure);
    const promise = new Promise<ReplyOf<T>>((resolve, reject) => {
      this.waiters.push({ type, resolve: resolve as (r: Reply) => void, reject });
    });
    if (command) this.child.send(command);
    return promise;
  }
}

export interface ConnectSummary {
  opened: number;
  failed: number;
  retries: number;
  errors: string[];
  seconds: number;
  stats: LoadStats[];
}

/** Several load processes (bench/load/client.ts), each with its share of the connections. */
export class LoadPool {
  private constructor(readonly processes: LoadProcess[]) {}

  static async start(count: number): Promise<LoadPool> {
    const processes: LoadProcess[] = [];
    const pool = new LoadPool(processes);
    try {
      for (let i = 0; i < count; i++) {
        const child = spawn('/bin/sh', ['-c', RAISE_NOFILE, process.execPath, CLIENT], {
          cwd: REPO,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const kill = () => {
          if (alive(child)) child.kill('SIGKILL');
        };
        atExit.add(kill);
        child.once('exit', () => atExit.delete(kill));
        const load = new LoadProcess(`load${i + 1}`, child);
        processes.push(load);
        await load.request(undefined, 'ready');
      }
      return pool;
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  get size(): number {
    return this.processes.length;
  }

  groups(): ProcessGroup[] {
    return this.processes.map((p) => ({ name: p.name, pids: () => [p.child.pid!], sumInto: 'load' }));
  }

  /** Opens the connections (endpoints[i] in process i); fails if any is refused 4 times over. */
  async connect(endpoints: Endpoint[][], concurrency = 50): Promise<ConnectSummary> {
    const replies = await Promise.all(
      this.processes.map((p, i) =>
        p.request({ type: 'connect', endpoints: endpoints[i] ?? [], concurrency }, 'connected'),
      ),
    );
    const summary: ConnectSummary = {
      opened: replies.reduce((n, r) => n + r.opened, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      retries: replies.reduce((n, r) => n + r.retries, 0),
      errors: [...new Set(replies.flatMap((r) => r.errors))],
      seconds: round(Math.max(...replies.map((r) => r.seconds)), 2),
      stats: replies.map((r) => r.stats),
    };
    if (summary.failed > 0) {
      throw new Error(`${summary.failed} connections failed: ${summary.errors.join('; ')}`);
    }
    return summary;
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.request({ type: 'disconnect' }, 'disconnected')));
  }

  async stats(): Promise<LoadStats[]> {
    return (await Promise.all(this.processes.map((p) => p.request({ type: 'stats' }, 'stats')))).map(
      (r) => r.stats,
    );
  }

  /** The same run in every process, the total rate split between them. */
  run(params: RunParams): Promise<ReplyOf<'ran'>[]> {
    const rate = params.rate / this.processes.length;
    return Promise.all(this.processes.map((p) => p.request({ type: 'run', ...params, rate }, 'ran')));
  }

  fanoutSend(process: number, socket: number, conversationId: string, tag: number, bodyLength: number) {
    return this.processes[process]!.request(
      { type: 'fanout-send', socket, conversationId, tag, bodyLength },
      'fanout-sent',
    );
  }

  fanoutReport(): Promise<ReplyOf<'fanout-report'>[]> {
    return Promise.all(this.processes.map((p) => p.request({ type: 'fanout-report' }, 'fanout-report')));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (!alive(p.child)) return;
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.disconnect(); // the process closes its sockets and exits
        await Promise.race([exited, sleep(5000)]);
        await stop(p.child, 1000, 'SIGKILL');
      }),
    );
  }
}

/** Runs `body` with a pool of load processes and closes it whatever happens. */
export async function withLoad<T>(count: number, body: (pool: LoadPool) => Promise<T>): Promise<T> {
  const pool = await LoadPool.start(count);
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}
