import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config server/drizzle.config.ts` writes a new migration after a
// schema change; commit it. Migrations are applied by `abrik migrate` and at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './server/src/modules/*/tables.ts',
    './server/src/modules/*/*/tables.ts',
    './server/src/platform/*/tables.ts',
  ],
  out: './server/drizzle',
});
