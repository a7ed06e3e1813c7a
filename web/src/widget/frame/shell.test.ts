import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WidgetChat } from './chat';
import { contact, fakeTransport, makeConversation, makeMessage, makeState, WIDGET_ID } from './fakes';
import { type FrameWindow, hostOriginOf, type Shell, startShell, type UiModule } from './shell';
import { type KeyValue, sessionKey, unreadKey } from './storage';

const HOST = 'https://shop.example';
const started: Shell[] = [];

afterEach(() => {
  for (const shell of started.splice(0)) shell.stop();
  document.body.replaceChildren();
});

function memoryStorage(): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

/** A frame's window: its own message events, a parent that records what is posted to it. */
function frameWindow(options: { search?: string; ancestors?: string[]; top?: boolean } = {}) {
  const events = new EventTarget();
  const parent = { postMessage: vi.fn() };
  const win: FrameWindow & { dispatch(data: unknown, init?: { origin?: string; source?: unknown }): void } = {
    parent,
    location: {
      search: options.search ?? `?widgetId=${WIDGET_ID}&locale=fa`,
      ancestorOrigins: options.ancestors ?? [HOST],
    },
    document,
    addEventListener: (type, listener) => events.addEventListener(type, listener as EventListener),
    removeEventListener: (type, listener) => events.removeEventListener(type, listener as EventListener),
    dispatch: (data, init = {}) =>
      events.dispatchEvent(
        new MessageEvent('message', {
          data,
          origin: init.origin ?? HOST,
          source: (init.source ?? parent) as Window,
        }),
      ),
  };
  if (options.top) Object.assign(win, { parent: win });
  return { win, parent };
}

/** One tab's frame: the shell on fakes, with the storage (shared by tabs of one origin) given. */
function tab(storage = memoryStorage(), options: Parameters<typeof frameWindow>[0] = {}) {
  const { win, parent } = frameWindow(options);
  const { api, sockets, transport } = fakeTransport();
  const root = document.createElement('div');
  document.body.append(root);
  const mounted: WidgetChat[] = [];
  const loadUi = vi.fn(
    async (): Promise<UiModule> => ({ mountUi: (_root, chat) => void mounted.push(chat) }),
  );
  const shell = startShell({
    win,
    root,
    transport,
    loadUi,
    storage,
    openChannel: (name) => new BroadcastChannel(name),
  });
  if (shell) started.push(shell);
  const posted = () => parent.postMessage.mock.calls.map(([message]) => message);
  return { win, parent, api, sockets, root, shell, loadUi, mounted, posted, storage };
}

describe(startShell.name, () => {
  it('says ready first, and posts only to the host page’s exact origin', () => {
    const { parent, posted, win } = tab();
    expect(posted()).toEqual([{ type: 'abrik:ready' }]);
    win.dispatch({ type: 'abrik:visibility', open: true });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(posted()).toEqual([{ type: 'abrik:ready' }, { type: 'abrik:close' }]);
    for (const [, origin] of parent.postMessage.mock.calls) expect(origin).toBe(HOST);
  });

  it('drops messages from another origin or window, and unknown or malformed ones', async () => {
    const { win, api, loadUi } = tab();
    win.dispatch({ type: 'abrik:identify', token: 'forged.jwt' }, { origin: 'https://evil.example' });
    win.dispatch({ type: 'abrik:identify', token: 'forged.jwt' }, { source: {} });
    win.dispatch({ type: 'abrik:visibility', open: true }, { origin: 'https://chat.example.com' });
    win.dispatch({ type: 'abrik:eval', code: 'alert(1)' });
    win.dispatch({ type: 'abrik:identify', token: 42 });
    win.dispatch('abrik:reset');
    await Promise.resolve();
    expect(api.createSession).not.toHaveBeenCalled();
    expect(loadUi).not.toHaveBeenCalled();

    win.dispatch({ type: 'abrik:identify', token: 'signed.jwt' });
    await vi.waitFor(() =>
      expect(api.createSession).toHaveBeenCalledWith(
        expect.objectContaining({ token: 'signed.jwt', hostOrigin: HOST, widgetId: WIDGET_ID }),
      ),
    );
  });

  it('shows a notice and does nothing when it is not inside a frame', () => {
    const { shell, root, parent } = tab(memoryStorage(), { top: true });
    expect(shell).toBeNull();
    expect(root.textContent).toBe('این صفحه فقط درون ابزارک گفتگوی سایت‌ها کار می‌کند.');
    expect(parent.postMessage).not.toHaveBeenCalled();
  });

  it('costs a visitor who never wrote no request until they open the chat, then loads the UI', async () => {
    const storage = memoryStorage();
    storage.setItem(
      sessionKey(WIDGET_ID),
      JSON.stringify({
        sessionToken: 'kept',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
        verified: false,
      }),
    );
    const { win, loadUi, mounted, api } = tab(storage);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(loadUi).not.toHaveBeenCalled();
    expect(api.calls).toEqual([]);

    win.dispatch({ type: 'abrik:visibility', open: true });
    await vi.waitFor(() => expect(mounted).toHaveLength(1));
    await vi.waitFor(() => expect(api.state).toHaveBeenCalledExactlyOnceWith('kept'));
    expect(api.createSession).not.toHaveBeenCalled();
    expect(loadUi).toHaveBeenCalledOnce();
  });

  it('reports a returning visitor’s unread count at start, and loads the UI and the socket for it', async () => {
    const storage = memoryStorage();
    storage.setItem(
      sessionKey(WIDGET_ID),
      JSON.stringify({
        sessionToken: 'kept',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
        verified: false,
        contact: true,
      }),
    );
    storage.setItem(unreadKey(WIDGET_ID), '1');
    const first = tab(storage);
    first.api.state_ = makeState({ contact: contact(), conversation: makeConversation(), unread: 2 });
    // The stored count at once, then the server's.
    expect(first.posted()).toEqual([{ type: 'abrik:ready' }, { type: 'abrik:unread', count: 1 }]);
    expect(first.loadUi).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(first.posted()).toContainEqual({ type: 'abrik:unread', count: 2 }));
    await vi.waitFor(() => expect(first.sockets).toHaveLength(1));
  });

  it('keeps the unread count in step across tabs, and the tab where the chat is open reads it for all', async () => {
    const storage = memoryStorage();
    storage.setItem(
      sessionKey(WIDGET_ID),
      JSON.stringify({
        sessionToken: 'kept',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
        verified: false,
        contact: true,
      }),
    );
    const state = makeState({ contact: contact(), conversation: makeConversation() });
    const a = tab(storage);
    const b = tab(storage);
    a.api.state_ = state;
    b.api.state_ = state;
    await vi.waitFor(() => expect(a.sockets).toHaveLength(1));
    await vi.waitFor(() => expect(b.sockets).toHaveLength(1));

    // Only tab A got it (B's socket is slow): B learns the count through the channel.
    a.sockets[0]!.push({ type: 'message:new', payload: makeMessage({ seq: 1 }) });
    expect(a.posted()).toContainEqual({ type: 'abrik:unread', count: 1 });
    await vi.waitFor(() => expect(b.posted()).toContainEqual({ type: 'abrik:unread', count: 1 }));
    expect(storage.getItem(unreadKey(WIDGET_ID))).toBe('1');

    // The visitor opens the chat in B: read there, zero everywhere.
    b.win.dispatch({ type: 'abrik:visibility', open: true });
    expect(b.posted().at(-1)).toEqual({ type: 'abrik:unread', count: 0 });
    await vi.waitFor(() => expect(a.posted().at(-1)).toEqual({ type: 'abrik:unread', count: 0 }));
    expect(storage.getItem(unreadKey(WIDGET_ID))).toBeNull();

    // A counts a message B (open) has already read: B's zero wins.
    const before = a.posted().length;
    a.sockets[0]!.push({ type: 'message:new', payload: makeMessage({ seq: 2 }) });
    b.sockets[0]!.push({ type: 'message:new', payload: makeMessage({ seq: 2 }) });
    await vi.waitFor(() =>
      expect(a.posted().slice(before)).toEqual([
        { type: 'abrik:unread', count: 1 },
        { type: 'abrik:unread', count: 0 },
      ]),
    );
    expect(a.shell!.unread.count).toBe(0);
    expect(storage.getItem(unreadKey(WIDGET_ID))).toBeNull();
  });

  it('forgets the session on reset, in this tab and the others', async () => {
    const storage = memoryStorage();
    const a = tab(storage);
    const b = tab(storage);
    a.win.dispatch({ type: 'abrik:identify', token: 'signed.jwt' });
    await vi.waitFor(() => expect(storage.getItem(sessionKey(WIDGET_ID))).not.toBeNull());
    await vi.waitFor(() => expect(b.shell!.chat.hasSession).toBe(true)); // picked up from A's broadcast

    a.win.dispatch({ type: 'abrik:reset' });
    expect(storage.map.size).toBe(0);
    expect(a.shell!.chat.hasSession).toBe(false);
    await vi.waitFor(() => expect(b.shell!.chat.hasSession).toBe(false));
  });
});

describe(hostOriginOf.name, () => {
  const win = (ancestors: string[], referrer: string) =>
    ({
      location: { search: '', ancestorOrigins: ancestors },
      document: { referrer },
    }) as unknown as FrameWindow;

  it('takes the embedding origin from ancestorOrigins, else from the referrer, else none', () => {
    expect(hostOriginOf(win([HOST], 'https://other.example/'))).toBe(HOST);
    expect(hostOriginOf(win([], 'https://shop.example:8443/cart?id=1'))).toBe('https://shop.example:8443');
    expect(hostOriginOf(win([], ''))).toBeNull();
    expect(hostOriginOf(win(['null'], ''))).toBeNull();
  });
});
