import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Benchmarks run through Vitest only to reuse the TypeScript sources and the test fakes; they
// assert nothing about time and are never part of `npm test`.
export default defineConfig({
  resolve: {
    alias: { '@abrik/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
