import { describe, expect, it } from 'vitest';
import {
  digitsOnly,
  formatCountdown,
  formatDate,
  formatDay,
  formatNumber,
  formatTime,
  localDigits,
} from './format.js';

const TEHRAN = 'Asia/Tehran';
// Nowruz 1403: 20 March 2024 (noon in Tehran).
const NOWRUZ_1403 = '2024-03-20T08:30:00Z';

describe('dates', () => {
  it('writes Persian dates in the Jalali calendar with Persian digits', () => {
    expect(formatDate(NOWRUZ_1403, 'fa', TEHRAN)).toBe('۱ فروردین ۱۴۰۳');
  });

  it('writes English dates in the Gregorian calendar with Latin digits', () => {
    expect(formatDate(NOWRUZ_1403, 'en', TEHRAN)).toBe('20 March 2024');
  });

  it('writes times on a 24-hour clock in the language’s digits', () => {
    expect(formatTime(NOWRUZ_1403, 'fa', TEHRAN)).toBe('۱۲:۰۰');
    expect(formatTime(NOWRUZ_1403, 'en', TEHRAN)).toBe('12:00');
  });

  it('names today and yesterday, and dates further back', () => {
    const labels = { today: 'today', yesterday: 'yesterday' };
    const now = new Date('2024-03-21T10:00:00Z');
    expect(formatDay('2024-03-21T01:00:00Z', 'fa', labels, now, TEHRAN)).toBe('today');
    expect(formatDay(NOWRUZ_1403, 'fa', labels, now, TEHRAN)).toBe('yesterday');
    expect(formatDay('2024-03-19T10:00:00Z', 'fa', labels, now, TEHRAN)).toBe('۲۹ اسفند ۱۴۰۲');
  });

  it('puts a day boundary at midnight of the time zone shown, not of UTC', () => {
    const labels = { today: 'today', yesterday: 'yesterday' };
    // 23:30 on 20 March in Tehran, read at 00:30 on 21 March there (both still 20 March in UTC).
    const now = new Date('2024-03-20T21:00:00Z');
    expect(formatDay('2024-03-20T20:00:00Z', 'en', labels, now, TEHRAN)).toBe('yesterday');
    expect(formatDay('2024-03-20T20:00:00Z', 'en', labels, now, 'UTC')).toBe('today');
    expect(formatDay('2024-03-20T20:00:00Z', 'en', labels, new Date('2024-03-21T01:00:00Z'), 'UTC')).toBe(
      'yesterday',
    );
  });
});

describe('digits', () => {
  it('reads Persian and Arabic-Indic digits typed into a code or phone field', () => {
    expect(digitsOnly('۱۲۳ ۴۵۶')).toBe('123456');
    expect(digitsOnly('٠٩١٢')).toBe('0912');
    expect(digitsOnly('۰۹۱۲-123 ۴۵۶۷')).toBe('09121234567');
  });

  it('shows numbers in Persian digits in Persian and Latin digits in English', () => {
    expect(formatNumber(1205, 'fa')).toBe('۱۲۰۵');
    expect(formatNumber(1205, 'en')).toBe('1205');
    expect(localDigits('+989121234567', 'fa')).toBe('+۹۸۹۱۲۱۲۳۴۵۶۷');
    expect(localDigits('+989121234567', 'en')).toBe('+989121234567');
  });

  it('counts down minutes and seconds', () => {
    expect(formatCountdown(65, 'en')).toBe('1:05');
    expect(formatCountdown(59.2, 'fa')).toBe('۱:۰۰');
    expect(formatCountdown(-3, 'en')).toBe('0:00');
  });
});
