#!/usr/bin/env node
// The `abrik` command runs the compiled server; `npm run build` (or `npm start`) compiles it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('abrik: the server is not built yet; run `npm run build` first.\n');
  process.exit(1);
}
await import(entry.href);
