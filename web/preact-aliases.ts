/**
 * The app is written against React's API and runs on Preact (preact/compat): the same components,
 * hooks and libraries (react-query, react-i18next, wouter) in about a fifth of the bytes, which is
 * what lets the sign-in page fit a slow phone line (docs/performance.md). One list for the build
 * (vite.config.ts) and the component tests (vitest.config.ts), so the tests run what ships.
 */
export const preactAliases = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/test-utils$/, replacement: 'preact/test-utils' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  // wouter reads useSyncExternalStore through React's CommonJS shim; compat has it built in.
  { find: /^use-sync-external-store\/shim(\/index\.js)?$/, replacement: 'preact/compat' },
];
