/**
 * The widget's size budgets (issue 17), gzip as a server sends them: the loader every host page
 * loads ≤ 4 kB, the chat frame loaded on first open ≤ 60 kB, and no web font in either by default.
 * Run after the build (`npm run build -w web` ends with it; web/src/widget/budgets.test.ts runs the
 * same checks in `npm test`): exits 1 with what is over. Plain TypeScript that Node runs as is.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Budget {
  name: string;
  /** The source entry; while it does not exist, there is nothing to build or check yet. */
  source: string;
  /** The built file, or a folder whose .js and .css files all count. */
  built: string;
  /** Bytes, gzip. */
  limit: number;
}

export const BUDGETS: Budget[] = [
  { name: 'loader', source: 'src/widget/loader.ts', built: 'dist/widget/loader.js', limit: 4096 },
  { name: 'frame', source: 'src/widget/frame/main.tsx', built: 'dist/widget/frame', limit: 60 * 1024 },
];

/** What marks a web font: a font face, a font file, a font CDN or the app's own font. */
const WEB_FONT = /@font-face|\.(woff2?|ttf|otf|eot)\b|fonts\.(googleapis|gstatic)\.com|vazirmatn/i;

export type Result =
  | { name: string; status: 'not-yet'; message: string }
  | { name: string; status: 'ok' | 'failed'; gzip: number; limit: number; message: string };

export function checkBudget(budget: Budget, webDir: string): Result {
  const { name, limit } = budget;
  if (!existsSync(join(webDir, budget.source))) {
    return {
      name,
      status: 'not-yet',
      message: `${name}: ${budget.source} does not exist yet, nothing to check`,
    };
  }
  const built = join(webDir, budget.built);
  if (!existsSync(built)) {
    return {
      name,
      status: 'failed',
      gzip: 0,
      limit,
      message: `${name}: ${budget.built} is missing: run \`npm run build\``,
    };
  }
  const files = statSync(built).isDirectory()
    ? readdirSync(built, { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(js|css)$/.test(file))
        .map((file) => join(built, file))
    : [built];
  let gzip = 0;
  const problems: string[] = [];
  for (const file of files) {
    const content = readFileSync(file);
    gzip += gzipSync(content).length;
    const font = WEB_FONT.exec(content.toString('utf8'));
    if (font) problems.push(`references a web font (${font[0]}) in ${relative(webDir, file)}`);
  }
  if (gzip > limit) problems.push(`${gzip} bytes gzip, over its budget of ${limit}`);
  return problems.length
    ? { name, status: 'failed', gzip, limit, message: `${name}: ${problems.join('; ')}` }
    : { name, status: 'ok', gzip, limit, message: `${name}: ${gzip} bytes gzip of ${limit}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const webDir = fileURLToPath(new URL('..', import.meta.url));
  const results = BUDGETS.map((budget) => checkBudget(budget, webDir));
  for (const result of results) {
    (result.status === 'failed' ? console.error : console.log)(`widget budget ${result.message}`);
  }
  if (results.some((result) => result.status === 'failed')) process.exit(1);
}
