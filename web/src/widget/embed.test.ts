import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installWidget, type WidgetFunction } from './embed';

const LOADER = 'https://chat.example.com/widget/loader.js';
const FRAME_ORIGIN = 'https://chat.example.com';

let frameWindow: { postMessage: ReturnType<typeof vi.fn> };
let shadowRoots: ShadowRoot[];

beforeEach(() => {
  delete window.AbrikWidget;
  // The simulated DOM loads no iframe page (it logs a NotSupportedError for each): the frame's window is a stand-in that records posts.
  frameWindow = { postMessage: vi.fn() };
  // Frames of earlier tests are detached and get none, so their loaders stay out of this test.
  vi.spyOn(HTMLIFrameElement.prototype, 'contentWindow', 'get').mockImplementation(function (
    this: HTMLIFrameElement,
  ) {
    return this.isConnected ? (frameWindow as unknown as Window) : null;
  });
  // The root is closed to the host page; the test keeps the one the loader made.
  shadowRoots = [];
  const attach = Element.prototype.attachShadow;
  vi.spyOn(Element.prototype, 'attachShadow').mockImplementation(function (this: Element, init) {
    const root = attach.call(this, init);
    shadowRoots.push(root);
    return root;
  });
});

afterEach(() => {
  // Closes whatever a test left open, so its document listener goes quiet.
  document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
  vi.restoreAllMocks();
  document.body.replaceChildren();
  delete window.AbrikWidget;
});

/** The snippet: a stub that queues its calls until the loader runs. */
function snippet(): WidgetFunction {
  const stub: WidgetFunction = (...args: unknown[]) => {
    stub.q = stub.q ?? [];
    stub.q.push(args);
  };
  window.AbrikWidget = stub;
  return stub;
}

const widget = (...args: unknown[]) => window.AbrikWidget!(...args);
const root = () => shadowRoots[0]!;
const launcher = () => root().querySelector('button')!;
const panel = () => root().querySelector<HTMLElement>('.p')!;
const iframe = () => root().querySelector('iframe');
const fromFrame = (data: unknown, init: { origin?: string; source?: unknown } = {}) =>
  window.dispatchEvent(
    new MessageEvent('message', {
      data,
      origin: init.origin ?? FRAME_ORIGIN,
      source: (init.source ?? frameWindow) as Window,
    }),
  );
const posted = () => frameWindow.postMessage.mock.calls.map(([message]) => message);

describe(installWidget.name, () => {
  it('replays the calls queued before it loaded in order, then answers live calls', () => {
    snippet();
    const log: string[] = [];
    widget('on', 'open', () => log.push('open'));
    widget('on', 'close', () => log.push('close'));
    widget('init', { widgetId: 'w1' });
    widget('open');
    widget('close');
    widget('open');
    expect(log).toEqual([]);

    installWidget(window, LOADER);
    expect(log).toEqual(['open', 'close', 'open']);
    widget('close');
    expect(log).toEqual(['open', 'close', 'open', 'close']);
    expect(window.AbrikWidget!.loaded).toBe(true);
  });

  it('puts the launcher on the left for a right-to-left locale (fa by default), right otherwise', () => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1' });
    const box = root().querySelector('.w')!;
    expect(box.className).toBe('w l');
    expect(box.getAttribute('dir')).toBe('rtl');
    widget('open');
    expect(iframe()!.src).toBe(`${FRAME_ORIGIN}/widget/frame?widgetId=w1&locale=fa`);
  });

  it.each([
    [{ locale: 'en' }, 'w', 'ltr'],
    [{ locale: 'en', position: 'left' }, 'w l', 'ltr'],
    [{ locale: 'fa', position: 'right' }, 'w', 'rtl'],
  ])('init %o gives the launcher box class %s and direction %s', (options, className, dir) => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1', ...options });
    expect(root().querySelector('.w')!.className).toBe(className);
    expect(root().querySelector('.w')!.getAttribute('dir')).toBe(dir);
  });

  it('draws a labelled button and a badge in a closed shadow root, styled without inline styles', () => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1' });
    const host = document.querySelector('abrik-widget')!;
    expect(host.shadowRoot).toBeNull();
    expect(launcher().getAttribute('type')).toBe('button');
    expect(launcher().getAttribute('aria-label')).toBe('گفتگو با پشتیبانی');
    expect(launcher().getAttribute('aria-expanded')).toBe('false');
    expect(root().querySelector<HTMLElement>('.n')!.hidden).toBe(true);
    expect(root().adoptedStyleSheets).toHaveLength(1);
    expect(document.querySelectorAll('style, [style]')).toHaveLength(0);
    expect(root().querySelectorAll('style, script, [style]')).toHaveLength(0);
    expect(host.attributes).toHaveLength(0);
  });

  it('creates the sandboxed frame on first open if the page was not idle before, and Escape closes it', () => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1', locale: 'en' });
    expect(iframe()).toBeNull();
    launcher().click();
    expect(iframe()!.getAttribute('sandbox')).toBe(
      'allow-scripts allow-same-origin allow-forms allow-popups',
    );
    expect(iframe()!.title).toBe('Support chat');
    expect(panel().hidden).toBe(false);
    expect(launcher().getAttribute('aria-expanded')).toBe('true');
    expect(launcher().getAttribute('aria-label')).toBe('Close chat');

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(panel().hidden).toBe(true);
    expect(launcher().getAttribute('aria-expanded')).toBe('false');
    expect(root().activeElement).toBe(launcher());
  });

  it('loads the frame hidden when the page is idle, so the badge shows unread before any open', () => {
    const idle: (() => void)[] = [];
    Object.defineProperty(window, 'requestIdleCallback', {
      configurable: true,
      value: (task: () => void) => idle.push(task),
    });
    try {
      installWidget(window, LOADER);
      widget('init', { widgetId: 'w1' });
      expect(iframe()).toBeNull();
      idle.shift()!();
    } finally {
      delete (window as { requestIdleCallback?: unknown }).requestIdleCallback;
    }
    expect(iframe()!.src).toBe(`${FRAME_ORIGIN}/widget/frame?widgetId=w1&locale=fa`);
    // The frame learns the host page's origin from the referrer where ancestorOrigins is missing.
    expect(iframe()!.getAttribute('referrerpolicy')).toBe('origin');
    expect(panel().hidden).toBe(true);

    fromFrame({ type: 'abrik:ready' });
    fromFrame({ type: 'abrik:unread', count: 2 });
    expect(root().querySelector('.n')!.textContent).toBe('۲');
    expect(posted()).toEqual([{ type: 'abrik:visibility', open: false }]);
    widget('open');
    expect(root().querySelectorAll('iframe')).toHaveLength(1);
  });

  it('falls back to a timer where the browser has no requestIdleCallback', () => {
    vi.useFakeTimers();
    try {
      installWidget(window, LOADER);
      widget('init', { widgetId: 'w1' });
      expect(iframe()).toBeNull();
      vi.advanceTimersByTime(2000);
      expect(iframe()).not.toBeNull();
      expect(panel().hidden).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds messages until the frame is ready, then posts them only to the frame’s exact origin', () => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1' });
    widget('identify', { token: 'old.jwt' });
    widget('identify', { token: 'signed.jwt' });
    widget('setAttributes', { plan: 'gold', seats: 3 });
    widget('open');
    expect(frameWindow.postMessage).not.toHaveBeenCalled();

    fromFrame({ type: 'abrik:ready' });
    expect(posted()).toEqual([
      { type: 'abrik:identify', token: 'signed.jwt' },
      { type: 'abrik:attributes', attributes: { plan: 'gold', seats: 3 } },
      { type: 'abrik:visibility', open: true },
      { type: 'abrik:visibility', open: true },
    ]);
    widget('close');
    widget('reset');
    expect(frameWindow.postMessage).toHaveBeenCalledTimes(6);
    for (const [, targetOrigin] of frameWindow.postMessage.mock.calls)
      expect(targetOrigin).toBe(FRAME_ORIGIN);
    expect(posted().slice(4)).toEqual([{ type: 'abrik:visibility', open: false }, { type: 'abrik:reset' }]);
  });

  it('fires on(…) handlers: ready after init (even when added later), unread with the count', () => {
    installWidget(window, LOADER);
    const ready = vi.fn();
    const lateReady = vi.fn();
    const unread = vi.fn();
    widget('on', 'ready', ready);
    widget('on', 'unread', unread);
    widget('init', { widgetId: 'w1' });
    widget('on', 'ready', lateReady);
    expect(ready).toHaveBeenCalledOnce();
    expect(lateReady).toHaveBeenCalledOnce();

    widget('open');
    widget('close');
    fromFrame({ type: 'abrik:unread', count: 3 });
    expect(unread).toHaveBeenCalledWith(3);
    const badge = root().querySelector<HTMLElement>('.n')!;
    expect(badge.hidden).toBe(false);
    expect(badge.textContent).toBe('۳');
    expect(launcher().getAttribute('aria-label')).toBe('گفتگو با پشتیبانی (۳ پیام تازه)');
  });

  it('ignores messages from another origin or another window, and drops unknown types', () => {
    installWidget(window, LOADER);
    const unread = vi.fn();
    const close = vi.fn();
    widget('on', 'unread', unread);
    widget('on', 'close', close);
    widget('init', { widgetId: 'w1' });
    widget('open');

    fromFrame({ type: 'abrik:unread', count: 5 }, { origin: 'https://evil.example' });
    fromFrame({ type: 'abrik:unread', count: 5 }, { source: window });
    fromFrame({ type: 'abrik:unread', count: 5 }, { origin: 'https://shop.example', source: window });
    fromFrame({ type: 'abrik:ready' }, { origin: 'https://evil.example' });
    fromFrame({ type: 'abrik:eval', code: 'alert(1)' });
    fromFrame({ type: 'abrik:unread', count: -1 });
    fromFrame({ type: 'abrik:unread', count: '5' });
    fromFrame({ type: 'toString' });
    fromFrame('abrik:close');
    fromFrame(null);
    expect(unread).not.toHaveBeenCalled();
    expect(close).not.toHaveBeenCalled();
    expect(panel().hidden).toBe(false);
    expect(frameWindow.postMessage).not.toHaveBeenCalled(); // no forged 'ready' released the outbox

    fromFrame({ type: 'abrik:unread', count: 5 });
    fromFrame({ type: 'abrik:close' });
    expect(unread).toHaveBeenCalledWith(5);
    expect(close).toHaveBeenCalledOnce();
  });

  it('forgets a waiting identity on reset and loads the frame to reset its session', () => {
    installWidget(window, LOADER);
    widget('init', { widgetId: 'w1' });
    widget('identify', { token: 'signed.jwt' });
    widget('reset');
    expect(iframe()).not.toBeNull();
    expect(panel().hidden).toBe(true);
    fromFrame({ type: 'abrik:ready' });
    expect(posted()).toEqual([{ type: 'abrik:reset' }, { type: 'abrik:visibility', open: false }]);
  });

  it('writes nothing to the host page’s cookies or storage, and keeps tokens out of its DOM', () => {
    const cookie = vi.spyOn(Document.prototype, 'cookie', 'set');
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    snippet();
    widget('init', { widgetId: 'w1' });
    widget('identify', { token: 'signed.jwt' });
    installWidget(window, LOADER);
    widget('setAttributes', { plan: 'gold' });
    widget('open');
    fromFrame({ type: 'abrik:ready' });
    fromFrame({ type: 'abrik:unread', count: 2 });
    widget('close');
    widget('reset');

    expect(cookie).not.toHaveBeenCalled();
    expect(setItem).not.toHaveBeenCalled();
    expect(document.cookie).toBe('');
    expect(localStorage).toHaveLength(0);
    expect(sessionStorage).toHaveLength(0);
    expect(iframe()!.src).not.toContain('signed.jwt');
    expect(document.documentElement.outerHTML).not.toContain('signed.jwt');
  });

  it('ignores bad calls with a warning instead of throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    installWidget(window, LOADER);
    widget('open');
    widget('init', {});
    widget('identify', {});
    widget('setAttributes', { fn: () => 1 });
    widget('on', 'nope', () => {});
    widget('launch');
    expect(warn).toHaveBeenCalledTimes(6);
    expect(document.querySelector('abrik-widget')).toBeNull();
  });
});
