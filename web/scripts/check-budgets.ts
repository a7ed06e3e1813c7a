/**
 * Size budgets, gzip as a server sends them. The widget's (issue 17): the loader every host page
 * loads ≤ 4 kB, the chat frame loaded on first open ≤ 60 kB, and no web font in either by default.
 * The app's (issue 18, a slow phone line): the script of the sign-in page and of the chat, counted
 * from the build's chunk graph (dist/.vite/manifest.json), never from hand-listed file names.
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

/**
 * A page of the app: what index.html loads eagerly (the entry and every chunk it imports,
 * transitively), plus the lazily imported chunks the page waits for, with their imports.
 */
export interface RouteBudget {
  name: string;
  /** Sources of the dynamic imports the page waits for (keys of the Vite manifest). */
  lazy: string[];
  /** Bytes of script, gzip. */
  limit: number;
}

// Issue 18's goals for a slow phone line (docs/performance.md, "The sign-in page on a slow phone
// line"): about 0.45 s and 1 s of download at 1.6 Mbps.
export const ROUTE_BUDGETS: RouteBudget[] = [
  // The first thing a new person downloads, on whatever line they have.
  { name: 'sign-in', lazy: [], limit: 90 * 1024 },
  // Signed in, a conversation open: the engine, the socket, the list and the conversation view.
  { name: 'chat', lazy: ['src/app/SignedIn.tsx'], limit: 200 * 1024 },
];

/** The parts of a Vite manifest entry (`build.manifest`) the budgets read. */
export interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
export type Manifest = Record<string, ManifestChunk>;

export const MANIFEST = 'dist/.vite/manifest.json';
const ENTRY = 'index.html';

/** The script files a page loads: the entry's and the lazy chunks' static import closure. */
export function routeFiles(manifest: Manifest, lazy: readonly string[]): string[] {
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not a chunk of the build`);
    if (chunk.file.endsWith('.js')) files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const key of [ENTRY, ...lazy]) visit(key);
  return [...files].sort();
}

export type RouteResult = {
  name: string;
  status: 'ok' | 'failed';
  gzip: number;
  limit: number;
  files: string[];
  message: string;
};

export function checkRouteBudget(budget: RouteBudget, webDir: string): RouteResult {
  const { name, limit } = budget;
  const failed = (message: string): RouteResult => ({
    name,
    status: 'failed',
    gzip: 0,
    limit,
    files: [],
    message: `${name}: ${message}`,
  });
  const manifestPath = join(webDir, MANIFEST);
  if (!existsSync(manifestPath)) return failed(`${MANIFEST} is missing: run \`npm run build\``);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  if (!manifest[ENTRY]?.isEntry) return failed(`${ENTRY} is not the build's entry in ${MANIFEST}`);
  for (const source of budget.lazy) {
    // Imported statically somewhere, it would be in the entry's closure and have no chunk of its own.
    if (!manifest[source]?.isDynamicEntry) return failed(`${source} is not a lazily loaded chunk`);
  }
  const files = routeFiles(manifest, budget.lazy);
  const gzip = files.reduce(
    (sum, file) => sum + gzipSync(readFileSync(join(webDir, 'dist', file))).length,
    0,
  );
  const summary = `${gzip} bytes gzip of script in ${files.length} files`;
  return gzip > limit
    ? {
        name,
        status: 'failed',
        gzip,
        limit,
        files,
        message: `${name}: ${summary}, over its budget of ${limit}`,
      }
    : { name, status: 'ok', gzip, limit, files, message: `${name}: ${summary}, within ${limit}` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const webDir = fileURLToPath(new URL('..', import.meta.url));
  const results = BUDGETS.map((budget) => checkBudget(budget, webDir));
  for (const result of results) {
    (result.status === 'failed' ? console.error : console.log)(`widget budget ${result.message}`);
  }
  const routes = ROUTE_BUDGETS.map((budget) => checkRouteBudget(budget, webDir));
  for (const result of routes) {
    (result.status === 'failed' ? console.error : console.log)(`app budget ${result.message}`);
  }
  if ([...results, ...routes].some((result) => result.status === 'failed')) process.exit(1);
}
