import { execFileSync, execSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { it } from 'vitest';
import { TokenService } from '../server/src/services/token.service.js';
import { createTestDatabase } from '../server/test/support/databases.js';
import { freePort } from '../server/test/support/own-postgres.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-signing';

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
const postgresPids = () =>
  execSync('pgrep -x postgres || true').toString().split('\n').filter(Boolean).map(Number);
const postgresCpu = () => postgresPids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/**
 * `pairs` (issue 5): 500 pairs (1,000 connections) of real socket.io-client sockets in a separate
 * process, a fixed total send rate (open model), 64-character bodies, latency send → receive in
 * an HDR histogram over a steady window after warm-up. The server is the production build on
 * PostgreSQL; users and tokens are made in the database, not through SMS.
 */
it('pairs: fixed-rate messages between 500 pairs', async () => {
  const pairs = Number(process.env.BENCH_PAIRS ?? 500);
  const rate = Number(process.env.BENCH_RATE ?? 2000);
  const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 5);
  const steadySeconds = Number(process.env.BENCH_SECONDS ?? 30);
  const database = await createTestDatabase('postgres');
  const port = await freePort();
  const server = spawn(process.execPath, ['server/bin/abrik.js', 'serve'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '20',
      JWT_SECRET: SECRET,
      JWT_ACCESS_TTL_SECONDS: '3600',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(tmpdir(), `abrik-bench-${process.pid}`),
      PUSH_PROVIDERS: 'none',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 300) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Users, direct conversations and memberships straight into the database.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const users = await db.query<{ id: string }>(
      `insert into users (phone, name) select '+98912' || lpad(g::text, 7, '0'), 'bench ' || g
       from generate_series(1, $1) g returning id`,
      [pairs * 2],
    );
    const ids = users.rows.map((r) => r.id);
    const tokens = new TokenService(SECRET, 3600, 30);
    const list: { conversationId: string; a: string; b: string }[] = [];
    for (let i = 0; i < pairs; i++) {
      const [a, b] = [ids[2 * i]!, ids[2 * i + 1]!];
      const conv = await db.query<{ id: string }>(
        `insert into conversations (kind, direct_key, created_by) values ('direct', $1, $2) returning id`,
        [[a, b].sort().join(':'), a],
      );
      const conversationId = conv.rows[0]!.id;
      await db.query(`insert into members (conversation_id, user_id) values ($1, $2), ($1, $3)`, [
        conversationId,
        a,
        b,
      ]);
      list.push({
        conversationId,
        a: (await tokens.signAccess(a, 'customer')).token,
        b: (await tokens.signAccess(b, 'customer')).token,
      });
    }
    await db.end();

    const cpuBefore = { server: cpuSeconds(server.pid!), postgres: postgresCpu() };
    const started = performance.now();
    // The tokens exceed what one command-line argument may hold: hand them over in a file.
    const inputFile = join(tmpdir(), `abrik-bench-pairs-${process.pid}.json`);
    writeFileSync(inputFile, JSON.stringify({ url, rate, warmupSeconds, steadySeconds, pairs: list }));
    const generator = spawn(process.execPath, ['bench/load/pairs-client.mjs', inputFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    generator.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const generatorCpu = await new Promise<number>((resolve) => {
      let last = 0;
      const timer = setInterval(() => {
        last = cpuSeconds(generator.pid!) || last;
      }, 200);
      generator.on('exit', () => {
        clearInterval(timer);
        resolve(last);
      });
    });
    const wall = (performance.now() - started) / 1000;
    const load = JSON.parse(out.trim().split('\n').at(-1)!);
    const result = {
      scenario: 'pairs',
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      settings: {
        pairs,
        rate,
        warmupSeconds,
        steadySeconds,
        body: 64,
        database: 'postgres (fsync on)',
        instances: 1,
      },
      ...load,
      cpuSecondsPerWallSecond: {
        server: Number(((cpuSeconds(server.pid!) - cpuBefore.server) / wall).toFixed(2)),
        postgres: Number(((postgresCpu() - cpuBefore.postgres) / wall).toFixed(2)),
        loadGenerator: Number((generatorCpu / wall).toFixed(2)),
      },
    };
    process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
    const stamp = Date.now();
    writeFileSync(`bench/results/pairs-${stamp}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(
      `bench/results/pairs-${stamp}.md`,
      [
        '| scenario | rate msg/s | sent | acked | delivered | lost | p50 ms | p95 ms | p99 ms | max ms | CPU server | CPU postgres | CPU load |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
        `| pairs (${pairs}) | ${rate} | ${load.steadySent} | ${load.steadyAcked} | ${load.steadyDelivered} | ${load.lost} | ${load.latencyMs.p50} | ${load.latencyMs.p95} | ${load.latencyMs.p99} | ${load.latencyMs.max} | ${result.cpuSecondsPerWallSecond.server} | ${result.cpuSecondsPerWallSecond.postgres} | ${result.cpuSecondsPerWallSecond.loadGenerator} |`,
        '',
      ].join('\n'),
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await database.drop();
  }
});
