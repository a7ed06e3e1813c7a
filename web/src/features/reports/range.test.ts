import { describe, expect, it } from 'vitest';
import { jalaliText, parseJalali, presetRange } from './range.js';

const TEHRAN = 'Asia/Tehran';

describe('report ranges', () => {
  it('computes the presets in Tehran: the week from Saturday, the Jalali month, the last 30 days', () => {
    // 2026-12-21T21:00Z is already Tuesday 1 Dey 1405 (00:30) in Tehran.
    const now = new Date('2026-12-21T21:00:00Z');
    expect(presetRange('week', now, TEHRAN)).toEqual({ from: '2026-12-19', to: '2026-12-22' });
    expect(presetRange('month', now, TEHRAN)).toEqual({ from: '2026-12-22', to: '2026-12-22' });
    expect(presetRange('last30', now, TEHRAN)).toEqual({ from: '2026-11-23', to: '2026-12-22' });
    // On a Saturday the week is that day alone; on 1 Farvardin the month starts at Nowruz.
    expect(presetRange('week', new Date('2026-12-19T09:00:00Z'), TEHRAN)).toEqual({
      from: '2026-12-19',
      to: '2026-12-19',
    });
    expect(presetRange('month', new Date('2026-03-21T09:00:00Z'), TEHRAN).from).toBe('2026-03-21');
  });

  it('reads Jalali dates with Latin or Persian digits and refuses days that do not exist', () => {
    expect(parseJalali('۱۴۰۵/۰۹/۲۸')).toEqual({ jy: 1405, jm: 9, jd: 28 });
    expect(parseJalali(' 1405-9-3 ')).toEqual({ jy: 1405, jm: 9, jd: 3 });
    expect(parseJalali('1403/12/30')).toEqual({ jy: 1403, jm: 12, jd: 30 }); // a leap Esfand
    expect(parseJalali('1404/12/30')).toBeNull();
    expect(parseJalali('1405/13/01')).toBeNull();
    expect(parseJalali('2026-12-19x')).toBeNull();
    expect(jalaliText('2026-12-22', 'fa')).toBe('۱۴۰۵/۱۰/۰۱');
    expect(jalaliText('2026-12-22', 'en')).toBe('1405/10/01');
  });
});
