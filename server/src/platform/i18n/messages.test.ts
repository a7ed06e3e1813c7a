import { ERROR_CODES } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { LOCALES, negotiateLocale, t } from './messages.js';

describe(negotiateLocale.name, () => {
  it.each([
    [undefined, 'fa'],
    ['', 'fa'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['de-DE,en;q=0.5', 'en'],
    ['fa-IR,fa;q=0.9,en;q=0.8', 'fa'],
    ['en;q=0.2,fa;q=0.9', 'fa'],
    ['de', 'fa'],
    ['en;q=0', 'fa'],
  ])('reads %j as %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});

describe('message catalogs', () => {
  it('translate every error code in every locale', () => {
    for (const locale of LOCALES) {
      for (const code of ERROR_CODES) expect(t(locale).errors[code], `${locale} ${code}`).toMatch(/\S/);
    }
  });
  it('put the code in the SMS text', () => {
    expect(t('fa').otpSms('123456')).toContain('123456');
    expect(t('en').otpSms('123456')).toContain('123456');
  });
});
