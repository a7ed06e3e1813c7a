/**
 * The chat frame's entry (web/vite.frame.config.ts → web/dist/widget/frame/): the small shell
 * that every page with the widget loads early, hidden. The UI and the socket are separate chunks,
 * loaded when needed. docs/widget.md describes the frame.
 */
import { httpApi } from './api';
import { startShell } from './shell';

startShell({
  win: window,
  root: document.getElementById('app')!,
  transport: {
    api: httpApi(),
    connect: async (options) => (await import('./realtime')).connectSocket(options),
  },
  loadUi: () => import('./ui/mount'),
  openChannel: (name) => (typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null),
});
