import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The widget's chat frame, built apart from the app: the page web/dist/widget/frame/index.html
 * (served at /widget/frame) and its chunks under /widget/frame/assets/ — a small shell, and the
 * UI (Preact) and realtime (socket.io-client) chunks it imports on demand. Built after the loader,
 * whose build empties dist/widget. Budget: ≤ 60 kB gzip for all of it (web/scripts/check-budgets.ts).
 */
export default defineConfig({
  root: here('src/widget/frame'),
  base: '/widget/frame/',
  publicDir: false,
  resolve: {
    // Types only come from the protocol: an import of its values would bring zod (see frame/forms.ts).
    alias: { '@abrik/protocol': here('../protocol/src/index.ts') },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist/widget/frame'),
    emptyOutDir: true,
    // Native class fields and optional chaining: no helpers (the frame runs on current browsers).
    target: 'es2022',
    minify: true,
    sourcemap: false,
    // Browsers that run the widget know modulepreload; the polyfill would be bytes for nobody.
    modulePreload: { polyfill: false },
  },
});
