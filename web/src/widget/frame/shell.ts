import { type FrameMessage, parseHostMessage } from '../messages';
import { type UnreadCounter, WidgetChat } from './chat';
import { type Locale, localeOf, texts } from './i18n';
import { frameStorage, type KeyValue, SessionStore, sessionKey, unreadKey } from './storage';
import type { Transport } from './transport';

/**
 * The frame's entry logic, loaded with the page: it finds the host page's origin, speaks the
 * loader's message table with it (that origin and the parent window only), keeps the unread count
 * in sync across tabs, and loads the rest on demand: the realtime chunk for a visitor with a
 * conversation, the UI chunk when the chat is opened or something is unread.
 */

/** What the shell uses of `window` (tests pass a stand-in with another parent). */
export interface FrameWindow {
  readonly parent: { postMessage(message: unknown, targetOrigin: string): void };
  readonly location: { readonly search: string; readonly ancestorOrigins?: ArrayLike<string> };
  readonly document: Document;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** A BroadcastChannel, or a stand-in for one. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** What the shell says to the other tabs of the same widget. */
export type ChannelMessage = { type: 'unread'; count: number } | { type: 'reset' } | { type: 'session' };

export interface UiModule {
  mountUi(root: HTMLElement, chat: WidgetChat, options: { locale: Locale; onClose: () => void }): void;
}

export interface ShellOptions {
  win: FrameWindow;
  root: HTMLElement;
  transport: Transport;
  /** The UI chunk (dynamic import). */
  loadUi: () => Promise<UiModule>;
  /** A BroadcastChannel by name; null where there is none. */
  openChannel: (name: string) => ChannelLike | null;
  storage?: KeyValue;
}

export interface Shell {
  chat: WidgetChat;
  unread: UnreadSync;
  stop(): void;
}

/**
 * The embedding page's origin: Chromium and Safari tell it (`ancestorOrigins`); elsewhere the
 * referrer's, which the loader keeps to the origin (`referrerpolicy="origin"` on the frame).
 */
export function hostOriginOf(win: FrameWindow): string | null {
  const ancestor = win.location.ancestorOrigins?.[0];
  if (ancestor && ancestor !== 'null') return ancestor;
  try {
    const origin = new URL(win.document.referrer).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The unread count, in this frame's storage and in step with the other tabs of the same widget.
 * Every tab of the visitor's gets each message; the tab where the chat is open reads it, so its
 * zero wins over a count another tab broadcast meanwhile.
 */
export class UnreadSync implements UnreadCounter {
  count: number;

  constructor(
    private readonly deps: {
      storage: KeyValue;
      key: string;
      broadcast: (message: ChannelMessage) => void;
      isVisible: () => boolean;
      onChange: (count: number) => void;
    },
  ) {
    const stored = Number(deps.storage.getItem(deps.key));
    this.count = Number.isInteger(stored) && stored > 0 ? stored : 0;
  }

  set(count: number): void {
    const next = Math.max(0, Math.floor(count));
    if (next === this.count) return;
    this.count = next;
    this.store();
    this.deps.broadcast({ type: 'unread', count: next });
    this.deps.onChange(next);
  }

  add(by: number): void {
    this.set(this.count + by);
  }

  /** A count from another tab. */
  receive(count: number): void {
    if (count > 0 && this.deps.isVisible()) {
      this.store();
      this.deps.broadcast({ type: 'unread', count: this.count });
      return;
    }
    if (count === this.count) return;
    this.count = count;
    this.deps.onChange(count);
  }

  private store(): void {
    try {
      if (this.count) this.deps.storage.setItem(this.deps.key, String(this.count));
      else this.deps.storage.removeItem(this.deps.key);
    } catch {
      // storage full or refused: the count still goes to the loader and the other tabs
    }
  }
}

const isChannelMessage = (data: unknown): data is ChannelMessage => {
  const message = data as Partial<ChannelMessage> | null;
  if (message?.type === 'unread') return Number.isInteger(message.count) && (message.count as number) >= 0;
  return message?.type === 'reset' || message?.type === 'session';
};

/** Starts the frame; null (and a short notice) when it is not inside a page's widget. */
export function startShell(options: ShellOptions): Shell | null {
  const { win, root, transport } = options;
  const doc = win.document;
  const params = new URLSearchParams(win.location.search);
  const widgetId = params.get('widgetId');
  const locale = localeOf(params.get('locale'));
  const t = texts(locale);
  doc.documentElement.lang = locale;
  doc.documentElement.dir = locale === 'fa' ? 'rtl' : 'ltr';
  const framed = (win.parent as unknown) !== win;
  const hostOrigin = framed ? hostOriginOf(win) : null;
  if (!hostOrigin || !widgetId) {
    root.textContent = t.notInFrame;
    return null;
  }

  const post = (message: FrameMessage) => win.parent.postMessage(message, hostOrigin);
  const storage = options.storage ?? frameStorage(win as unknown as Window);
  const channel = options.openChannel(`abrik-widget-${widgetId}`);
  const broadcast = (message: ChannelMessage) => channel?.postMessage(message);
  let open = false;
  const isVisible = () => open && doc.visibilityState !== 'hidden';

  let ui: Promise<void> | null = null;
  const showUi = () => {
    ui ??= options
      .loadUi()
      .then(({ mountUi }) => mountUi(root, chat, { locale, onClose: () => post({ type: 'abrik:close' }) }))
      .catch(() => {
        ui = null;
        root.textContent = t.errors.network;
      });
    return ui;
  };

  const unread = new UnreadSync({
    storage,
    key: unreadKey(widgetId),
    broadcast,
    isVisible,
    onChange: (count) => {
      post({ type: 'abrik:unread', count });
      // The visitor will likely open the chat now: have the UI ready.
      if (count > 0) void showUi();
    },
  });
  const chat = new WidgetChat({
    widgetId,
    locale,
    hostOrigin,
    transport,
    sessions: new SessionStore(storage, sessionKey(widgetId)),
    unread,
    onSessionChanged: () => broadcast({ type: 'session' }),
  });

  const onMessage = (event: MessageEvent) => {
    // Only the page that embeds us, from its origin; anything else is dropped unread.
    if (event.source !== (win.parent as unknown) || event.origin !== hostOrigin) return;
    const message = parseHostMessage(event.data);
    if (!message) return;
    switch (message.type) {
      case 'abrik:visibility':
        open = message.open;
        if (open) void showUi();
        chat.setVisible(isVisible());
        return;
      case 'abrik:identify':
        void chat.identify(message.token);
        return;
      case 'abrik:attributes':
        void chat.setAttributes(message.attributes);
        return;
      case 'abrik:reset':
        chat.reset();
        broadcast({ type: 'reset' });
        return;
    }
  };
  win.addEventListener('message', onMessage);

  if (channel) {
    channel.onmessage = (event) => {
      const message = event.data as unknown;
      if (!isChannelMessage(message)) return;
      if (message.type === 'unread') unread.receive(message.count);
      else if (message.type === 'reset') chat.reset();
      else chat.adoptStoredSession();
    };
  }

  const onKey = (event: KeyboardEvent) => {
    // Escape inside the frame never reaches the host page: the loader is told to close.
    if (event.key === 'Escape' && open) post({ type: 'abrik:close' });
  };
  const onVisibility = () => chat.setVisible(isVisible());
  doc.addEventListener('keydown', onKey);
  doc.addEventListener('visibilitychange', onVisibility);

  post({ type: 'abrik:ready' });
  if (unread.count) {
    post({ type: 'abrik:unread', count: unread.count });
    void showUi();
  }
  // A visitor who chatted before: their state, unread count and socket without waiting for a click.
  if (chat.resumable) void chat.load();

  return {
    chat,
    unread,
    stop: () => {
      win.removeEventListener('message', onMessage);
      doc.removeEventListener('keydown', onKey);
      doc.removeEventListener('visibilitychange', onVisibility);
      channel?.close();
    },
  };
}
