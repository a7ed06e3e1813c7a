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
  recordStatuses,
  type SignedIn,
  send,
  signIn,
  statusHistory,
  statusOf,
  texts,
  waitForConversation,
} from './support/chat.js';
import { type E2E, e2eAvailable, type Person, startE2E } from './support/e2e.js';

const available = e2eAvailable();
/** Patient polling: the machine may be busy with other suites; nothing here is a timing goal. */
const eventually = { timeout: 20_000, interval: 50 };

/** The bubbles on screen as `seq: text`, top to bottom (a bubble not yet stored has seq null). */
async function stored(page: Page): Promise<string[]> {
  return (await bubbles(page)).map((b) => `${b.seq}: ${b.text}`);
}

/** `texts` numbered 1, 2, 3…: what a gap-free conversation holding exactly them shows. */
function numbered(texts: string[]): string[] {
  return texts.map((text, i) => `${i + 1}: ${text}`);
}

describe.skipIf(!available)('two people chatting in two browsers', () => {
  let e2e: E2E;
  let ali: SignedIn;
  let sara: SignedIn;
  const people: Person[] = [];

  beforeAll(async () => {
    e2e = await startE2E();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  afterEach(() => {
    // Whatever a test did, no page threw and no page opened a dialog.
    for (const person of people) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });

  it('signs two people in with SMS codes read from the server log (one types Persian digits)', async () => {
    const a = await e2e.person();
    const b = await e2e.person();
    people.push(a, b);
    ali = await signIn(e2e, a, { persianDigits: true });
    sara = await signIn(e2e, b);
    for (const person of [ali, sara]) {
      await person.page.getByText(fa.list.empty).waitFor();
      await expect.poll(() => connectionState(person.page), eventually).toBe('online');
      await recordStatuses(person.page);
    }
  });

  it('delivers a message, shows it sent, unread and then read once the other opens the chat', async () => {
    await openDirect(ali, sara.phone);
    const hello = 'سلام سارا! جلسهٔ review ساعت 10:30 فردا، اتاق 3B 🙂';
    await send(ali, hello);
    const own = bubble(ali.page, hello);
    await expect.poll(() => own.getAttribute('data-mine'), eventually).toBe('true');
    // Acked by the server, not read: Sara has not opened the conversation.
    await expect.poll(() => own.getAttribute('data-status'), eventually).toBe('sent');

    const row = sara.page.getByTestId('conversation-item');
    await expect.poll(() => row.count(), eventually).toBe(1);
    await expect.poll(() => row.getByTestId('unread-badge').textContent(), eventually).toMatch(/[1۱]/);
    await expect.poll(() => row.textContent(), eventually).toContain(hello);
    await expect
      .poll(() => row.getByTestId('presence-dot').getAttribute('data-online'), eventually)
      .toBe('true');
    expect(await own.getAttribute('data-status')).toBe('sent');

    await openConversation(sara, row);
    const received = bubble(sara.page, hello);
    await expect.poll(() => received.getAttribute('data-mine'), eventually).toBe('false');
    await expect.poll(() => statusOf(ali.page, hello), eventually).toBe('read');
    expect(await statusHistory(ali.page, hello)).toEqual(['sending', 'sent', 'read']);
  });

  it('shows the other one typing, and chats both ways in the same order on both screens', async () => {
    // Sara types without sending: Ali sees the typing indicator.
    await sara.page.getByTestId('composer').fill('دارم می‌نویسم');
    // In the conversation, and in the list beside it (desktop width); the hint lasts 4 s.
    await Promise.all([
      ali.page.getByTestId('typing-indicator').waitFor({ state: 'visible' }),
      ali.page.getByTestId('conversation-item').getByTestId('typing-hint').waitFor({ state: 'visible' }),
    ]);
    const reply = 'خوبم ممنون؛ PR شمارهٔ #42 هنوز 2 تا comment داره (v1.2.0)';
    await send(sara, reply);
    // The message replaces the indicator.
    await ali.page.getByTestId('typing-indicator').waitFor({ state: 'hidden' });
    await expect.poll(() => bubble(ali.page, reply).getAttribute('data-mine'), eventually).toBe('false');
    await expect.poll(() => statusOf(sara.page, reply), eventually).toBe('read');

    const more = ['باشه، تا 11 تمومش می‌کنم', 'OK — قبل از deploy خبر بده'];
    await send(ali, more[0]!);
    await send(sara, more[1]!);
    const expected = ['سلام سارا! جلسهٔ review ساعت 10:30 فردا، اتاق 3B 🙂', reply, ...more];
    for (const person of [ali, sara]) {
      await expect.poll(() => stored(person.page), eventually).toEqual(numbered(expected));
    }
    await expect.poll(() => statusOf(ali.page, more[0]!), eventually).toBe('read');
    await expect.poll(() => statusOf(sara.page, more[1]!), eventually).toBe('read');
  });

  it('catches up after being offline: nothing missed, nothing twice, queued messages sent in order', async () => {
    const before = await texts(sara.page);
    await sara.context.setOffline(true);
    await expect.poll(() => connectionState(sara.page), eventually).toBe('offline');

    const fromAli = ['پیام ۱ وقتی سارا آفلاینه', 'message 2 while Sara is offline', 'پیام 3: آخرین'];
    for (const text of fromAli) await send(ali, text);
    // Acked but unread while Sara is away.
    for (const text of fromAli) await expect.poll(() => statusOf(ali.page, text), eventually).toBe('sent');

    const fromSara = ['نوشته در حالت آفلاین ۱', 'queued offline 2'];
    for (const text of fromSara) await send(sara, text);
    for (const text of fromSara) {
      await expect.poll(() => statusOf(sara.page, text), eventually).toBe('sending');
    }
    expect(await connectionState(sara.page)).toBe('offline');
    // Nothing of Ali's has reached Sara, and Ali has none of Sara's queued messages.
    expect(await texts(sara.page)).toEqual([...before, ...fromSara]);
    for (const text of fromSara) expect(await bubble(ali.page, text).count()).toBe(0);

    await sara.context.setOffline(false);
    await expect.poll(() => connectionState(sara.page), eventually).toBe('online');

    // Everyone ends with the same conversation: Ali's three messages, then Sara's two in the
    // order she wrote them, each once, with gap-free increasing seqs.
    const expected = [...before, ...fromAli, ...fromSara];
    for (const person of [sara, ali]) {
      await expect.poll(() => stored(person.page), eventually).toEqual(numbered(expected));
    }
    for (const text of fromSara) {
      await expect.poll(() => statusOf(sara.page, text), eventually).toBe('read');
      expect(await statusHistory(sara.page, text)).toEqual(['sending', 'sent', 'read']);
    }
    for (const text of fromAli) await expect.poll(() => statusOf(ali.page, text), eventually).toBe('read');
  });

  it('edits and deletes own messages; the other sees both live, the deleted one keeps its place', async () => {
    const typo = 'جلسه ساعت 14 هست';
    const fixed = 'جلسه ساعت 15 هست (نه 14)';
    const unwanted = 'این پیام اشتباهی فرستاده شد';
    await send(ali, typo);
    await send(ali, unwanted);
    await expect.poll(() => statusOf(ali.page, unwanted), eventually).toBe('read');
    const count = (await bubbles(sara.page)).length;

    await bubble(ali.page, typo).getByTestId('message-menu-button').click();
    await ali.page.getByTestId('menu-edit').click();
    await expect.poll(() => ali.page.getByTestId('composer').inputValue(), eventually).toBe(typo);
    await ali.page.getByTestId('composer').fill(fixed);
    await ali.page.getByTestId('send').click();
    await bubble(ali.page, unwanted).getByTestId('message-menu-button').click();
    await ali.page.getByTestId('menu-delete').click();
    await ali.page.getByTestId('delete-everyone').click(); // deleting asks first: for me, or for everyone

    for (const person of [ali, sara]) {
      await bubble(person.page, fixed).waitFor();
      expect(await bubble(person.page, typo).count()).toBe(0);
      await expect.poll(() => bubble(person.page, unwanted).count(), eventually).toBe(0);
      expect(await bubble(person.page, fa.conv.deleted).count()).toBe(1);
      expect((await bubbles(person.page)).length).toBe(count);
    }
  });

  it('creates a group by phone number; the member finds it in the list live and answers', async () => {
    const title = 'تیم release نسخهٔ 2.5';
    const { page } = ali;
    await page.getByTestId('new-group').click();
    await page.getByTestId('group-title').fill(title);
    await page.getByTestId('group-member-phone').fill(sara.phone.national);
    await page.getByTestId('group-add-member').click();
    await expect.poll(() => page.getByTestId('group-member').count(), eventually).toBe(1);
    const previous = page.url();
    await page.getByTestId('group-create').click();
    await waitForConversation(page, previous);
    const hello = 'سلام به گروه 👋';
    await send(ali, hello);

    const row = sara.page.getByTestId('conversation-item').filter({ hasText: title });
    await row.waitFor();
    await expect.poll(() => row.textContent(), eventually).toContain(hello);
    await openConversation(sara, row);
    await bubble(sara.page, hello).waitFor();
    const answer = 'من هستم، checklist رو 3 بار چک کردم';
    await send(sara, answer);
    await expect.poll(() => texts(ali.page), eventually).toEqual([hello, answer]);
    await expect.poll(() => statusOf(ali.page, hello), eventually).toBe('read');
    // Back to the direct chat for the next test.
    for (const person of [ali, sara]) {
      await openConversation(
        person,
        person.page.getByTestId('conversation-item').filter({ hasNotText: title }),
      );
    }
  });

  it('renders message text as text: no HTML, no javascript: links; https links open safely', async () => {
    const html = '<img src=x onerror=alert(1)>';
    const script = 'javascript:alert(1)';
    const link = 'مستندات: https://example.com/docs?page=2&lang=fa را ببین';
    for (const text of [html, script, link]) await send(ali, text);

    for (const person of [sara, ali]) {
      const { page } = person;
      const htmlBubble = bubble(page, html);
      await htmlBubble.waitFor();
      expect(await htmlBubble.getByTestId('message-body').textContent()).toBe(html);
      expect(await htmlBubble.locator('img').count()).toBe(0);

      const scriptBubble = bubble(page, script);
      await scriptBubble.waitFor();
      expect(await scriptBubble.locator('a').count()).toBe(0);

      const anchor = page.getByTestId('message-body').locator('a[href^="https://example.com"]');
      await anchor.waitFor();
      expect(await anchor.getAttribute('href')).toBe('https://example.com/docs?page=2&lang=fa');
      expect((await anchor.getAttribute('rel'))?.split(/\s+/)).toContain('noopener');
      expect(await anchor.getAttribute('target')).toBe('_blank');
      expect(await page.getByTestId('message-list').locator('img').count()).toBe(0);
    }
    // afterEach: no alert() was opened by either page.
  });

  it('loads a long history upward as the person scrolls up, in order and without gaps', async () => {
    // Reza writes Ali 80 messages over the HTTP API (two pages of history); Ali sees the newest.
    const { request, signIn: signInByApi } = e2e.cluster;
    const reza = await signInByApi(newPhone().e164, 'رضا');
    const aliByApi = await signInByApi(ali.phone.e164);
    const created = await request('POST', '/api/v1/conversations', {
      token: reza.accessToken,
      body: { kind: 'direct', userId: aliByApi.user.id },
    });
    expect(created.status).toBe(201);
    const total = 80;
    for (let n = 1; n <= total; n++) {
      const sent = await request('POST', `/api/v1/conversations/${created.body.id}/messages`, {
        token: reza.accessToken,
        body: { clientMsgId: `history-${n}`, body: `پیام شمارهٔ ${n} of ${total}` },
      });
      expect(sent.status).toBe(201);
    }
    // Read already (elsewhere): the conversation opens at its end, not at the first unread.
    const read = await request('POST', `/api/v1/conversations/${created.body.id}/read`, {
      token: aliByApi.accessToken,
      body: { seq: total },
    });
    expect(read.status).toBeLessThan(300);
    const row = ali.page.locator(
      `[data-testid="conversation-item"][data-conversation-id="${created.body.id}"]`,
    );
    await openConversation(ali, row);
    const seqs = async () => (await bubbles(ali.page)).map((b) => b.seq);
    await expect.poll(async () => (await seqs()).at(-1), eventually).toBe(total);
    expect((await seqs())[0]).toBeGreaterThan(1); // not everything at once

    const list = ali.page.getByTestId('message-list');
    await expect
      .poll(async () => {
        await list.evaluate((element) => {
          element.scrollTop = 0;
        });
        return (await seqs())[0];
      }, eventually)
      .toBe(1);
    expect(await seqs()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await texts(ali.page)).toEqual(
      Array.from({ length: total }, (_, i) => `پیام شمارهٔ ${i + 1} of ${total}`),
    );
  });
});
