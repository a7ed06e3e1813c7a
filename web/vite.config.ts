import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { preactAliases } from './preact-aliases.js';

const server = process.env.ABRIK_DEV_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  resolve: {
    alias: [
      // The client compiles the protocol's sources, as the tests do; no build of protocol needed.
      {
        find: '@abrik/protocol',
        replacement: fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)),
      },
      // normalizePhone asks only "a valid mobile number?": the mobile-only metadata answers that
      // as the full one does (web/src/widget/budgets.test.ts compares them) in 24 kB gzip, not 39.
      { find: 'libphonenumber-js/max', replacement: 'libphonenumber-js/mobile' },
      ...preactAliases,
    ],
  },
  // JSX straight to Preact's runtime (React's names resolve to preact/compat, preact-aliases.ts).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [
    VitePWA({
      // Our own service worker (push, notification clicks) with the precache list injected.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,woff2,png,svg,webmanifest}'],
      },
      manifest: {
        name: 'آبریک چت',
        short_name: 'آبریک',
        description: 'گفتگو و پشتیبانی آبریک',
        lang: 'fa',
        dir: 'rtl',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#0e6b5c',
        background_color: '#f4f6f5',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The sign-in page loads only what it shows; the signed-in app (the chat engine, the socket)
    // and the staff's pages (console, settings, reports) are chunks of their own (App.tsx,
    // Shell.tsx import them lazily). dist/.vite/manifest.json is the chunk graph the budgets
    // (web/scripts/check-budgets.ts) are computed from; not served (a dot folder).
    manifest: true,
    rolldownOptions: {
      // The protocol's modules only define schemas and functions: one whose exports are not used
      // may be left out (zod's calls would otherwise keep every schema of every module).
      treeshake: { moduleSideEffects: (id) => !id.includes('/protocol/src/') },
    },
  },
  // `npm run dev -w web` next to a running server: the API and the socket are proxied to it.
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
