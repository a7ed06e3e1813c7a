import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fa } from '../src/i18n/fa.js';
import { bubble, newPhone, type SignedIn, send, signIn, waitForConversation } from './support/chat.js';
import { api, apiSignIn, createUser } from './support/desk.js';
import { type E2E, e2eAvailable, type Person, startE2E } from './support/e2e.js';

const available = e2eAvailable();
const eventually = { timeout: 20_000, interval: 50 };

/** Staff as the API sees them: the agent console comes with the next issue. */
interface Staff {
  id: string;
  token: string;
  socket?: Socket;
}

describe.skipIf(!available)('a customer asks for help from the app', () => {
  let e2e: E2E;
  let customer: SignedIn;
  let agent: Staff;
  let admin: Staff;
  let conversationId: string;
  const people: Person[] = [];
  /** Everything the customer's page received: socket frames and HTTP replies. */
  const received: string[] = [];

  /** Creates staff with the CLI (as an operator would) and signs them in through the SMS code. */
  async function staff(role: 'agent' | 'admin', name: string): Promise<Staff> {
    const phone = newPhone();
    createUser(e2e, role, phone, name);
    const auth = await apiSignIn(e2e, phone);
    return { id: auth.user.id, token: auth.accessToken };
  }

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    api(e2e, method, path, token, body);

  const subtitle = (page: Page) => page.getByTestId('conversation-subtitle').textContent();

  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    agent?.socket?.close();
    await e2e?.close();
  });
  afterEach(() => {
    for (const person of people) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });

  it('opens support with a subject and is told their place in the queue while nobody is online', async () => {
    const person = await e2e.person();
    people.push(person);
    person.page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => received.push(String(frame.payload))),
    );
    person.page.on('response', (response) => {
      if (response.url().includes('/api/'))
        void response.text().then(
          (t) => received.push(t),
          () => {},
        );
    });
    customer = await signIn(e2e, person);
    const { page } = customer;
    const previous = page.url();
    await page.getByTestId('new-support').click();
    await page.getByTestId('support-subject').fill('پرداخت ناموفق');
    await page.getByTestId('support-submit').click();
    conversationId = await waitForConversation(page, previous);
    await expect.poll(() => subtitle(page), eventually).toBe('در صف — نفر اول');
    // Back from the list, the entry offers the conversation still going.
    await page.getByTestId('new-support').click();
    await expect.poll(() => page.getByTestId('support-resume').isVisible(), eventually).toBe(true);
    await page.getByTestId('support-resume').click();
  });

  it('shows who answers once an agent comes online, and the agent’s name on their replies', async () => {
    agent = await staff('agent', 'سارا');
    admin = await staff('admin', 'مدیر');
    agent.socket = io(e2e.url, { auth: { token: agent.token }, transports: ['websocket'] });
    const { page } = customer;
    await expect.poll(() => subtitle(page), eventually).toBe('پاسخ‌گو: سارا');
    await send(customer, 'سلام، پولم کم شد ولی سفارش ثبت نشد');
    await call('POST', `/api/v1/conversations/${conversationId}/messages`, agent.token, {
      clientMsgId: 'reply-1',
      body: 'سلام، بررسی می‌کنم',
    });
    const reply = bubble(page, 'سلام، بررسی می‌کنم');
    await expect.poll(() => reply.locator('.sender').textContent(), eventually).toBe('سارا');
  });

  it('never shows the customer a private note: not on the page, not in what reached the browser', async () => {
    await call('POST', `/api/v1/conversations/${conversationId}/messages`, agent.token, {
      clientMsgId: 'note-1',
      body: 'SECRET-NOTE مشتری قبلاً هم شکایت کرده',
      internal: true,
    });
    // The control: a public reply after the note arrives; anything leaked would have come before.
    await call('POST', `/api/v1/conversations/${conversationId}/messages`, agent.token, {
      clientMsgId: 'reply-2',
      body: 'مبلغ تا ۷۲ ساعت برمی‌گردد',
    });
    const { page } = customer;
    await bubble(page, 'مبلغ تا ۷۲ ساعت برمی‌گردد').waitFor();
    await page.reload();
    await bubble(page, 'مبلغ تا ۷۲ ساعت برمی‌گردد').waitFor();
    expect(await page.content()).not.toContain('SECRET-NOTE');
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((r) => r.includes('SECRET-NOTE'))).toEqual([]);
  });

  it('says when it is resolved, and once closed offers a new conversation instead of a composer', async () => {
    const { page } = customer;
    const resolve = () =>
      call('POST', `/api/v1/support/conversations/${conversationId}/status`, agent.token, {
        status: 'resolved',
      });
    await resolve();
    await expect.poll(() => subtitle(page), eventually).toBe(fa.support.resolved);
    await page.getByTestId('support-resolved-hint').waitFor();
    // Writing again reopens it, back to the same agent (online, with room).
    await send(customer, 'هنوز برنگشته');
    await expect.poll(() => subtitle(page), eventually).toBe('پاسخ‌گو: سارا');

    // Resolved with a reopen window of 0: closed by its job at once, live on the page.
    await call('PATCH', '/api/v1/support/inboxes/00000000-0000-4000-8000-00000000a991', admin.token, {
      reopenWindowSeconds: 0,
    });
    await resolve();
    await expect.poll(() => subtitle(page), eventually).toBe(fa.support.closed);
    await page.getByTestId('support-closed').waitFor();
    expect(await page.getByTestId('composer').count()).toBe(0);
    const previous = page.url();
    await page.getByTestId('support-start-new').click();
    const next = await waitForConversation(page, previous);
    expect(next).not.toBe(conversationId);
    // The agent is online with room: the new one is theirs at once.
    await expect.poll(() => subtitle(page), eventually).toBe('پاسخ‌گو: سارا');
  });
});
