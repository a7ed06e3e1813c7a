import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fa } from '../src/i18n/fa.js';
import {
  bubble,
  bubbles,
  connectionState,
  newPhone,
  openConversation,
  openDirect,
  type SignedIn,
  send,
  signIn,
  waitForConversation,
} from './support/chat.js';
import { type E2E, e2eAvailable, type Person, startE2E } from './support/e2e.js';

const available = e2eAvailable();
/** Patient polling: the machine may be busy with other suites; nothing here is a timing goal. */
const eventually = { timeout: 20_000, interval: 50 };

/** Whether the element is inside the message list's visible area. */
async function inView(page: Page, selector: string): Promise<boolean> {
  return (await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const list = document.querySelector('[data-testid="message-list"]');
    if (!el || !list) return false;
    const a = el.getBoundingClientRect();
    const b = list.getBoundingClientRect();
    return a.bottom > b.top && a.top < b.bottom;
  })()`)) as boolean;
}

/** The element that has focus, by its data-testid. */
async function focused(page: Page): Promise<string | null> {
  return (await page.evaluate(`document.activeElement?.getAttribute('data-testid') ?? null`)) as
    | string
    | null;
}

/** How many entries the device's offline copy (IndexedDB `name`) holds. */
async function offlineEntries(page: Page, name: string): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const open = indexedDB.open(${JSON.stringify(name)});
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('kv')) return resolve(0);
      const count = db.transaction('kv').objectStore('kv').count();
      count.onsuccess = () => resolve(count.result);
    };
    open.onerror = () => resolve(0);
  })`)) as number;
}

describe.skipIf(!available)('everyday chat: unread, jumping, confirmations, removal, offline reading', () => {
  let e2e: E2E;
  let ali: SignedIn;
  let sara: SignedIn;
  /** Ali's user id (signing in again over the API right away would meet the code's rate limit). */
  let aliId = '';
  const people: Person[] = [];

  beforeAll(async () => {
    e2e = await startE2E();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  afterEach(() => {
    // No page threw, and no page used the browser's own alert/confirm.
    for (const person of people) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });

  it('signs two people in', async () => {
    const a = await e2e.person();
    const b = await e2e.person();
    people.push(a, b);
    ali = await signIn(e2e, a);
    sara = await signIn(e2e, b);
    for (const person of [ali, sara]) {
      await expect.poll(() => connectionState(person.page), eventually).toBe('online');
    }
  });

  it('opens 150 unread at the first one behind a divider; the marker moves only as they are read', async () => {
    const { request, signIn: signInByApi } = e2e.cluster;
    const reza = await signInByApi(newPhone().e164, 'رضا');
    const aliByApi = await signInByApi(ali.phone.e164);
    aliId = aliByApi.user.id;
    const created = await request('POST', '/api/v1/conversations', {
      token: reza.accessToken,
      body: { kind: 'direct', userId: aliByApi.user.id },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const total = 150;
    for (let n = 1; n <= total; n++) {
      const sent = await request('POST', `/api/v1/conversations/${id}/messages`, {
        token: reza.accessToken,
        body: { clientMsgId: `unread-${n}`, body: `پیام ${n}` },
      });
      expect(sent.status).toBe(201);
    }
    const aliRead = async () => {
      const seen = await request('GET', `/api/v1/conversations/${id}`, { token: reza.accessToken });
      return (seen.body.members as { userId: string; lastReadSeq: number }[]).find(
        (m) => m.userId === aliByApi.user.id,
      )?.lastReadSeq;
    };

    const row = ali.page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);
    await openConversation(ali, row);
    const divider = ali.page.getByTestId('unread-divider');
    await divider.waitFor();
    // Older pages were loaded down to the first unread, and the view stands there, not at the end.
    await expect.poll(async () => (await bubbles(ali.page))[0]?.seq, eventually).toBe(1);
    await expect.poll(() => inView(ali.page, '[data-testid="unread-divider"]'), eventually).toBe(true);
    expect(await inView(ali.page, `[data-seq="${total}"]`)).toBe(false);
    // What is on screen was read; the rest was not.
    await expect.poll(aliRead, eventually).toBeGreaterThan(0);
    expect(await aliRead()).toBeLessThan(total);

    // More unread below: the button says so and takes Ali to them.
    const button = ali.page.getByTestId('new-messages');
    await button.waitFor();
    expect(Number(await button.getAttribute('data-count'))).toBeGreaterThan(0);
    await ali.page.getByTestId('message-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(aliRead, eventually).toBe(total);
    await button.waitFor({ state: 'hidden' });

    // Scrolled up when a new one comes: the button counts it.
    await ali.page.getByTestId('message-list').evaluate((el) => {
      el.scrollTop = 0;
    });
    await request('POST', `/api/v1/conversations/${id}/messages`, {
      token: reza.accessToken,
      body: { clientMsgId: 'unread-new', body: 'یکی دیگر' },
    });
    await expect.poll(() => button.getAttribute('data-count'), eventually).toBe('1');
    await button.click();
    await expect.poll(aliRead, eventually).toBe(total + 1);

    // A link to one message opens there, highlighted (search results and reply quotes use it).
    await ali.page.goto(`/c/${id}?at=7`);
    const seven = ali.page.locator('[data-testid="message"][data-seq="7"]');
    await expect.poll(() => seven.getAttribute('data-highlighted'), eventually).toBe('true');
    expect(await inView(ali.page, '[data-seq="7"]')).toBe(true);
  });

  it('asks before deleting for everyone; the actions show on hover; Escape cancels, focus goes back', async () => {
    const id = await openDirect(ali, sara.phone);
    const text = 'این را پاک می‌کنم 🙂';
    await send(ali, text);
    await openConversation(
      sara,
      sara.page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`),
    );
    await bubble(sara.page, text).waitFor();
    const own = bubble(ali.page, text);
    await expect.poll(() => own.getAttribute('data-seq'), eventually).not.toBeNull();
    const menu = own.getByTestId('message-menu-button');
    // Not on every bubble: only on the one under the mouse (or with focus).
    await ali.page.getByTestId('composer').focus();
    await ali.page.mouse.move(0, 0);
    const opacity = () => menu.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).opacity);
    expect(await opacity()).toBe('0');
    await own.hover();
    await expect.poll(opacity, eventually).toBe('1');

    await menu.click();
    await ali.page.getByTestId('menu-delete').click();
    const dialog = ali.page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await focused(ali.page)).toBe('delete-cancel');
    await ali.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(ali.page)).toBe('message-menu-button');
    expect(await bubble(sara.page, text).count()).toBe(1);

    await menu.click();
    await ali.page.getByTestId('menu-delete').click();
    await ali.page.getByTestId('delete-everyone').click();
    for (const person of [ali, sara]) {
      await expect.poll(() => bubble(person.page, text).count(), eventually).toBe(0);
    }
  });

  it('keeps a removed member’s history read-only with a notice, and works again when added back', async () => {
    const title = 'گروه آزمایش';
    const { page } = ali;
    await page.getByTestId('new-group').click();
    await page.getByTestId('group-title').fill(title);
    await page.getByTestId('group-member-phone').fill(sara.phone.national);
    await page.getByTestId('group-add-member').click();
    await expect.poll(() => page.getByTestId('group-member').count(), eventually).toBe(1);
    const previous = page.url();
    await page.getByTestId('group-create').click();
    const groupId = await waitForConversation(page, previous);
    const hello = 'سلام به همه';
    await send(ali, hello);
    const row = sara.page.getByTestId('conversation-item').filter({ hasText: title });
    await row.waitFor();
    await openConversation(sara, row);
    await bubble(sara.page, hello).waitFor();

    // Ali removes Sara, after saying yes.
    await page.getByTestId('members-toggle').click();
    const saraRow = page.getByTestId('member').filter({ has: page.getByTestId('member-remove') });
    await saraRow.getByTestId('member-remove').click();
    await page.getByTestId('remove-confirm-confirm').click();
    await expect.poll(() => page.getByTestId('member').count(), eventually).toBe(1);
    // Escape closes the members panel; focus goes back to its button.
    await page.getByTestId('members-panel').getByRole('heading').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('members-panel').waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('members-toggle');

    const notice = sara.page.getByTestId('removed-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toBe(fa.conv.removed);
    expect(await sara.page.getByTestId('composer').count()).toBe(0);
    expect(await bubble(sara.page, hello).count()).toBe(1);

    // Added back: the conversation works again, without a reload.
    const { request, signIn: signInByApi } = e2e.cluster;
    const aliByApi = await signInByApi(ali.phone.e164);
    const saraByApi = await signInByApi(sara.phone.e164);
    const added = await request('POST', `/api/v1/conversations/${groupId}/members`, {
      token: aliByApi.accessToken,
      body: { userIds: [saraByApi.user.id] },
    });
    expect(added.status).toBeLessThan(300);
    await sara.page.getByTestId('composer').waitFor();
    expect(await notice.count()).toBe(0);
    const back = 'برگشتم';
    await send(sara, back);
    await bubble(page, back).waitFor();
  });

  it('reloads offline with the conversations and recent history; others’ presence unknown; sign-out warns', async () => {
    const { context, page } = ali;
    const row = page.getByTestId('conversation-item').filter({ hasNotText: 'گروه آزمایش' }).first();
    await openConversation(ali, row);
    const held = (await bubbles(page)).map((b) => b.text);
    expect(held.length).toBeGreaterThan(0);
    // The service worker serves the page itself offline.
    await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await expect
      .poll(() => page.evaluate('Boolean(navigator.serviceWorker.controller)'), eventually)
      .toBe(true);
    // Writes are debounced: wait until the copy on the device holds the list and histories.
    await expect.poll(() => offlineEntries(page, `abrik.offline.${aliId}`), eventually).toBeGreaterThan(1);

    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => connectionState(page), eventually).toBe('offline');
    await expect.poll(async () => (await bubbles(page)).map((b) => b.text), eventually).toEqual(held);
    expect(await page.getByText(fa.common.loading).count()).toBe(0);
    expect(await page.getByTestId('conversation-item').count()).toBeGreaterThan(1);
    // Sara is online, but Ali cannot know that now.
    for (const dot of await page.getByTestId('presence-dot').all()) {
      expect(await dot.getAttribute('data-online')).toBe('unknown');
    }

    // A message written offline waits in the outbox; signing out would lose it, and says so.
    await send(ali, 'نوشته در حالت آفلاین');
    await page.getByTestId('sign-out').click();
    const body = page.getByTestId('sign-out-confirm-body');
    await body.waitFor();
    expect(await body.textContent()).toContain('۱');
    await page.getByTestId('sign-out-confirm-cancel').click();
    expect(await focused(page)).toBe('sign-out');
    await context.setOffline(false);
    await expect.poll(() => connectionState(page), eventually).toBe('online');
  });

  it('closes settings with Escape, focus back on its button; the title follows the language', async () => {
    const { page } = sara;
    await page.getByTestId('settings').click();
    await page.getByTestId('profile-name').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('profile-name').waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('settings');
    expect(await page.title()).toBe(fa.app.name);
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.title(), eventually).toBe('Abrik Chat');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.title(), eventually).toBe(fa.app.name);
  });
});
