import { toPersianDigits } from '@abrik/protocol';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { uniquePhone } from '../../../server/test/support/app.js';
import type { E2E, Person } from './e2e.js';

/**
 * What a person does in the app, through the selectors the client keeps for tests
 * (`data-testid`, `data-*` state attributes). Waiting is Playwright's (locators wait for their
 * element) or `expect.poll`; nothing sleeps.
 */

/** A fresh Iranian mobile number: E.164 and the national form people type (0912…). */
export function newPhone(): { e164: string; national: string } {
  const e164 = uniquePhone();
  return { e164, national: `0${e164.slice(3)}` };
}

export interface SignedIn extends Person {
  phone: { e164: string; national: string };
}

/**
 * Signs in through the sign-in screens: types the phone (in Persian digits when asked), reads
 * the code the server printed, types it, and waits for the conversation list.
 */
export async function signIn(
  e2e: E2E,
  person: Person,
  options: { persianDigits?: boolean; phone?: { e164: string; national: string } } = {},
): Promise<SignedIn> {
  const phone = options.phone ?? newPhone();
  const { page } = person;
  if (!page.url().startsWith(e2e.url)) await page.goto('/');
  const typed = options.persianDigits ? toPersianDigits(phone.national) : phone.national;
  await page.getByTestId('phone-input').fill(typed);
  const since = e2e.mark();
  await page.getByTestId('phone-submit').click();
  const code = await e2e.codeFor(phone.e164, since);
  await page.getByTestId('code-input').fill(code);
  await page.getByTestId('code-submit').click();
  await page.getByTestId('new-direct').waitFor();
  return Object.assign(person, { phone });
}

/**
 * Waits until the page shows a conversation other than the one at `previousUrl` (the app routes
 * to `/c/:id`); a composer alone proves nothing when another conversation was open.
 */
export async function waitForConversation(page: Page, previousUrl: string): Promise<string> {
  await page.waitForURL((url) => url.pathname.startsWith('/c/') && url.href !== previousUrl);
  const id = new URL(page.url()).pathname.slice('/c/'.length);
  await page
    .locator(`[data-testid="conversation-item"][data-conversation-id="${id}"][aria-current="page"]`)
    .waitFor({ state: 'attached' }); // the list is hidden beside a conversation at a phone's width
  await page.getByTestId('composer').waitFor();
  return id;
}

/** Starts (or opens) the direct chat with `phone` and waits until it is on screen. */
export async function openDirect(person: Person, phone: { national: string }): Promise<string> {
  const { page } = person;
  const previous = page.url();
  await page.getByTestId('new-direct').click();
  await page.getByTestId('new-direct-phone').fill(phone.national);
  await page.getByTestId('new-direct-submit').click();
  return waitForConversation(page, previous);
}

/** Opens the conversation of the list row `row` (a `conversation-item` locator). */
export async function openConversation(person: Person, row: Locator): Promise<string> {
  const previous = person.page.url();
  await row.click();
  return waitForConversation(person.page, previous);
}

/** Types a message and sends it with the send button. */
export async function send(person: Person, text: string): Promise<void> {
  const composer = person.page.getByTestId('composer');
  await composer.fill(text);
  await person.page.getByTestId('send').click();
  await expect.poll(() => composer.inputValue(), { timeout: 20_000, interval: 50 }).toBe('');
}

export interface Bubble {
  seq: number | null;
  clientMsgId: string | null;
  mine: boolean;
  status: string | null;
  text: string;
}

/** The message bubbles on screen, top to bottom, read in one go (one consistent snapshot). */
export function bubbles(page: Page): Promise<Bubble[]> {
  return page.getByTestId('message').evaluateAll((elements) =>
    elements.map((element) => {
      const seq = element.getAttribute('data-seq');
      return {
        seq: seq ? Number(seq) : null,
        clientMsgId: element.getAttribute('data-client-msg-id'),
        mine: element.getAttribute('data-mine') === 'true',
        status: element.getAttribute('data-status'),
        text: element.querySelector('[data-testid="message-body"]')?.textContent ?? '',
      };
    }),
  );
}

/** The texts of the bubbles on screen, top to bottom. */
export async function texts(page: Page): Promise<string[]> {
  return (await bubbles(page)).map((b) => b.text);
}

/** The bubble whose body is exactly `text`. */
export function bubble(page: Page, text: string) {
  return page.getByTestId('message').filter({
    has: page.getByTestId('message-body').getByText(text, { exact: true }),
  });
}

/** Waits until the bubble with `text` has `data-status` `status` (own messages). */
export async function statusOf(page: Page, text: string): Promise<string | null> {
  return bubble(page, text).getAttribute('data-status');
}

/** The `data-state` of the connection indicator: connecting, online or offline. */
export function connectionState(page: Page): Promise<string | null> {
  return page.getByTestId('connection-state').getAttribute('data-state');
}

/** `dir` and `lang` of the document. */
export async function documentDirection(page: Page): Promise<{ dir: string | null; lang: string | null }> {
  const html = page.locator('html');
  return { dir: await html.getAttribute('dir'), lang: await html.getAttribute('lang') };
}

/**
 * Starts recording, in the page, every `data-status` each own message shows (consecutive repeats
 * folded), by clientMsgId: a MutationObserver sees states too short-lived to poll for. Lasts until
 * the page navigates.
 */
export async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const history = (window.__abrikStatuses = {});
    const note = (el) => {
      const id = el.getAttribute('data-client-msg-id');
      const status = el.getAttribute('data-status');
      if (!id || !status) return;
      const seen = (history[id] ??= []);
      if (seen.at(-1) !== status) seen.push(status);
    };
    const selector = '[data-testid="message"]';
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes') note(record.target);
        for (const node of record.addedNodes) {
          if (node.nodeType !== 1) continue;
          if (node.matches(selector)) note(node);
          node.querySelectorAll(selector).forEach(note);
        }
      }
    }).observe(document.documentElement, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    document.querySelectorAll(selector).forEach(note);
  })()`);
}

/** The statuses the own message with `text` went through since `recordStatuses`. */
export async function statusHistory(page: Page, text: string): Promise<string[]> {
  const id = await bubble(page, text).getAttribute('data-client-msg-id');
  if (!id) throw new Error(`the message "${text}" has no clientMsgId`);
  return (await page.evaluate(`window.__abrikStatuses?.[${JSON.stringify(id)}] ?? []`)) as string[];
}
