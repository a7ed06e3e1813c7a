#!/usr/bin/env node
// npm run bench -- <scenario>: runs one benchmark scenario (or `all`, each in turn) and writes its
// figures to bench/results/. Scenarios need the PostgreSQL of TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test), `cluster` also nginx and redis-server, `coldload`
// Chromium (/usr/bin/chromium or CHROMIUM_BIN); they target 127.0.0.1 only, stop by themselves
// and clean up after themselves. The server is built first (`npm run build`) unless BENCH_BUILD=0.
// Knobs (BENCH_*): docs/performance.md.
import { spawnSync } from 'node:child_process';

const SCENARIOS = ['push', 'batch', 'pairs', 'max', 'idle', 'fanout', 'cluster', 'coldload'];
const wanted = process.argv[2] ?? 'all';
const names = wanted === 'all' ? SCENARIOS : [wanted];
for (const name of names) {
  if (!SCENARIOS.includes(name)) {
    console.error(`unknown scenario "${name}"; available: ${SCENARIOS.join(', ')}, all`);
    process.exit(2);
  }
}

if (process.env.BENCH_BUILD !== '0') {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const failed = [];
for (const name of names) {
  if (names.length > 1) console.error(`\n[bench] ==== ${name} ====`);
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--config', 'bench/vitest.config.ts', `bench/${name}.bench.ts`],
    { stdio: 'inherit', env: { ...process.env, ABRIK_BENCH: '1' } },
  );
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`[bench] failed: ${failed.join(', ')}`);
  process.exit(1);
}
