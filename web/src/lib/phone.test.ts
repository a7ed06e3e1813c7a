import { describe, expect, it } from 'vitest';
import { displayPhone, formatPhone } from './phone.js';

describe(formatPhone.name, () => {
  it('shows an Iranian mobile in the national format, in Persian digits in Persian', () => {
    expect(formatPhone('+989123456789', 'fa')).toBe('۰۹۱۲ ۳۴۵ ۶۷۸۹');
    expect(formatPhone('+989123456789', 'en')).toBe('0912 345 6789');
  });

  it('shows a foreign number in the international format', () => {
    expect(displayPhone('+447700900123')).toBe('+44 7700 900123');
    expect(formatPhone('+14155552671', 'fa')).toBe('+۱ ۴۱۵ ۵۵۵ ۲۶۷۱');
  });

  it('leaves what is not a phone number as it is', () => {
    expect(displayPhone('widget:abc')).toBe('widget:abc');
  });
});
