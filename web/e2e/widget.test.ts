import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../server/test/support/cluster.js';
import { bubble, newPhone, type SignedIn, send, signIn } from './support/chat.js';
import { api, apiSignIn, createUser } from './support/desk.js';
import { DESKTOP, type E2E, e2eAvailable, type Person, PHONE, startE2E } from './support/e2e.js';

const available = e2eAvailable();
const SCREENSHOTS = join(REPO, 'docs/screenshots');
const eventually = { timeout: 20_000, interval: 50 };

/**
 * A company's website with the widget, in Chromium. The site is served from another origin (a
 * second local server, `http://localhost:<port>`) under a strict Content-Security-Policy: no
 * inline script or style, scripts from itself and the Abrik server only, frames from the Abrik
 * server only, Trusted Types required. A visitor opens the launcher and chats with an agent in
 * the console; the site's own script cannot find the visitor's token anywhere it can read; the
 * same site on an origin the widget does not list gets no chat frame; a forged identity is
 * refused where identity is required.
 */
describe.skipIf(!available)('the website widget on another site', () => {
  let e2e: E2E;
  let site: Server;
  /** The listed origin, and the same server under a name the widget does not list. */
  let listed: string;
  let unlisted: string;
  let adminToken: string;
  let agent: SignedIn;
  let widgetId: string;
  let requiredWidgetId: string;
  let conversationId: string;
  let visitor: Person;
  const people: Person[] = [];
  /** Session tokens the frame was given (read off the network), to look for on the host page. */
  const sessionTokens: string[] = [];

  const call = (method: string, path: string, body?: unknown) => api(e2e, method, path, adminToken, body);

  /** The host page's policy: strict, as a careful site would have it. */
  const sitePolicy = () =>
    [
      "default-src 'none'",
      `script-src 'self' ${e2e.url}`,
      "style-src 'self'",
      `frame-src ${e2e.url}`,
      "img-src 'self'",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "require-trusted-types-for 'script'",
    ].join('; ');

  function startSite(): Promise<Server> {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://site');
      if (url.pathname === '/') {
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': sitePolicy(),
        });
        response.end(
          `<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>فروشگاه</title>` +
            `<link rel="stylesheet" href="/site.css"></head><body><main><h1>فروشگاه نمونه</h1>` +
            `<p>کتاب، نوشت‌افزار و هدیه.</p></main>` +
            `<script src="/abrik-init.js${url.search}"></script>` +
            `<script async src="${e2e.url}/widget/loader.js"></script></body></html>`,
        );
        return;
      }
      if (url.pathname === '/site.css') {
        response.writeHead(200, { 'content-type': 'text/css' });
        response.end('body{font-family:sans-serif;margin:2rem;background:#f7f4ee}main{max-width:40rem}');
        return;
      }
      if (url.pathname === '/abrik-init.js') {
        // The snippet's first lines, moved into a file of the site's (no inline script needed),
        // set up from the page's query: which widget, which language, an identity token.
        const script = `
          window.violations = [];
          document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
          window.AbrikWidget = window.AbrikWidget || function () { (window.AbrikWidget.q = window.AbrikWidget.q || []).push(arguments); };
          const query = new URLSearchParams(location.search);
          AbrikWidget('init', { widgetId: query.get('widget'), locale: query.get('locale') || 'fa' });
          if (query.get('identity')) AbrikWidget('identify', { token: query.get('identity') });
          window.widgetEvents = [];
          AbrikWidget('on', 'open', () => window.widgetEvents.push('open'));
          AbrikWidget('on', 'close', () => window.widgetEvents.push('close'));
          AbrikWidget('on', 'unread', (n) => window.widgetEvents.push('unread ' + n));
          document.cookie = 'site_session=shop-owned';
        `;
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        response.end(script);
        return;
      }
      response.writeHead(404);
      response.end();
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  }

  async function person(viewport: { width: number; height: number } = DESKTOP): Promise<Person> {
    const p = await e2e.person({ viewport });
    people.push(p);
    return p;
  }

  /** The chat frame inside the host page, once it has drawn itself. */
  async function chatFrame(page: Page): Promise<Frame> {
    await expect
      .poll(() => page.frames().some((f) => f.url().includes('/widget/frame')), eventually)
      .toBe(true);
    return page.frames().find((f) => f.url().includes('/widget/frame'))!;
  }

  /**
   * The launcher lives in a closed shadow root, out of reach of selectors (as of the site's own
   * scripts): the test clicks where it is drawn, 20 px from the bottom corner, 56 px wide — the
   * left corner in Persian, the right one in English.
   */
  async function clickLauncher(page: Page, side: 'left' | 'right' = 'left') {
    await page.locator('abrik-widget').waitFor({ state: 'attached' });
    const { width, height } = page.viewportSize()!;
    await page.mouse.click(side === 'left' ? 48 : width - 48, height - 48);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  beforeAll(async () => {
    e2e = await startE2E();
    site = await startSite();
    const { port } = site.address() as AddressInfo;
    listed = `http://localhost:${port}`;
    unlisted = `http://127.0.0.1:${port}`;
    const adminPhone = newPhone();
    createUser(e2e, 'admin', adminPhone, 'مدیر');
    adminToken = (await apiSignIn(e2e, adminPhone)).accessToken;
    const calendar = await call('POST', '/api/v1/support/calendars', {
      name: 'همیشه باز',
      template: 'always_open',
    });
    const inbox = await call('POST', '/api/v1/support/inboxes', { name: 'وب‌سایت فروشگاه', kind: 'widget' });
    await call('PATCH', `/api/v1/support/inboxes/${inbox.id}`, { calendarId: calendar.id });
    const widget = await call('POST', '/api/v1/widgets', {
      name: 'فروشگاه نمونه',
      inboxId: inbox.id,
      allowedOrigins: [listed],
      greeting: { fa: 'سلام! چطور می‌توانیم کمکتان کنیم؟', en: 'Hi! How can we help?' },
      theme: { primaryColor: '#0f766e' },
    });
    widgetId = widget.id;
    const required = await call('POST', '/api/v1/widgets', {
      name: 'فقط مشتریان',
      inboxId: inbox.id,
      allowedOrigins: [listed],
      identityMode: 'required',
    });
    requiredWidgetId = required.id;
  });
  afterAll(async () => {
    await e2e?.close();
    await new Promise((resolve) => site?.close(resolve));
  });
  afterEach(() => {
    for (const p of people) {
      expect(p.errors).toEqual([]);
      expect(p.dialogs).toEqual([]);
    }
  });

  it('an agent is online in the console', async () => {
    const phone = newPhone();
    createUser(e2e, 'agent', phone, 'سارا');
    agent = await signIn(e2e, await person(), { phone });
    await agent.page.getByTestId('console-link').click();
    await agent.page.getByTestId('console').waitFor();
    await agent.page.locator('[data-testid="availability-choice"][data-value="online"]').click();
  });

  it('a visitor on the site opens the launcher and chats with the agent', async () => {
    visitor = await person();
    const { page } = visitor;
    page.on('response', (response) => {
      if (
        response.url().endsWith('/widget/v1/sessions') ||
        response.url().endsWith('/widget/v1/conversations')
      )
        void response.json().then(
          (body: { sessionToken?: string; session?: { sessionToken: string } }) => {
            const token = body.sessionToken ?? body.session?.sessionToken;
            if (token) sessionTokens.push(token);
          },
          () => {},
        );
    });
    await page.goto(`${listed}/?widget=${widgetId}&locale=fa`);
    await page.locator('abrik-widget').waitFor({ state: 'attached' });
    await shot(page, 'widget-fa-closed');
    await clickLauncher(page, 'left');
    await expect.poll(() => page.evaluate('window.widgetEvents'), eventually).toContain('open');
    const frame = await chatFrame(page);
    await frame.getByTestId('widget-composer').fill('سلام، سفارش ۱۲۳۴ کی می‌رسد؟');
    await frame.getByTestId('widget-send').click();
    await frame.locator('[data-testid="widget-message"][data-own="true"]').first().waitFor();

    // The agent gets it in the console and answers.
    const row = agent.page.getByTestId('ticket-item').first();
    await row.waitFor();
    conversationId = (await row.getAttribute('data-conversation-id'))!;
    await row.click();
    await bubble(agent.page, 'سلام، سفارش ۱۲۳۴ کی می‌رسد؟').waitFor();
    await send(agent, 'سلام! فردا به دستتان می‌رسد.');
    const reply = frame
      .locator('[data-testid="widget-message"][data-own="false"]')
      .filter({ hasText: 'فردا به دستتان می‌رسد' });
    await reply.waitFor();
    await expect
      .poll(() => frame.getByTestId('widget-agent-name').textContent(), eventually)
      .toContain('سارا');
    await shot(page, 'widget-fa-open');
    expect(await page.evaluate('window.violations')).toEqual([]);

    // Closed with Escape, the launcher shows what arrives meanwhile.
    await frame.getByTestId('widget-composer').press('Escape');
    await expect.poll(() => page.evaluate('window.widgetEvents'), eventually).toContain('close');
    await send(agent, 'کد رهگیری را هم فرستادم.');
    await expect.poll(() => page.evaluate('window.widgetEvents'), eventually).toContain('unread 1');
  });

  it('the site’s own script cannot read the visitor’s token: not in its cookies, storage, page or frames', async () => {
    const { page } = visitor;
    expect(sessionTokens.length).toBeGreaterThan(0);
    const seen = (await page.evaluate(`(() => {
      const parts = [document.cookie, document.documentElement.outerHTML, JSON.stringify(window.AbrikWidget)];
      for (const store of [localStorage, sessionStorage])
        for (let i = 0; i < store.length; i++) parts.push(store.key(i) + '=' + store.getItem(store.key(i)));
      let frameReadable = true;
      try { void window.frames[0].document; } catch { frameReadable = false; }
      return { text: parts.join('\\n'), cookie: document.cookie, local: localStorage.length, session: sessionStorage.length,
        shadow: document.querySelector('abrik-widget').shadowRoot, frameReadable };
    })()`)) as {
      text: string;
      cookie: string;
      local: number;
      session: number;
      shadow: unknown;
      frameReadable: boolean;
    };
    expect(seen.cookie).toBe('site_session=shop-owned');
    expect([seen.local, seen.session]).toEqual([0, 0]);
    expect(seen.shadow).toBeNull(); // a closed shadow root
    expect(seen.frameReadable).toBe(false);
    for (const token of sessionTokens) expect(seen.text.includes(token)).toBe(false);
  });

  it('the conversation is the agent’s in the console, with the visitor shown as a website contact', async () => {
    await agent.page.getByTestId('side-widget').waitFor();
    expect(await agent.page.getByTestId('side-widget').textContent()).toContain('فروشگاه نمونه');
    const ticket = await call('GET', `/api/v1/support/conversations/${conversationId}/customer`);
    expect(ticket.widget).toMatchObject({ widgetId, verified: false, hostOrigin: listed });
  });

  it('the same site on an origin the widget does not list gets no chat frame', async () => {
    const p = await person();
    const refusals: string[] = [];
    p.page.on('console', (message) => {
      if (message.text().includes('frame-ancestors')) refusals.push(message.text());
    });
    await p.page.goto(`${unlisted}/?widget=${widgetId}&locale=fa`);
    await clickLauncher(p.page, 'left');
    await expect.poll(() => refusals.length, eventually).toBeGreaterThan(0);
    const frame = p.page.frames().find((f) => f.url().includes('/widget/frame'));
    const drawn = frame ? await frame.getByTestId('widget-composer').count() : 0;
    expect(drawn).toBe(0);
  });

  it('where identity is required, a forged identity is refused and nothing can be sent', async () => {
    const p = await person();
    const forged =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsIm5hbWUiOiJDRU8iLCJleHAiOjQxMDI0NDQ4MDAsImp0aSI6ImZvcmdlZCJ9.' +
      'c2lnbmVkLXdpdGgtYS1ndWVzc2VkLWtleQ';
    await p.page.goto(`${listed}/?widget=${requiredWidgetId}&locale=fa&identity=${forged}`);
    await clickLauncher(p.page, 'left');
    const frame = await chatFrame(p.page);
    await frame.getByTestId('widget-error').waitFor();
    expect(await frame.getByTestId('widget-composer').count()).toBe(0);
  });

  it('screenshots in English: closed and open, on a phone too', async () => {
    const p = await person(PHONE);
    await p.page.goto(`${listed}/?widget=${widgetId}&locale=en`);
    await p.page.locator('abrik-widget').waitFor({ state: 'attached' });
    await shot(p.page, 'widget-en-closed');
    await clickLauncher(p.page, 'right');
    const frame = await chatFrame(p.page);
    await frame.getByTestId('widget-composer').waitFor();
    await shot(p.page, 'widget-en-open');
    // Escape closes, and focus goes back to the launcher.
    await frame.getByTestId('widget-composer').press('Escape');
    await expect
      .poll(() => p.page.evaluate(`document.activeElement?.tagName`), eventually)
      .toBe('ABRIK-WIDGET');
  });
});
