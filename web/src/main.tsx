import '@fontsource/vazirmatn/400.css';
import '@fontsource/vazirmatn/500.css';
import '@fontsource/vazirmatn/700.css';
import './styles.css';
import { QueryClient } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client.js';
import { ApiError } from './api/errors.js';
import { SESSION_STORAGE_KEY, Session } from './api/session.js';
import { App } from './app/App.js';
import { createI18n, currentLang } from './i18n/index.js';

const i18n = await createI18n();
const api = new ApiClient(() => currentLang(i18n));
const session = new Session(api.refresh);
api.attach(session);
window.addEventListener('storage', (event) => {
  if (event.key === SESSION_STORAGE_KEY) session.reload();
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again; network trouble and 5xx may.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 3,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App services={{ api, session, i18n }} queryClient={queryClient} />
  </StrictMode>,
);

// A chunk that no longer exists (a deploy replaced the build this page came from): load the new
// build once, rather than leave a page that cannot open the chat. Not again within a minute, so
// a server that fails every chunk does not reload the page for ever.
window.addEventListener('vite:preloadError', (event) => {
  const key = 'abrik.chunkReload';
  const last = Number(sessionStorage.getItem(key) ?? 0);
  if (Date.now() - last < 60_000) return;
  event.preventDefault();
  sessionStorage.setItem(key, String(Date.now()));
  window.location.reload();
});

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  // The service worker caches the app shell (offline start) and shows push notifications.
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // Not fatal: the app works without it, only without offline start and push.
  });
}
