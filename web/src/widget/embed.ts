import { type Attributes, type HostMessage, isAttributes, parseFrameMessage } from './messages';

/**
 * The widget on someone else's page: the `AbrikWidget(command, …)` API, the launcher and unread
 * badge in a closed shadow root, and the chat frame (our origin, sandboxed) created hidden when the
 * page is idle (or on first open, if that comes first).
 * The visitor's session, socket and storage live only in the frame; the loader writes nothing to
 * the host's cookies or storage and holds an `identify` token only until the frame can take it.
 * Plain DOM and no dependencies: the built loader must stay within 4 kB gzip (docs/widget.md).
 */

export type WidgetEvent = 'open' | 'close' | 'unread' | 'ready';
export type Position = 'left' | 'right';
export interface InitOptions {
  widgetId: string;
  locale?: string;
  position?: Position;
}

/** The snippet's stub (queueing into `q`) before the loader runs, the real function after. */
export interface WidgetFunction {
  (...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  loaded?: true;
}

declare global {
  interface Window {
    AbrikWidget?: WidgetFunction;
  }
}

const EVENTS: WidgetEvent[] = ['open', 'close', 'unread', 'ready'];
const RTL = /^(fa|ar|he|ur|ps|ckb|dv|yi)(-|$)/i;

/**
 * allow-scripts: the chat UI is a script. allow-same-origin: the frame keeps its own origin (ours),
 * so it can use its storage, its socket and BroadcastChannel, and the loader can check messages by
 * that origin; without it the origin is opaque ('null'). The two together are safe only because
 * the frame is on a different origin from the host page, which therefore cannot reach into it.
 * allow-forms: pre-chat and offline forms. allow-popups: links agents send open in a new tab.
 * Not granted: top navigation, modals, downloads, pointer lock.
 */
const SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-popups';

const TEXTS = {
  fa: { open: 'گفتگو با پشتیبانی', close: 'بستن گفتگو', unread: 'پیام تازه', frame: 'گفتگوی پشتیبانی' },
  en: { open: 'Chat with support', close: 'Close chat', unread: 'unread', frame: 'Support chat' },
};

const STYLES = `:host{all:initial}
.w{position:fixed;z-index:2147483000;bottom:20px;right:20px;font:14px system-ui,sans-serif}
.l{right:auto;left:20px}
.b{position:relative;width:56px;height:56px;border:0;border-radius:50%;background:#0e6b5c;color:#fff;cursor:pointer;display:grid;place-items:center;box-shadow:0 4px 12px rgba(0,0,0,.25)}
.b:focus-visible{outline:3px solid #f5b400;outline-offset:2px}
.b svg{width:28px;height:28px;fill:currentColor}
.n{position:absolute;top:-4px;inset-inline-end:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#c62828;color:#fff;font-weight:600;font-size:12px;line-height:20px;text-align:center}
[hidden]{display:none!important}
.p{position:fixed;bottom:88px;right:20px;width:min(400px,calc(100vw - 40px));height:min(640px,calc(100vh - 110px));border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.3)}
.l .p{right:auto;left:20px}
.p iframe{display:block;width:100%;height:100%;border:0}
@media (max-width:480px){.p{inset:0;width:auto;height:auto;border-radius:0}.b[aria-expanded=true]{display:none}}`;

const warn = (text: string) => console.warn(`[AbrikWidget] ${text}`);

/**
 * Takes over `win.AbrikWidget` from the snippet's stub, replays the calls it queued in order, then
 * answers live calls. `scriptSrc` is the loader's own URL: the frame lives on its origin.
 */
export function installWidget(win: Window, scriptSrc: string): void {
  const doc = win.document;
  if (win.AbrikWidget?.loaded) return; // the script was included twice
  if (doc.readyState === 'loading') {
    // The stub keeps queueing meanwhile; the launcher needs a body.
    doc.addEventListener('DOMContentLoaded', () => installWidget(win, scriptSrc), { once: true });
    return;
  }
  const origin = new URL(scriptSrc, doc.baseURI).origin;
  const handlers: Record<WidgetEvent, ((...args: unknown[]) => void)[]> = {
    open: [],
    close: [],
    unread: [],
    ready: [],
  };
  let config: Required<InitOptions> | null = null;
  let texts = TEXTS.en;
  let launcher: HTMLButtonElement | null = null;
  let badge: HTMLElement | null = null;
  let panel: HTMLElement | null = null;
  let frame: HTMLIFrameElement | null = null;
  let frameReady = false;
  /** What waits for the frame to say it listens; the only place an identify token is held. */
  let outbox: HostMessage[] = [];
  let isOpen = false;
  let unread = 0;

  const emit = (event: WidgetEvent, ...args: unknown[]) => {
    for (const handler of handlers[event]) {
      try {
        handler(...args);
      } catch (error) {
        console.error(error); // a host page's handler must not break the widget
      }
    }
  };

  const el = <Tag extends keyof HTMLElementTagNameMap>(tag: Tag, attributes: Record<string, string> = {}) => {
    const node = doc.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  };

  const post = (message: HostMessage) => {
    const target = frame?.contentWindow;
    // Never '*': if the frame navigated elsewhere, the browser drops the message.
    if (frameReady && target) target.postMessage(message, origin);
    else outbox.push(message);
  };

  const label = () => {
    if (!launcher || !badge) return;
    const count =
      new Intl.NumberFormat(config?.locale).format(Math.min(unread, 99)) + (unread > 99 ? '+' : '');
    badge.textContent = count;
    badge.hidden = unread === 0;
    launcher.setAttribute('aria-expanded', String(isOpen));
    launcher.setAttribute(
      'aria-label',
      isOpen ? texts.close : unread ? `${texts.open} (${count} ${texts.unread})` : texts.open,
    );
  };

  const ensureFrame = () => {
    if (frame || !config || !panel) return;
    const src = new URL('/widget/frame', origin);
    src.searchParams.set('widgetId', config.widgetId);
    src.searchParams.set('locale', config.locale);
    // The referrer kept to our origin's view of the page's origin: the frame learns whom to answer
    // from it where the browser has no `location.ancestorOrigins` (Firefox), whatever the page's
    // own referrer policy.
    frame = el('iframe', { title: texts.frame, sandbox: SANDBOX, src: src.href, referrerpolicy: 'origin' });
    panel.append(frame);
  };

  const open = () => {
    if (!config) return warn("call 'init' before 'open'");
    ensureFrame();
    if (isOpen) return;
    isOpen = true;
    panel!.hidden = false;
    label();
    frame!.focus();
    post({ type: 'abrik:visibility', open: true });
    emit('open');
  };

  const close = () => {
    if (!isOpen) return;
    isOpen = false;
    panel!.hidden = true;
    label();
    launcher!.focus();
    post({ type: 'abrik:visibility', open: false });
    emit('close');
  };

  const setUnread = (count: number) => {
    unread = count;
    label();
    emit('unread', count);
  };

  const init = (options: unknown) => {
    if (config) return warn("'init' was already called");
    const { widgetId, locale = 'fa', position } = (options ?? {}) as Partial<InitOptions>;
    if (typeof widgetId !== 'string' || widgetId === '') return warn("'init' needs a widgetId");
    const rtl = RTL.test(locale);
    config = {
      widgetId,
      locale,
      position: position === 'left' || position === 'right' ? position : rtl ? 'left' : 'right',
    };
    texts = /^fa(-|$)/i.test(locale) ? TEXTS.fa : TEXTS.en;

    const host = el('abrik-widget' as 'div');
    const root = host.attachShadow({ mode: 'closed' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    // A constructed sheet is not inline style: a host CSP without 'unsafe-inline' allows it.
    root.adoptedStyleSheets = [sheet];
    const box = el('div', {
      class: config.position === 'left' ? 'w l' : 'w',
      dir: rtl ? 'rtl' : 'ltr',
      lang: locale,
    });
    panel = el('div', { class: 'p', hidden: '' });
    launcher = el('button', { type: 'button', class: 'b' });
    launcher.append(icon(doc));
    badge = el('span', { class: 'n', 'aria-hidden': 'true' });
    launcher.append(badge);
    launcher.addEventListener('click', () => (isOpen ? close() : open()));
    box.append(panel, launcher);
    root.append(box);
    doc.body.append(host);
    label();
    if (outbox.length)
      ensureFrame(); // a reset queued before init
    else whenIdle(win, ensureFrame);
    emit('ready');
  };

  const run = (args: unknown[]) => {
    const [command, first, second] = args;
    switch (command) {
      case 'init':
        return init(first);
      case 'identify': {
        const token = (first as { token?: unknown } | undefined)?.token;
        if (typeof token !== 'string' || token === '') return warn("'identify' needs a token");
        // A newer identity replaces one still waiting for the frame.
        outbox = outbox.filter((message) => message.type !== 'abrik:identify');
        return post({ type: 'abrik:identify', token });
      }
      case 'setAttributes': {
        if (!isAttributes(first))
          return warn("'setAttributes' takes an object of strings, numbers, booleans");
        return post({ type: 'abrik:attributes', attributes: { ...(first as Attributes) } });
      }
      case 'open':
        return open();
      case 'close':
        return close();
      case 'reset':
        // Forget what waits for the frame, and load the frame if need be so it forgets its
        // session too: a sign-out on the host must end the visitor's session in any case.
        outbox = [];
        post({ type: 'abrik:reset' });
        ensureFrame();
        return setUnread(0);
      case 'on': {
        if (!EVENTS.includes(first as WidgetEvent) || typeof second !== 'function') {
          return warn(`'on' takes one of ${EVENTS.join(', ')} and a function`);
        }
        handlers[first as WidgetEvent].push(second as () => void);
        if (first === 'ready' && launcher) second(); // ready already happened
        return;
      }
      default:
        warn(`unknown command ${String(command)}`);
    }
  };

  win.addEventListener('message', (event) => {
    const source = frame?.contentWindow;
    // Only our frame, from our origin; another window or origin on the page is ignored.
    if (!source || event.source !== source || event.origin !== origin) return;
    const message = parseFrameMessage(event.data);
    if (!message) return; // unknown types and wrong shapes are dropped
    if (message.type === 'abrik:ready') {
      frameReady = true;
      const waiting = outbox;
      outbox = [];
      for (const item of waiting) post(item);
      post({ type: 'abrik:visibility', open: isOpen });
    } else if (message.type === 'abrik:unread') {
      // The frame keeps the count in its own storage, in sync across tabs (BroadcastChannel on our
      // origin); the loader only shows what the frame reports and never stores it.
      setUnread(message.count);
    } else close();
  });

  doc.addEventListener('keydown', (event) => {
    // Escape inside the frame does not reach this page: the frame posts 'abrik:close' for it.
    if (event.key === 'Escape' && isOpen) close();
  });

  const queued = Array.from(win.AbrikWidget?.q ?? [], (args) => Array.from(args));
  const api: WidgetFunction = (...args) => run(args);
  api.loaded = true;
  win.AbrikWidget = api;
  for (const args of queued) run(args);
}

/**
 * The frame is loaded early but hidden, once the page has nothing better to do: it keeps the
 * visitor's unread count (their storage is on our origin), so the badge shows before any open.
 */
function whenIdle(win: Window, task: () => void) {
  if ('requestIdleCallback' in win) win.requestIdleCallback(task, { timeout: 5000 });
  else setTimeout(task, 2000);
}

function icon(doc: Document) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS(ns, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(path);
  return svg;
}
