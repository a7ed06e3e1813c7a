import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { preactAliases } from './web/preact-aliases.js';

const protocolAlias = {
  find: '@abrik/protocol',
  replacement: fileURLToPath(new URL('./protocol/src/index.ts', import.meta.url)),
};

export default defineConfig({
  resolve: {
    // Tests run on the sources; the built `dist` is for `npm start` and the CLI.
    alias: { [protocolAlias.find]: protocolAlias.replacement },
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
        // The web client's unit and component tests, in a simulated DOM, on Preact as it ships.
        extends: true,
        resolve: { alias: [...preactAliases, protocolAlias], mainFields: ['module', 'main'] },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['web/src/test/setup.ts'],
          // Processed by Vite, so the aliases reach the libraries' own imports of React too.
          server: { deps: { inline: true } },
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
          // One server and one browser per file; files one after the other, after the other suites
          // (run beside them, the whole run was only 51 s shorter: 875 against 926 s).
          fileParallelism: false,
        },
      },
    ],
  },
});
