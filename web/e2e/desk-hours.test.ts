import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../server/test/support/cluster.js';
import { bubble, newPhone, type SignedIn, send, signIn, waitForConversation } from './support/chat.js';
import { api, apiSignIn, createUser } from './support/desk.js';
import { DESKTOP, type E2E, e2eAvailable, type Person, PHONE, startE2E } from './support/e2e.js';

const available = e2eAvailable();
const SCREENSHOTS = join(REPO, 'docs/screenshots');
const eventually = { timeout: 20_000, interval: 50 };
const APP_INBOX = '00000000-0000-4000-8000-00000000a991';

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** The calendar's local date `days` from now, in Tehran. */
const tehranDate = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran' }).format(
    new Date(Date.now() + days * 86_400_000),
  );

/**
 * Business hours, SLA, satisfaction and reports in Chromium: the admin sets up a calendar from
 * the Iranian template and imports the year's holidays; a customer who writes while support is
 * closed is told, on the page, when it opens; the admin answers and resolves; the customer rates
 * it from the conversation; the report page shows the first response, the resolution and the
 * rating.
 */
describe.skipIf(!available)('business hours, SLA, satisfaction and reports', () => {
  let e2e: E2E;
  let admin: SignedIn;
  let adminToken: string;
  let customer: SignedIn;
  let conversationId: string;
  const people: Person[] = [];

  const call = (method: string, path: string, body?: unknown) => api(e2e, method, path, adminToken, body);

  beforeAll(async () => {
    e2e = await startE2E();
    const phone = newPhone();
    createUser(e2e, 'admin', phone, 'مدیر');
    adminToken = (await apiSignIn(e2e, phone)).accessToken;
    // One code per phone a second: the browser asks for the next one after that.
    await new Promise((r) => setTimeout(r, 1_100));
    const person = await e2e.person();
    people.push(person);
    admin = await signIn(e2e, person, { phone });
  });
  afterAll(async () => {
    await e2e?.close();
  });
  afterEach(() => {
    for (const p of people) {
      expect(p.errors).toEqual([]);
      expect(p.dialogs).toEqual([]);
    }
  });

  it('an admin makes business hours from the Iranian template and imports the holidays of 1405', async () => {
    const { page } = admin;
    await page.goto('/admin/hours');
    await page.getByTestId('calendar-new').click();
    await page.getByTestId('calendar-new-name').fill('ساعت کاری دفتر تهران');
    await page.getByTestId('calendar-create').click();
    const row = page.getByTestId('calendar-row').filter({ hasText: 'ساعت کاری دفتر تهران' });
    await expect.poll(() => row.getByTestId('calendar-summary').textContent(), eventually).toContain('۸');
    // A new calendar opens by itself; open it if it did not.
    const open = row.getByTestId('calendar-open');
    if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
    await page.getByTestId('holiday-year').selectOption('1405');
    await page.getByTestId('holiday-import-submit').click();
    await expect
      .poll(() => page.getByTestId('holiday-import-result').textContent(), eventually)
      .toMatch(/[۰-۹]/);
    const [calendar] = (await call('GET', '/api/v1/support/calendars')).items;
    const days = await call(
      'GET',
      `/api/v1/support/calendars/${calendar.id}/days?from=2026-03-21&to=2026-03-24`,
    );
    expect(days.items.map((d: { date: string }) => d.date)).toEqual([
      '2026-03-21',
      '2026-03-22',
      '2026-03-23',
      '2026-03-24',
    ]);
    await shot(page, 'hours-fa-desktop');
  });

  it('a customer who writes while support is closed is told when it opens, and the clock waits for it', async () => {
    // The app inbox: closed today, open 08:00–17:00 tomorrow (whatever the hour the suite runs at).
    const closed = await call('POST', '/api/v1/support/calendars', {
      name: 'بسته تا فردا',
      weekly: { sat: [], sun: [], mon: [], tue: [], wed: [], thu: [], fri: [] },
    });
    await call('PUT', `/api/v1/support/calendars/${closed.id}/days/${tehranDate(1)}`, {
      kind: 'hours',
      hours: [{ from: '08:00', to: '17:00' }],
    });
    await call('PATCH', `/api/v1/support/inboxes/${APP_INBOX}`, { calendarId: closed.id });
    await call('POST', '/api/v1/support/sla-policies', {
      name: 'پاسخ در یک ساعت کاری',
      inboxId: APP_INBOX,
      firstResponseSeconds: 3600,
      resolutionSeconds: 8 * 3600,
    });

    const person = await e2e.person();
    people.push(person);
    customer = await signIn(e2e, person);
    const { page } = customer;
    const previous = page.url();
    await page.getByTestId('new-support').click();
    await page.getByTestId('support-subject').fill('پیگیری سفارش');
    await page.getByTestId('support-submit').click();
    conversationId = await waitForConversation(page, previous);
    await expect.poll(() => page.getByTestId('opening-banner').textContent(), eventually).toContain('فردا');
    await send(customer, 'سلام، سفارش ۴۵۱۲ کی می‌رسد؟');
    await bubble(page, 'سلام، سفارش ۴۵۱۲ کی می‌رسد؟').waitFor();
    await expect
      .poll(() => page.getByText(/خارج از ساعت کاری پشتیبانی هستیم/).count(), eventually)
      .toBeGreaterThan(0);

    // The first response is due an hour after tomorrow's opening, not an hour from now.
    const clocks = await call('GET', `/api/v1/support/conversations/${conversationId}/sla`);
    const first = clocks.items.find((c: { kind: string }) => c.kind === 'first_response');
    const due = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Tehran',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(first.dueAt));
    expect(due).toBe(`${tehranDate(1)}, 09:00`);
  });

  it('the admin answers and resolves; the customer rates it from the conversation', async () => {
    await call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      clientMsgId: 'hours-reply-1',
      body: 'سلام، سفارش شما فردا صبح ارسال می‌شود',
    });
    const { page } = customer;
    await bubble(page, 'سلام، سفارش شما فردا صبح ارسال می‌شود').waitFor();
    await call('POST', `/api/v1/support/conversations/${conversationId}/status`, { status: 'resolved' });
    const card = page.getByTestId('csat-card');
    await card.waitFor({ timeout: 20_000 });
    await page.getByTestId('csat-card-rating-5').click();
    await page.getByTestId('csat-card-comment').fill('ممنون، سریع بود');
    await page.getByTestId('csat-card-submit').click();
    await expect.poll(() => page.getByTestId('csat-card-answer').isVisible(), eventually).toBe(true);
    const view = await api(e2e, 'GET', `/api/v1/support/conversations/${conversationId}/csat`, adminToken);
    expect(view.items[0]).toMatchObject({ rating: 5, comment: 'ممنون، سریع بود' });
  });

  it('the report page shows the first response, the resolution and the rating; screenshots', async () => {
    const { page } = admin;
    await page.goto('/reports');
    await expect.poll(() => page.getByTestId('card-csat-score').textContent(), eventually).toMatch(/۵/);
    await expect
      .poll(() => page.getByTestId('card-first-response-median').textContent(), eventually)
      .toMatch(/[۰-۹]/);
    await shot(page, 'reports-fa-desktop');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('card-csat-score').textContent(), eventually).toMatch(/5/);
    await shot(page, 'reports-en-desktop');
    await page.setViewportSize(PHONE);
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('card-csat-score').textContent(), eventually).toMatch(/۵/);
    await shot(page, 'reports-fa-phone');
    await page.setViewportSize(DESKTOP);
  });
});
