import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run on the sources; the built `dist` is for `npm start` and the CLI.
    alias: { '@abrik/protocol': fileURLToPath(new URL('./protocol/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['protocol/src/**/*.test.ts', 'server/src/**/*.test.ts', 'server/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration suites each start servers and databases of their own.
    maxWorkers: 2,
  },
});
