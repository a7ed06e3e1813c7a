import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The widget's loader, built apart from the app (`npm run build -w web` runs it after the app's
 * build, whose emptyOutDir would delete it): one minified IIFE at dist/widget/loader.js, no hash,
 * so the snippet's URL stays the same across deploys. Its budget: web/scripts/check-budgets.ts.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: 'src/widget/loader.ts',
      formats: ['iife'],
      name: 'AbrikWidgetLoader',
      fileName: () => 'loader.js',
    },
  },
});
