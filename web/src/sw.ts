/// <reference lib="webworker" />
import { createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
};

// The app shell (HTML, scripts, styles, fonts, icons) from the cache: the app starts offline and
// shows what it holds, and the outbox sends when the connection is back.
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    // The widget's frame and loader are pages and scripts of their own (other sites embed them).
    denylist: [/^\/api\//, /^\/health/, /^\/metrics/, /^\/socket\.io\//, /^\/widget\//],
  }),
);

self.addEventListener('install', () => {
  void self.skipWaiting();
});
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** The payload server/src/providers/push/webpush.provider.ts builds (buildWebPushPayload). */
interface PushPayload {
  title?: unknown;
  body?: unknown;
  tag?: unknown;
  url?: unknown;
  badge?: unknown;
  data?: Record<string, unknown>;
}

/** Only a path of this app opens from a notification. */
function safePath(url: unknown): string {
  return typeof url === 'string' && /^\/c\/[\w-]+$/.test(url) ? url : '/';
}

self.addEventListener('push', (event) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() ?? {}) as PushPayload;
  } catch {
    payload = { body: event.data?.text() };
  }
  const title = typeof payload.title === 'string' && payload.title ? payload.title : 'آبریک چت';
  const options: NotificationOptions = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    dir: 'auto',
    data: { url: safePath(payload.url) },
  };
  if (typeof payload.tag === 'string') options.tag = payload.tag;
  const work: Promise<unknown>[] = [self.registration.showNotification(title, options)];
  const nav = self.navigator as Navigator & { setAppBadge?: (n: number) => Promise<void> };
  if (typeof payload.badge === 'number' && nav.setAppBadge)
    work.push(nav.setAppBadge(payload.badge).catch(() => undefined));
  event.waitUntil(Promise.all(work));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = safePath((event.notification.data as { url?: unknown } | null)?.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        // The page routes itself (App.tsx listens), keeping its socket and state.
        open.postMessage({ type: 'open', url });
        await open.focus();
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
