import { describe, expect, it } from 'vitest';
import { toLatinDigits, toPersianDigits } from './digits.js';
import { isE164, maskPhone, normalizePhone } from './phone.js';

describe(normalizePhone.name, () => {
  const same = '+989121234567';
  it.each([
    '09121234567',
    '+989121234567',
    '989121234567',
    '00989121234567',
    '9121234567',
    '۰۹۱۲۱۲۳۴۵۶۷',
    '+۹۸۹۱۲۱۲۳۴۵۶۷',
    '٠٩١٢١٢٣٤٥٦٧',
    '۰۰۹۸۹۱۲۱۲۳۴۵۶۷',
    '0912 123 4567',
    '0912-123-4567',
    '(0912) 123 4567',
    ' 09121234567 ',
    '\u200e+98 912 123 4567\u200f',
  ])('reads %j as the same E.164 number', (input) => {
    expect(normalizePhone(input)).toBe(same);
  });

  it('accepts mobile numbers of other countries in international form', () => {
    expect(normalizePhone('+14155552671')).toBe('+14155552671');
    expect(normalizePhone('00447400123456')).toBe('+447400123456');
  });

  it.each([
    '',
    'abc',
    '0912123456',
    '091212345678',
    '02188776655',
    '+98',
    '12345',
    '۰۹۱۲abc۴۵۶۷',
    '09121234567; drop table users',
    '1'.repeat(41),
    '+0000000000',
  ])('refuses %j', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('refuses values that are not strings', () => {
    expect(normalizePhone(42 as unknown as string)).toBeNull();
  });
});

describe(toLatinDigits.name, () => {
  it('converts Persian and Arabic-Indic digits and keeps everything else', () => {
    expect(toLatinDigits('کد ۱۲۳ و ٤٥٦ and 789')).toBe('کد 123 و 456 and 789');
  });
  it('round-trips with toPersianDigits', () => {
    expect(toPersianDigits('0123456789')).toBe('۰۱۲۳۴۵۶۷۸۹');
    expect(toLatinDigits(toPersianDigits(9876543210))).toBe('9876543210');
  });
});

describe(maskPhone.name, () => {
  it('keeps the country prefix and last four digits only', () => {
    expect(maskPhone('+989121234567')).toBe('+98912***4567');
    expect(maskPhone('+98912')).toBe('***');
  });
});

describe('isE164', () => {
  it('accepts E.164 numbers and nothing else', () => {
    expect(isE164('+989121234567')).toBe(true);
    expect(isE164('+14155552671')).toBe(true);
    for (const value of [
      '09121234567',
      '989121234567',
      '+0912123',
      'widget:abc:v:123',
      '',
      '+98912123456789012',
    ])
      expect(isE164(value), value).toBe(false);
  });
});
