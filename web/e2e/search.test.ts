import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fa } from '../src/i18n/fa.js';
import { bubble, openDirect, send, signIn, waitForConversation } from './support/chat.js';
import { type E2E, e2eAvailable, type Person, startE2E } from './support/e2e.js';

const available = e2eAvailable();
/** Patient polling: the machine may be busy with other suites; nothing here is a timing goal. */
const eventually = { timeout: 20_000, interval: 250 };

describe.skipIf(!available)('search in messages, in Chromium', () => {
  let e2e: E2E;
  const people: Person[] = [];

  beforeAll(async () => {
    e2e = await startE2E();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  afterEach(() => {
    for (const person of people) {
      expect(person.errors).toEqual([]);
      expect(person.dialogs).toEqual([]);
    }
  });

  it('finds a Persian word searched with Arabic yeh, marks it, and opens the conversation at the message', async () => {
    const ali = await signIn(e2e, await e2e.person());
    const sara = await signIn(e2e, await e2e.person());
    people.push(ali, sara);
    const text = 'علی کتاب را آورد';
    const conversationId = await openDirect(ali, sara.phone);
    await send(ali, 'سلام');
    await send(ali, text);
    await bubble(ali.page, text).waitFor();
    await expect.poll(() => bubble(ali.page, text).getAttribute('data-seq'), eventually).toBe('2');

    // Sara searches everywhere, typing the Arabic yeh (ي) where the message has the Persian one (ی).
    const { page } = sara;
    const result = page.getByTestId('search-result');
    // The index follows the messages within a second or so: search again (a fresh panel) until it has.
    await expect
      .poll(async () => {
        await page.getByTestId('search-messages').click();
        const input = page.getByTestId('search-input');
        expect(await input.getAttribute('placeholder')).toBe(fa.search.placeholder);
        await input.fill('علي');
        await page.locator('[data-testid="search-result"], [data-testid="search-empty"]').first().waitFor();
        const found = await result.count();
        if (found === 0) await page.getByTestId('search-close').click();
        return found;
      }, eventually)
      .toBe(1);
    expect(await result.getAttribute('data-conversation-id')).toBe(conversationId);
    expect(await result.locator('mark').allTextContents()).toEqual(['علی']);
    expect(await page.getByTestId('search-snippet').textContent()).toBe(text);

    const before = page.url();
    await result.click();
    await page.waitForURL(
      (url) => url.pathname === `/c/${conversationId}` && url.searchParams.get('at') === '2',
    );
    await waitForConversation(page, before);
    await bubble(page, text).waitFor();
    await expect(page.getByTestId('search-panel').count()).resolves.toBe(0);

    // Inside the conversation: the same search, limited to it, with Enter opening the newest result.
    await page.getByTestId('search-conversation').click();
    await page.getByTestId('search-input').fill('كتاب');
    await page.getByTestId('search-result').waitFor();
    await page.getByTestId('search-input').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('at') === '2');
    await bubble(page, text).waitFor();
  });
});
