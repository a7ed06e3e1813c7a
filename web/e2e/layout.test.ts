import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../server/test/support/cluster.js';
import { en } from '../src/i18n/en.js';
import { fa } from '../src/i18n/fa.js';
import {
  bubble,
  connectionState,
  documentDirection,
  newPhone,
  openConversation,
  type SignedIn,
  signIn,
  texts,
} from './support/chat.js';
import { DESKTOP, type E2E, e2eAvailable, type Person, PHONE, startE2E } from './support/e2e.js';

const available = e2eAvailable();
const eventually = { timeout: 20_000, interval: 50 };

/** Where the run saves the screenshots the README shows. */
const SCREENSHOTS = join(REPO, 'docs/screenshots');

/** A conversation worth showing: Persian with English words, numbers, an emoji and a link. */
const FROM_SARA = [
  'سلام علی! نسخهٔ 2.4 رو امروز منتشر می‌کنیم؟',
  'عالیه 👌 changelog رو اینجا گذاشتم: https://example.com/releases/2.4',
];
const FROM_ME = ['سلام! آره، بعد از تست‌های e2e — حدود ساعت 16:30', 'ممنون، می‌خونمش'];

async function shot(page: Page, name: string): Promise<void> {
  // The app's own font (Vazirmatn) is in, and the connection indicator has settled.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** Horizontal centre of an element's box. */
async function centreX(page: Page, locator: ReturnType<Page['locator']>): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`no box for ${locator} on ${page.url()}`);
  return box.x + box.width / 2;
}

/**
 * Where own and others' bubbles sit in the message list: -1 towards the left edge, +1 towards
 * the right (compared with the list's centre).
 */
async function bubbleSides(page: Page): Promise<{ own: number; other: number }> {
  const middle = await centreX(page, page.getByTestId('message-list'));
  const own = await centreX(page, bubble(page, FROM_ME[1]!).getByTestId('message-body'));
  const other = await centreX(page, bubble(page, FROM_SARA[0]!).getByTestId('message-body'));
  return { own: Math.sign(own - middle), other: Math.sign(other - middle) };
}

describe.skipIf(!available)('Persian right-to-left first, English switchable; screenshots', () => {
  let e2e: E2E;
  let person: Person;
  const phone = newPhone();

  beforeAll(async () => {
    e2e = await startE2E();
    mkdirSync(SCREENSHOTS, { recursive: true });
    // What the person finds when signing in, made over the HTTP API: a direct chat with Sara
    // (read by her) and a newer group message from Reza.
    const { request } = e2e.cluster;
    const me = await e2e.cluster.signIn(phone.e164, 'علی رضایی');
    const sara = await e2e.cluster.signIn(newPhone().e164, 'سارا احمدی');
    const reza = await e2e.cluster.signIn(newPhone().e164, 'Reza Karimi');
    const ok = (reply: { status: number; body: any }) => {
      if (reply.status >= 300)
        throw new Error(`seeding failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    };
    const direct = ok(
      await request('POST', '/api/v1/conversations', {
        token: sara.accessToken,
        body: { kind: 'direct', userId: me.user.id },
      }),
    );
    let n = 0;
    const post = async (token: string, conversationId: string, body: string) =>
      ok(
        await request('POST', `/api/v1/conversations/${conversationId}/messages`, {
          token,
          body: { clientMsgId: `seed-${++n}`, body },
        }),
      );
    await post(sara.accessToken, direct.id, FROM_SARA[0]!);
    await post(me.accessToken, direct.id, FROM_ME[0]!);
    await post(sara.accessToken, direct.id, FROM_SARA[1]!);
    const last = await post(me.accessToken, direct.id, FROM_ME[1]!);
    ok(
      await request('POST', `/api/v1/conversations/${direct.id}/read`, {
        token: sara.accessToken,
        body: { seq: last.seq },
      }),
    );
    const group = ok(
      await request('POST', '/api/v1/conversations', {
        token: reza.accessToken,
        body: { kind: 'group', title: 'تیم پشتیبانی', memberIds: [me.user.id, sara.user.id] },
      }),
    );
    await post(reza.accessToken, group.id, 'Standup in 10 min — جلسهٔ روزانه ۱۰ دقیقهٔ دیگه');
    person = await e2e.person();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('greets a newcomer in Persian, right to left; the language switch turns it English, left to right', async () => {
    const { page } = person;
    await page.goto('/');
    await page.getByTestId('phone-input').waitFor();
    expect(await documentDirection(page)).toEqual({ dir: 'rtl', lang: 'fa' });
    expect(await page.getByTestId('phone-submit').textContent()).toBe(fa.signIn.sendCode);
    await shot(page, 'signin-fa-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'signin-fa-phone');

    await page.getByTestId('lang-switch').click();
    await expect.poll(() => documentDirection(page), eventually).toEqual({ dir: 'ltr', lang: 'en' });
    expect(await page.getByTestId('phone-submit').textContent()).toBe(en.signIn.sendCode);
    await shot(page, 'signin-en-phone');
    await page.setViewportSize(DESKTOP);
    await shot(page, 'signin-en-desktop');

    // The choice is remembered.
    await page.reload();
    await page.getByTestId('phone-input').waitFor();
    expect(await documentDirection(page)).toEqual({ dir: 'ltr', lang: 'en' });
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => documentDirection(page), eventually).toEqual({ dir: 'rtl', lang: 'fa' });
  });

  it('lays the conversation out right to left in Persian and mirrors it in English', async () => {
    const me: SignedIn = await signIn(e2e, person, { phone, persianDigits: true });
    const { page } = me;
    const items = page.getByTestId('conversation-item');
    await expect.poll(() => items.count(), eventually).toBe(2);
    await expect.poll(() => connectionState(page), eventually).toBe('online');
    await shot(page, 'list-fa-desktop');

    await openConversation(person, items.filter({ hasText: 'سارا احمدی' }));
    const expected = [FROM_SARA[0], FROM_ME[0], FROM_SARA[1], FROM_ME[1]];
    await expect.poll(() => texts(page), eventually).toEqual(expected);
    expect(await bubble(page, FROM_ME[1]!).getAttribute('data-status')).toBe('read');
    // Own messages on the end side (left in Persian, as chat apps in Persian do), the other's on
    // the start side (right).
    expect(await bubbleSides(page)).toEqual({ own: -1, other: 1 });
    // Times in Persian digits; the date separator in Persian.
    expect(await bubble(page, FROM_ME[1]!).textContent()).toMatch(/[۰-۹]/);
    expect(await page.getByTestId('date-separator').first().textContent()).toBe(fa.conv.today);
    expect(await page.getByTestId('composer').getAttribute('placeholder')).toBe(fa.conv.composer);
    await shot(page, 'conversation-fa-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'conversation-fa-phone');
    await page.getByTestId('back').click();
    await items.first().waitFor();
    await shot(page, 'list-fa-phone');

    await page.getByTestId('lang-switch').click();
    await expect.poll(() => documentDirection(page), eventually).toEqual({ dir: 'ltr', lang: 'en' });
    await shot(page, 'list-en-phone');
    await openConversation(person, items.filter({ hasText: 'سارا احمدی' }));
    await expect.poll(() => texts(page), eventually).toEqual(expected);
    expect(await bubbleSides(page)).toEqual({ own: 1, other: -1 });
    expect(await bubble(page, FROM_ME[1]!).textContent()).not.toMatch(/[۰-۹]/);
    expect(await page.getByTestId('date-separator').first().textContent()).toBe(en.conv.today);
    expect(await page.getByTestId('composer').getAttribute('placeholder')).toBe(en.conv.composer);
    await shot(page, 'conversation-en-phone');
    await page.setViewportSize(DESKTOP);
    await shot(page, 'conversation-en-desktop');
    await page.goto('/');
    await items.first().waitFor();
    await expect.poll(() => connectionState(page), eventually).toBe('online');
    await shot(page, 'list-en-desktop');

    expect(person.errors).toEqual([]);
    expect(person.dialogs).toEqual([]);
  });
});
