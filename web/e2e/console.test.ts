import { join } from 'node:path';
import { toPersianDigits } from '@abrik/protocol';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../server/test/support/cluster.js';
import { fa } from '../src/i18n/fa.js';
import {
  bubble,
  newPhone,
  type SignedIn,
  send,
  signIn,
  statusOf,
  waitForConversation,
} from './support/chat.js';
import { api, apiSignIn, createUser } from './support/desk.js';
import { DESKTOP, type E2E, e2eAvailable, type Person, PHONE, startE2E } from './support/e2e.js';

const available = e2eAvailable();
/** Where the run saves the screenshots the README shows. */
const SCREENSHOTS = join(REPO, 'docs/screenshots');

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}
const eventually = { timeout: 20_000, interval: 50 };
const APP_INBOX = '00000000-0000-4000-8000-00000000a991';

/**
 * A day at the desk in Chromium: a customer asks for help and waits; agent 1 comes online and
 * gets it at once; they talk in Persian; a private note never reaches the customer (page or
 * network); agent 1 hands it to agent 2 with a note; agent 2 resolves; the customer sees it. Both
 * agents have room for one conversation: a customer who comes while both are full waits, and is
 * handed out when one resolves. Agent 2 was a customer until the admin made them an agent while
 * they were signed in.
 */
describe.skipIf(!available)('the support console, with two agents of capacity 1', () => {
  let e2e: E2E;
  let admin: { id: string; token: string };
  let customer: SignedIn;
  let agent1: SignedIn;
  let agent2: SignedIn;
  let conversationId: string;
  let waitingId: string;
  const adminPhone = newPhone();
  let waitingCustomer: SignedIn;
  const people: Person[] = [];
  /** Everything the customer's page received: socket frames and HTTP replies. */
  const received: string[] = [];

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    api(e2e, method, path, token, body);

  async function person(): Promise<Person> {
    const p = await e2e.person();
    people.push(p);
    return p;
  }

  const subtitle = (page: Page) => page.getByTestId('conversation-subtitle').textContent();
  const ticketRow = (page: Page, id: string) =>
    page.locator(`[data-testid="ticket-item"][data-conversation-id="${id}"]`);
  const setAvailability = (page: Page, value: string) =>
    page.locator(`[data-testid="availability-choice"][data-value="${value}"]`).click();
  async function openTicket(page: Page, id: string) {
    await ticketRow(page, id).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/${id}`));
    await page.getByTestId('ticket-actions').waitFor();
  }

  beforeAll(async () => {
    e2e = await startE2E();
    createUser(e2e, 'admin', adminPhone, 'مدیر');
    const auth = await apiSignIn(e2e, adminPhone);
    admin = { id: auth.user.id, token: auth.accessToken };
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

  it('a customer opens support and waits first in the queue while no agent is online', async () => {
    const p = await person();
    p.page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    p.page.on('response', (response) => {
      if (response.url().includes('/api/'))
        void response.text().then(
          (t) => received.push(t),
          () => {},
        );
    });
    customer = await signIn(e2e, p);
    const previous = customer.page.url();
    await customer.page.getByTestId('new-support').click();
    await customer.page.getByTestId('support-subject').fill('کارت هدیه کار نمی‌کند');
    await customer.page.getByTestId('support-submit').click();
    conversationId = await waitForConversation(customer.page, previous);
    await expect.poll(() => subtitle(customer.page), eventually).toBe('در صف — نفر اول');
  });

  it('agent 1 goes online in the console and gets it at once; the customer sees who answers', async () => {
    const phone = newPhone();
    const made = createUser(e2e, 'agent', phone, 'سارا');
    await call('PATCH', `/api/v1/support/agents/${made.id}`, admin.token, { maxConversations: 1 });
    agent1 = await signIn(e2e, await person(), { phone });
    const { page } = agent1;
    await page.getByTestId('console-link').click();
    await page.getByTestId('console').waitFor();
    await setAvailability(page, 'online');
    await ticketRow(page, conversationId).waitFor();
    await expect.poll(() => page.getByTestId('console-badge').textContent(), eventually).toBe('۱');
    await expect.poll(() => subtitle(customer.page), eventually).toBe('پاسخ‌گو: سارا');
  });

  it('they talk in Persian; the customer’s message shows as read once the agent has it open', async () => {
    await send(customer, 'سلام، کد کارت هدیه را می‌زنم خطا می‌دهد');
    const { page } = agent1;
    await openTicket(page, conversationId);
    await bubble(page, 'سلام، کد کارت هدیه را می‌زنم خطا می‌دهد').waitFor();
    await expect
      .poll(() => statusOf(customer.page, 'سلام، کد کارت هدیه را می‌زنم خطا می‌دهد'), eventually)
      .toBe('read');
    await send(agent1, 'سلام، لطفاً کد را بفرستید');
    const reply = bubble(customer.page, 'سلام، لطفاً کد را بفرستید');
    await expect.poll(() => reply.locator('.sender').textContent(), eventually).toBe('سارا');
    // The side panel: the customer's phone, masked until asked.
    const phone = page.getByTestId('side-phone');
    await expect.poll(() => phone.textContent(), eventually).toContain('•');
    await page.getByTestId('side-phone-toggle').click();
    expect(await phone.textContent()).not.toContain('•');
  });

  it('a canned reply from `/` fills the customer’s name; one with a blank variable cannot be sent', async () => {
    await call('POST', '/api/v1/support/canned-replies', admin.token, {
      scope: 'shared',
      shortcut: 'سلام',
      title: 'خوشامد',
      body: '{{customer.name | "مشتری گرامی"}} عزیز، خوش آمدید',
    });
    await call('POST', '/api/v1/support/canned-replies', admin.token, {
      scope: 'shared',
      shortcut: 'پیگیری',
      body: 'شمارهٔ پیگیری شما {{ticket.code}} است',
    });
    const { page } = agent1;
    const composer = page.getByTestId('composer');
    await composer.click();
    await page.keyboard.type('/سلا');
    await page.getByTestId('canned-option').first().waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => composer.inputValue(), eventually).toBe('مشتری گرامی عزیز، خوش آمدید');
    await page.getByTestId('send').click();
    await bubble(customer.page, 'مشتری گرامی عزیز، خوش آمدید').waitFor();

    await composer.fill('/پیگ');
    await page.getByTestId('canned-option').first().click();
    await expect.poll(() => composer.inputValue(), eventually).toContain('{{ticket.code}}');
    await page.getByTestId('composer-unresolved').waitFor();
    expect(await page.getByTestId('send').isDisabled()).toBe(true);
    await composer.fill('');
  });

  it('a private note stays with the staff: set apart on the agent’s page, never on the customer’s', async () => {
    const { page } = agent1;
    await page.getByTestId('note-toggle').click();
    await send(agent1, 'SECRET-NOTE مشتری دو بار کد اشتباه زده');
    const note = bubble(page, 'SECRET-NOTE مشتری دو بار کد اشتباه زده');
    await expect.poll(() => note.getAttribute('data-note'), eventually).toBe('true');
    await page.getByTestId('note-toggle').click();
    // The control: a reply after the note reaches the customer; a leak would have come before it.
    await send(agent1, 'در حال بررسی هستیم');
    await bubble(customer.page, 'در حال بررسی هستیم').waitFor();
    await customer.page.reload();
    await bubble(customer.page, 'در حال بررسی هستیم').waitFor();
    expect(await customer.page.content()).not.toContain('SECRET-NOTE');
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((r) => r.includes('SECRET-NOTE'))).toEqual([]);
  });

  it('the admin makes a signed-in customer an agent from the admin page; their console comes without signing in again', async () => {
    agent2 = await signIn(e2e, await person());
    expect(await agent2.page.getByTestId('console-link').count()).toBe(0);
    const admin = await signIn(e2e, await person(), { phone: adminPhone });
    const { page } = admin;
    await page.goto('/admin/agents');
    // A wrong phone is refused before it is sent.
    await page.getByTestId('staff-phone').fill('۱۲۳');
    await page.getByTestId('staff-submit').click();
    await expect
      .poll(() => page.getByTestId('staff-phone').getAttribute('aria-invalid'), eventually)
      .toBe('true');
    await page.getByTestId('staff-phone').fill(toPersianDigits(agent2.phone.national));
    await page.getByTestId('staff-role').selectOption('agent');
    await page.getByTestId('staff-name').fill('رضا');
    await page.getByTestId('staff-submit').click();
    await page.getByTestId('staff-done').waitFor();
    // The new agent's open tab follows: the console link appears.
    await agent2.page.getByTestId('console-link').waitFor();
    // Room for one conversation, set in the same page (Persian digits).
    const row = page.locator('[data-testid="agent-row"]', { hasText: 'رضا' });
    await row.getByTestId('agent-edit').click();
    await row.getByTestId('agent-capacity').fill('۱');
    await row.getByTestId('agent-save').click();
    await expect.poll(() => row.getByTestId('agent-load').textContent(), eventually).toMatch(/۰.*۱/);
    // An admin cannot change their own role: the server's answer is shown.
    const own = page.locator('[data-testid="agent-row"]', { hasText: 'مدیر' });
    await own.getByTestId('agent-edit').click();
    await own.getByTestId('agent-role').selectOption('agent');
    await own.getByTestId('agent-role-save').click();
    await expect
      .poll(() => own.getByRole('alert').first().textContent(), eventually)
      .toContain('نقش خودتان را نمی‌توانید تغییر دهید');

    await agent2.page.getByTestId('console-link').click();
    await agent2.page.getByTestId('console').waitFor();
    await setAvailability(agent2.page, 'online');
    await expect
      .poll(
        () => agent2.page.locator('[data-testid="availability"]').getAttribute('data-current'),
        eventually,
      )
      .toBe('online');
  });

  it('agent 1 hands it to agent 2 with a note; agent 2 has it and reads the note', async () => {
    const { page } = agent1;
    await page.getByTestId('ticket-assign').click();
    const agentSelect = page.getByTestId('assign-agent');
    await expect.poll(() => agentSelect.locator('option').count(), eventually).toBeGreaterThan(1);
    const option = agentSelect.locator('option', { hasText: 'رضا' });
    await agentSelect.selectOption(await option.getAttribute('value'));
    await page.getByTestId('assign-note').fill('کد کارت را با واحد مالی چک کن');
    await page.getByTestId('assign-submit').click();
    await expect.poll(() => subtitle(customer.page), eventually).toBe('پاسخ‌گو: رضا');
    // Agent 1's list no longer holds it.
    await expect.poll(() => ticketRow(page, conversationId).count(), eventually).toBe(0);

    const other = agent2.page;
    await ticketRow(other, conversationId).waitFor();
    await openTicket(other, conversationId);
    await bubble(other, 'کد کارت را با واحد مالی چک کن').waitFor();
    await expect
      .poll(() => other.getByTestId('side-history').textContent(), eventually)
      .toContain('کد کارت را با واحد مالی چک کن');
  });

  it('while both are full a customer waits; when agent 2 resolves, the customer sees it and the next is handed out', async () => {
    // Agent 1 takes a conversation of a customer without a browser: both agents are full now.
    const second = await apiSignIn(e2e, newPhone());
    const opened = await call('POST', '/api/v1/conversations', second.accessToken, {
      kind: 'support',
      subject: 'دوم',
    });
    await ticketRow(agent1.page, opened.id).waitFor();

    const third = await signIn(e2e, await person());
    const previous = third.page.url();
    await third.page.getByTestId('new-support').click();
    await third.page.getByTestId('support-submit').click();
    const waiting = await waitForConversation(third.page, previous);
    await expect.poll(() => subtitle(third.page), eventually).toMatch(/^در صف — نفر اول/);

    const { page } = agent2;
    await page.keyboard.press('e'); // resolve, from the keyboard
    await expect.poll(() => subtitle(customer.page), eventually).toBe(fa.support.resolved);
    await customer.page.getByTestId('support-resolved-hint').waitFor();
    // The waiting customer is agent 2's now.
    await expect.poll(() => subtitle(third.page), eventually).toBe('پاسخ‌گو: رضا');
    await ticketRow(page, waiting).waitFor();

    // The first customer can start again: writing reopens it.
    await send(customer, 'ببخشید، یک سؤال دیگر');
    await expect.poll(() => subtitle(customer.page), eventually).not.toBe(fa.support.resolved);
    const inbox = await call('GET', `/api/v1/support/inboxes/${APP_INBOX}`, admin.token);
    expect(inbox.routing).toBe('round_robin');
    waitingId = waiting;
    waitingCustomer = third;
  });

  it('screenshots of the console: Persian and English, desktop and phone', async () => {
    await send(waitingCustomer, 'سلام، سفارش ۴۵۱۲ هنوز نرسیده. کی ارسال می‌شود؟');
    const { page } = agent2;
    await page.goto(`/support/mine/${waitingId}`);
    await bubble(page, 'سلام، سفارش ۴۵۱۲ هنوز نرسیده. کی ارسال می‌شود؟').waitFor();
    await page.getByTestId('note-toggle').click();
    await send(agent2, 'انبار گفته بستهٔ این مشتری فردا صبح ارسال می‌شود');
    await page.getByTestId('note-toggle').click();
    await send(agent2, 'سلام، سفارش شما فردا صبح ارسال می‌شود و کد رهگیری پیامک می‌شود');
    await page.getByTestId('ticket-priority').selectOption('high');
    await page
      .getByTestId('side-history')
      .getByText(/خودکار|Auto/)
      .first()
      .waitFor();
    await shot(page, 'console-fa-desktop');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('ticket-resolve').textContent(), eventually).toBe('Resolve');
    await shot(page, 'console-en-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'console-en-phone');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('ticket-resolve').textContent(), eventually).toBe('حل شد');
    await shot(page, 'console-fa-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('snoozes until tomorrow morning from the Jalali picker, and wakes it again', async () => {
    const { page } = agent2;
    await page.getByTestId('ticket-snooze').click();
    await page.locator('[data-testid="snooze-preset"][data-preset="tomorrow"]').click();
    await expect.poll(() => ticketRow(page, waitingId).count(), eventually).toBe(0);
    const ticket = await call('GET', `/api/v1/support/conversations/${waitingId}`, admin.token);
    expect(ticket.status).toBe('snoozed');
    // 09:00 tomorrow in Tehran, where the browser is.
    const until = new Date(ticket.snoozedUntil);
    expect(
      new Intl.DateTimeFormat('en', {
        timeZone: 'Asia/Tehran',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(until),
    ).toBe('09:00');
    expect(until.getTime() - Date.now()).toBeGreaterThan(0);
    expect(until.getTime() - Date.now()).toBeLessThan(34 * 3600_000);
    await page.locator('[data-testid="console-view"][data-view="done"]').click();
    await ticketRow(page, waitingId).click();
    await page.getByTestId('ticket-wake').click();
    // The shortcuts sheet: `?` (Shift+/, «؟» on a Persian layout) opens it, Esc closes it.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Shift+Slash');
    await page.getByTestId('shortcuts-sheet').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcuts-sheet').count(), eventually).toBe(0);
    await expect
      .poll(
        async () => (await call('GET', `/api/v1/support/conversations/${waitingId}`, admin.token)).status,
        eventually,
      )
      .toBe('open');
  });
});
