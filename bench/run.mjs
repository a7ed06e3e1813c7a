#!/usr/bin/env node
// npm run bench -- <scenario>: runs one benchmark scenario (or `all`) and writes its figures to
// bench/results/. Scenarios need the PostgreSQL of TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test); they target 127.0.0.1 only and stop by themselves.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SCENARIOS = { push: 'bench/push.bench.ts', pairs: 'bench/pairs.bench.ts' };
const wanted = process.argv[2] ?? 'all';
const names = wanted === 'all' ? Object.keys(SCENARIOS) : [wanted];
for (const name of names) {
  const file = SCENARIOS[name];
  if (!file || !existsSync(file)) {
    console.error(`unknown scenario "${name}"; available: ${Object.keys(SCENARIOS).join(', ')}, all`);
    process.exit(2);
  }
  const run = spawnSync('npx', ['vitest', 'run', '--config', 'bench/vitest.config.ts', file], {
    stdio: 'inherit',
    env: { ...process.env, ABRIK_BENCH: '1' },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
