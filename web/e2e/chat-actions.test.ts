import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fa } from '../src/i18n/fa.js';
import {
  bubble,
  connectionState,
  openConversation,
  openDirect,
  type SignedIn,
  send,
  signIn,
} from './support/chat.js';
import { type E2E, e2eAvailable, type Person, startE2E } from './support/e2e.js';

const available = e2eAvailable();
/** Patient polling: the machine may be busy with other suites; nothing here is a timing goal. */
const eventually = { timeout: 20_000, interval: 50 };

/** The element that has focus, by its data-testid. */
async function focused(page: Page): Promise<string | null> {
  return (await page.evaluate(`document.activeElement?.getAttribute('data-testid') ?? null`)) as
    | string
    | null;
}

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

/** Opens the menu of the bubble with `text` from its ⋯ button (shown under the mouse). */
async function openMenu(page: Page, text: string): Promise<void> {
  const own = bubble(page, text).first();
  await own.hover();
  await own.getByTestId('message-menu-button').click();
  await page.getByTestId('message-menu').waitFor();
}

describe.skipIf(!available)('the message menu: replies, reactions, deleting, pins', () => {
  let e2e: E2E;
  let ali: SignedIn;
  let sara: SignedIn;
  let conversationId = '';
  const people: Person[] = [];
  const question = 'فردا جلسه ساعت چند است؟';
  const answer = 'ساعت ده صبح';

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

  it('signs two people in and opens their conversation', async () => {
    const a = await e2e.person();
    const b = await e2e.person();
    people.push(a, b);
    ali = await signIn(e2e, a);
    sara = await signIn(e2e, b);
    for (const person of [ali, sara]) {
      await expect.poll(() => connectionState(person.page), eventually).toBe('online');
    }
    conversationId = await openDirect(ali, sara.phone);
    await send(ali, question);
    await openConversation(
      sara,
      sara.page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`),
    );
    await bubble(sara.page, question).waitFor();
  });

  it('replies with a quote; a click on the quote jumps to the message, loading older history', async () => {
    // Sixty messages after the question push it out of the first page of history.
    const saraByApi = await e2e.cluster.signIn(sara.phone.e164);
    for (let n = 1; n <= 60; n++) {
      const sent = await e2e.cluster.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: saraByApi.accessToken,
        body: { clientMsgId: `filler-${n}`, body: `پیام ${n}` },
      });
      expect(sent.status).toBe(201);
    }
    for (const person of [ali, sara]) await bubble(person.page, 'پیام 60').waitFor();

    await openMenu(sara.page, question);
    await sara.page.getByTestId('menu-reply').click();
    const bar = sara.page.getByTestId('reply-bar');
    await bar.waitFor();
    expect(await bar.textContent()).toContain(question);
    expect(await focused(sara.page)).toBe('composer');
    // Escape stops replying; choosing Reply again brings the bar back.
    await sara.page.keyboard.press('Escape');
    await bar.waitFor({ state: 'hidden' });
    await openMenu(sara.page, question);
    await sara.page.getByTestId('menu-reply').click();
    await bar.waitFor();
    await send(sara, answer);
    await bar.waitFor({ state: 'hidden' });

    // Both see the quote on the answer.
    for (const person of [ali, sara]) {
      const quote = bubble(person.page, answer).getByTestId('reply-quote');
      await quote.waitFor();
      expect(await quote.textContent()).toContain(question);
      expect(await quote.getAttribute('data-reply-seq')).toBe('1');
    }

    // On a new device Ali holds only the newest page: the quote's click fetches older history.
    const device = await e2e.person();
    people.push(device);
    const aliAgain = await signIn(e2e, device, { phone: ali.phone });
    await openConversation(
      aliAgain,
      device.page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`),
    );
    const quote = bubble(device.page, answer).getByTestId('reply-quote');
    await quote.waitFor();
    expect(await device.page.locator('[data-testid="message"][data-seq="1"]').count()).toBe(0);
    await quote.click();
    const first = device.page.locator('[data-testid="message"][data-seq="1"]');
    await expect.poll(() => first.getAttribute('data-highlighted'), eventually).toBe('true');
    expect(await inView(device.page, '[data-testid="message"][data-seq="1"]')).toBe(true);
    expect(await first.getByTestId('message-body').textContent()).toBe(question);
    await device.context.close();
  });

  it('reacts from the menu; the other side sees it live and toggles their own', async () => {
    await openMenu(ali.page, 'پیام 60');
    await ali.page.locator('[data-testid="menu-react"][data-emoji="❤️"]').click();
    await ali.page.getByTestId('message-menu').waitFor({ state: 'hidden' });

    const heart = (page: Page) => bubble(page, 'پیام 60').locator('[data-testid="reaction"][data-emoji="❤️"]');
    await expect.poll(() => heart(ali.page).getAttribute('data-mine'), eventually).toBe('true');
    await expect.poll(() => heart(sara.page).getAttribute('data-count'), eventually).toBe('1');
    expect(await heart(sara.page).getAttribute('aria-pressed')).toBe('false');

    // Sara adds hers with a tap on the reaction; Ali sees two.
    await heart(sara.page).click();
    await expect.poll(() => heart(sara.page).getAttribute('aria-pressed'), eventually).toBe('true');
    await expect.poll(() => heart(ali.page).getAttribute('data-count'), eventually).toBe('2');
    // Ali takes his back; Sara sees one, hers.
    await heart(ali.page).click();
    await expect.poll(() => heart(sara.page).getAttribute('data-count'), eventually).toBe('1');
    expect(await heart(ali.page).getAttribute('data-mine')).toBeNull();
  });

  it('asks before deleting: Escape cancels and gives the focus back; "for me" hides it only for me', async () => {
    const mistake = 'این را اشتباه فرستادم';
    const typo = 'این هم اشتباه بود';
    await send(sara, mistake);
    await send(sara, typo);
    for (const text of [mistake, typo]) {
      await expect.poll(() => bubble(sara.page, text).getAttribute('data-seq'), eventually).not.toBeNull();
      await bubble(ali.page, text).waitFor();
    }

    await openMenu(sara.page, mistake);
    await sara.page.getByTestId('menu-delete').click();
    const dialog = sara.page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(fa.actions.deleteTitle);
    expect(await sara.page.getByTestId('delete-everyone').count()).toBe(1); // her own message
    expect(await focused(sara.page)).toBe('delete-cancel');
    await sara.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(sara.page)).toBe('message-menu-button');
    expect(await bubble(sara.page, mistake).count()).toBe(1);

    await openMenu(sara.page, mistake);
    await sara.page.getByTestId('menu-delete').click();
    await sara.page.getByTestId('delete-me').click();
    await expect.poll(() => bubble(sara.page, mistake).count(), eventually).toBe(0);
    expect(await bubble(ali.page, mistake).count()).toBe(1); // only for her

    await openMenu(sara.page, typo);
    await sara.page.getByTestId('menu-delete').click();
    await sara.page.getByTestId('delete-everyone').click();
    for (const person of [ali, sara]) {
      await expect.poll(() => bubble(person.page, typo).count(), eventually).toBe(0);
    }

    // Someone else's message: only "for me".
    await openMenu(ali.page, answer);
    await ali.page.getByTestId('menu-delete').click();
    await ali.page.getByRole('alertdialog').waitFor();
    expect(await ali.page.getByTestId('delete-everyone').count()).toBe(0);
    await ali.page.getByTestId('delete-cancel').click();
  });

  it('forwards a message through the picker; the copy says whom it is from', async () => {
    await openMenu(ali.page, answer);
    await ali.page.getByTestId('menu-forward').click();
    const dialog = ali.page.getByTestId('forward-dialog');
    await dialog.waitFor();
    expect(await focused(ali.page)).toBe('forward-search');
    await ali.page.getByTestId('forward-search').fill('هیچ گفتگویی با این نام نیست');
    expect(await ali.page.getByTestId('forward-target').count()).toBe(0);
    await ali.page.getByTestId('forward-search').fill('');
    await ali.page
      .locator(`[data-testid="forward-target"][data-conversation-id="${conversationId}"]`)
      .click();
    await dialog.waitFor({ state: 'detached' });
    for (const person of [ali, sara]) {
      await expect.poll(() => bubble(person.page, answer).count(), eventually).toBe(2);
      const copy = bubble(person.page, answer).last();
      expect(await copy.getByTestId('forwarded-label').textContent()).toContain(
        fa.actions.forwardedFrom.split(' ')[0]!,
      );
    }
  });

  it('pins a message; the other side gets the pinned bar and jumps to it', async () => {
    await openMenu(ali.page, answer);
    await ali.page.getByTestId('menu-pin').click();
    const bar = sara.page.getByTestId('pinned-bar');
    await bar.waitFor();
    expect(await sara.page.getByTestId('pinned-text').textContent()).toBe(answer);
    expect(await bar.getAttribute('data-seq')).toBe(
      await bubble(sara.page, answer).first().getAttribute('data-seq'),
    );
    await sara.page.getByTestId('message-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await bar.click();
    const pinned = sara.page.locator(
      `[data-testid="message"][data-seq="${await bar.getAttribute('data-seq')}"]`,
    );
    await expect.poll(() => pinned.getAttribute('data-highlighted'), eventually).toBe('true');

    // Unpinned: the bar goes on both sides.
    await openMenu(ali.page, answer);
    await ali.page.getByTestId('menu-unpin').click();
    for (const person of [ali, sara])
      await person.page.getByTestId('pinned-bar').waitFor({ state: 'detached' });
  });

  it('sends a photo: a progress bar while it uploads, then the thumbnail on the other side', async () => {
    const photo = await sharp({
      create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 110, b: 90 } },
    })
      .png()
      .toBuffer();
    const caption = 'قله دماوند';
    await ali.page
      .getByTestId('attach-input')
      .setInputFiles({ name: 'damavand.png', mimeType: 'image/png', buffer: photo });
    const draft = ali.page.getByTestId('attachment-draft');
    await draft.waitFor();
    await expect.poll(() => draft.getAttribute('data-status'), eventually).toBe('stored');
    await ali.page.getByTestId('composer').fill(caption);
    await ali.page.getByTestId('send').click();
    await draft.waitFor({ state: 'detached' });
    for (const person of [sara, ali]) {
      const image = bubble(person.page, caption).first().locator('[data-testid="attachment-image"] img');
      await image.waitFor();
      // The thumbnail came through the authorised route as a blob: URL and decoded.
      await expect
        .poll(
          () => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
          eventually,
        )
        .toBeGreaterThan(0);
      expect(await image.getAttribute('src')).toMatch(/^blob:/);
    }
  });

  it('records a voice note and sends it when stopped; the other side can play it', async () => {
    const voices = (page: Page) => page.locator('[data-testid="attachment-voice"]');
    const before = await voices(sara.page).count();
    await ali.page.getByTestId('record').click();
    const time = ali.page.getByTestId('recording-time');
    await time.waitFor();
    // Some sound first: the fake microphone's tone, a second or more of it.
    await expect.poll(() => time.textContent(), eventually).not.toBe('۰:۰۰');
    await ali.page.getByTestId('recording-send').click();
    await expect.poll(() => voices(sara.page).count(), eventually).toBe(before + 1);
    const audio = voices(sara.page).last().locator('audio');
    await audio.waitFor();
    expect(await audio.getAttribute('src')).toMatch(/^blob:/);
    // Nothing left behind in the composer: the microphone button is back.
    await ali.page.getByTestId('record').waitFor();
  });

  it('sets a profile photo in settings; the other person sees it beside the conversation', async () => {
    const face = await sharp({
      create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 120, b: 40 } },
    })
      .jpeg()
      .toBuffer();
    await ali.page.getByTestId('settings').click();
    await ali.page
      .getByTestId('profile-photo-input')
      .setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: face });
    await ali.page.getByTestId('profile-photo-remove').waitFor();
    await ali.page.keyboard.press('Escape');
    await sara.page.reload();
    const avatar = sara.page
      .locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`)
      .locator('.avatar-photo');
    await avatar.waitFor();
    await expect
      .poll(
        () => avatar.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        eventually,
      )
      .toBe(256);
  });

  it('refuses, in Persian, a "photo" that is not one, and lets it be cancelled', async () => {
    await ali.page.getByTestId('attach-input').setInputFiles({
      name: 'not-a-photo.png',
      mimeType: 'image/png',
      buffer: Buffer.from('<html>this is not an image</html>'),
    });
    const error = ali.page.getByTestId('attachment-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('عکس نیست');
    expect(await ali.page.getByTestId('send').isDisabled()).toBe(true);
    await ali.page.getByTestId('attachment-cancel').click();
    await ali.page.getByTestId('attachment-draft').waitFor({ state: 'detached' });
  });
});
