/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside every text file of
 * web/dist — the app, its service worker, the widget's loader and chat frame — once at build
 * time, so the server sends them compressed without compressing on every request (@fastify/static
 * `preCompressed`, server/src/platform/http/web-client.ts). A variant that would not be smaller
 * is not written. Run last in `npm run build -w web`. Plain TypeScript that Node runs as is.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** What compresses well; fonts (woff2 is compressed already) and images are left as they are. */
export const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt|xml)$/;

export interface Precompressed {
  files: number;
  raw: number;
  br: number;
  gzip: number;
}

export function precompress(dir: string): Precompressed {
  const totals: Precompressed = { files: 0, raw: 0, br: 0, gzip: 0 };
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  for (const name of files) {
    const file = join(dir, name);
    // A variant left by an earlier build of a file that is gone (or no longer smaller).
    if (/\.(br|gz)$/.test(name)) {
      rmSync(file);
      continue;
    }
    // dist/.vite/manifest.json is read by the budgets, never served.
    if (name.startsWith('.') || !COMPRESSIBLE.test(name) || !statSync(file).isFile()) continue;
    const content = readFileSync(file);
    const br = brotliCompressSync(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    });
    const gzip = gzipSync(content, { level: 9 });
    totals.files += 1;
    totals.raw += content.length;
    totals.br += Math.min(br.length, content.length);
    totals.gzip += Math.min(gzip.length, content.length);
    if (br.length < content.length) writeFileSync(`${file}.br`, br);
    if (gzip.length < content.length) writeFileSync(`${file}.gz`, gzip);
  }
  return totals;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL('../dist', import.meta.url));
  const { files, raw, br, gzip } = precompress(dist);
  const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  console.log(`precompressed ${files} files: ${kB(raw)} → brotli ${kB(br)}, gzip ${kB(gzip)}`);
}
