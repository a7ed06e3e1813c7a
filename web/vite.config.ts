import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const server = process.env.ABRIK_DEV_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  resolve: {
    // The client compiles the protocol's sources, as the tests do; no build of protocol needed.
    alias: { '@abrik/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) },
  },
  plugins: [
    react(),
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
    // One ~720 kB script (~215 kB gzipped: React, zod, libphonenumber's metadata), cached for a
    // year by its hash and kept by the service worker; splitting it would not load less.
    chunkSizeWarningLimit: 1000,
  },
  // `npm run dev -w web` next to a running server: the API and the socket are proxied to it.
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
