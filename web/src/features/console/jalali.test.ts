import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  compareDays,
  dateAt,
  dayKey,
  formatHm,
  jalaliOf,
  monthLength,
  monthWeeks,
  nextWeekStart,
  parseTime,
  weekdayOf,
} from './jalali.js';

describe('jalali', () => {
  it('converts local dates both ways', () => {
    expect(jalaliOf(new Date(2026, 11, 5, 10, 30))).toEqual({ jy: 1405, jm: 9, jd: 14 });
    expect(jalaliOf(new Date(2024, 2, 20, 0, 0))).toEqual({ jy: 1403, jm: 1, jd: 1 });
    expect(dateAt({ jy: 1406, jm: 1, jd: 1 }, 10, 15).getTime()).toBe(
      new Date(2027, 2, 21, 10, 15).getTime(),
    );
    expect(dateAt({ jy: 1405, jm: 9, jd: 14 }).getTime()).toBe(new Date(2026, 11, 5).getTime());
  });

  it('knows the month lengths: Esfand has 30 days in leap 1403, 29 in 1405', () => {
    expect(monthLength({ jy: 1405, jm: 1 })).toBe(31);
    expect(monthLength({ jy: 1405, jm: 6 })).toBe(31);
    expect(monthLength({ jy: 1405, jm: 7 })).toBe(30);
    expect(monthLength({ jy: 1403, jm: 12 })).toBe(30);
    expect(monthLength({ jy: 1405, jm: 12 })).toBe(29);
  });

  it('steps days and months across the year boundary', () => {
    expect(addDays({ jy: 1405, jm: 12, jd: 29 }, 1)).toEqual({ jy: 1406, jm: 1, jd: 1 });
    expect(addDays({ jy: 1403, jm: 12, jd: 29 }, 1)).toEqual({ jy: 1403, jm: 12, jd: 30 });
    expect(addDays({ jy: 1406, jm: 1, jd: 1 }, -1)).toEqual({ jy: 1405, jm: 12, jd: 29 });
    expect(addMonths({ jy: 1405, jm: 9 }, 4)).toEqual({ jy: 1406, jm: 1 });
    expect(addMonths({ jy: 1406, jm: 1 }, -1)).toEqual({ jy: 1405, jm: 12 });
    expect(compareDays({ jy: 1405, jm: 12, jd: 29 }, { jy: 1406, jm: 1, jd: 1 })).toBe(-1);
  });

  it('starts weeks on Saturday', () => {
    expect(weekdayOf({ jy: 1405, jm: 9, jd: 14 })).toBe('sat'); // 5 December 2026
    expect(weekdayOf({ jy: 1405, jm: 9, jd: 20 })).toBe('fri');
    const weeks = monthWeeks({ jy: 1405, jm: 9 });
    // 1 Azar 1405 = 22 November 2026, a Sunday: one blank cell before it.
    expect(weeks[0]?.[0]).toBeNull();
    expect(weeks[0]?.[1]).toEqual({ jy: 1405, jm: 9, jd: 1 });
    expect(weeks[2]?.[0]).toEqual({ jy: 1405, jm: 9, jd: 14 });
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks.flat().filter(Boolean)).toHaveLength(30);
  });

  it('finds next week’s Saturday', () => {
    expect(nextWeekStart(new Date(2026, 11, 5, 10, 30)).getTime()).toBe(new Date(2026, 11, 12, 9).getTime());
    expect(nextWeekStart(new Date(2026, 11, 11, 23, 0)).getTime()).toBe(new Date(2026, 11, 12, 9).getTime());
    expect(nextWeekStart(new Date(2026, 11, 6, 8, 0)).getTime()).toBe(new Date(2026, 11, 12, 9).getTime());
  });

  it('parses typed times', () => {
    expect(parseTime('14:30')).toEqual({ hours: 14, minutes: 30 });
    expect(parseTime(' 9:05 ')).toEqual({ hours: 9, minutes: 5 });
    expect(parseTime('9')).toEqual({ hours: 9, minutes: 0 });
    expect(parseTime('0930')).toEqual({ hours: 9, minutes: 30 });
    expect(parseTime('14٫30')).toEqual({ hours: 14, minutes: 30 });
    expect(parseTime('24:00')).toBeNull();
    expect(parseTime('12:60')).toBeNull();
    expect(parseTime('9:5')).toBeNull();
    expect(parseTime('')).toBeNull();
    expect(parseTime('۱۴:۳۰')).toBeNull(); // Persian digits are converted by the caller
  });

  it('writes keys and times with Latin digits', () => {
    expect(dayKey({ jy: 1405, jm: 9, jd: 4 })).toBe('1405-09-04');
    expect(formatHm(new Date(2026, 11, 5, 9, 5))).toBe('09:05');
  });
});
