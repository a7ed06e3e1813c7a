import { describe, expect, it } from 'vitest';
import { createI18n, storedLang } from './index.js';

describe('i18n', () => {
  it('starts in Persian, right to left', async () => {
    const i18n = await createI18n();
    expect(i18n.language).toBe('fa');
    expect(document.documentElement.lang).toBe('fa');
    expect(document.documentElement.dir).toBe('rtl');
    expect(i18n.t('signIn.sendCode')).toBe('ارسال کد');
  });

  it('switches to English left to right, and remembers it', async () => {
    const i18n = await createI18n();
    await i18n.changeLanguage('en');
    expect(document.documentElement.lang).toBe('en');
    expect(document.documentElement.dir).toBe('ltr');
    expect(i18n.t('signIn.sendCode')).toBe('Send code');
    expect(storedLang()).toBe('en');
    const again = await createI18n();
    expect(again.language).toBe('en');
    await again.changeLanguage('fa');
    expect(document.documentElement.dir).toBe('rtl');
  });
});
