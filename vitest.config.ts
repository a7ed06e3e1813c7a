import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run on the sources; the built `dist` is for `npm start` and the CLI.
    alias: { '@abrik/protocol': fileURLToPath(new URL('./protocol/src/index.ts', import.meta.url)) },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration suites each start servers and databases of their own.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['protocol/src/**/*.test.ts', 'server/src/**/*.test.ts', 'server/test/**/*.test.ts'],
          // Once per run: the migrated PGlite and PostgreSQL databases the test apps start from.
          globalSetup: ['server/test/support/global-setup.ts'],
        },
      },
      {
        // The web client's unit and component tests, in a simulated DOM.
        extends: true,
        test: {
          name: 'web',
          include: ['web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['web/src/test/setup.ts'],
        },
      },
      {
        // Real Chromium against the built server and client (web/dist): `npm run build` first.
        extends: true,
        test: {
          name: 'e2e',
          include: ['web/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // One server and one browser per file; files one after the other.
          fileParallelism: false,
        },
      },
    ],
  },
});
