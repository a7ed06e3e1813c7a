import { CalendarDate, PersianCalendar } from '@internationalized/date';
import { describe, expect, it } from 'vitest';
import { boundInstant, bucketLabel, bucketsOf, jalaliDayOf, weekdayIndex } from './buckets.js';

const TEHRAN = 'Asia/Tehran';
const persian = (y: number, m: number, d: number) => new CalendarDate(new PersianCalendar(), y, m, d);
const iso = (spans: { label: string; start: Date; end: Date }[]) =>
  spans.map((s) => [s.label, s.start.toISOString(), s.end.toISOString()]);

describe('report buckets', () => {
  it('splits days at Tehran midnight (+03:30): 23:59 and 00:01 fall in different days', () => {
    // 30 Azar 1405 = Monday 2026-12-21; Tehran midnight = 20:30 UTC the day before.
    const spans = bucketsOf(
      { from: new Date('2026-12-20T20:30:00Z'), to: new Date('2026-12-22T20:30:00Z') },
      'day',
      TEHRAN,
    );
    expect(iso(spans)).toEqual([
      ['1405-09-30', '2026-12-20T20:30:00.000Z', '2026-12-21T20:30:00.000Z'],
      ['1405-10-01', '2026-12-21T20:30:00.000Z', '2026-12-22T20:30:00.000Z'],
    ]);
    // 23:59 Tehran on 30 Azar = 20:29 UTC; 00:01 on 1 Dey = 20:31 UTC.
    const day = (at: string) => bucketLabel(jalaliDayOf(new Date(at), TEHRAN), 'day');
    expect(day('2026-12-21T20:29:00Z')).toBe('1405-09-30');
    expect(day('2026-12-21T20:31:00Z')).toBe('1405-10-01');
  });

  it('starts weeks on Saturday and numbers them from the week of 1 Farvardin', () => {
    // 1 Farvardin 1405 = Saturday 2026-03-21: W01 starts that day. 28 Azar 1405 = Saturday
    // 2026-12-19, 273 days = 39 weeks later: W40, which runs to Friday 4 Dey (2026-12-25).
    expect(weekdayIndex(persian(1405, 1, 1))).toBe(0);
    expect(weekdayIndex(persian(1405, 9, 30))).toBe(2); // a Monday
    const spans = bucketsOf(
      { from: new Date('2026-12-24T20:30:00Z'), to: new Date('2026-12-26T20:30:00Z') },
      'week',
      TEHRAN,
    );
    // Friday 4 Dey is the last day of W40; Saturday 5 Dey starts W41. The range clips both.
    expect(iso(spans)).toEqual([
      ['1405-W40', '2026-12-24T20:30:00.000Z', '2026-12-25T20:30:00.000Z'],
      ['1405-W41', '2026-12-25T20:30:00.000Z', '2026-12-26T20:30:00.000Z'],
    ]);
    // A whole week: 28 Azar 00:00 to 5 Dey 00:00.
    const whole = bucketsOf(
      { from: new Date('2026-12-18T20:30:00Z'), to: new Date('2026-12-25T20:30:00Z') },
      'week',
      TEHRAN,
    );
    expect(iso(whole)).toEqual([['1405-W40', '2026-12-18T20:30:00.000Z', '2026-12-25T20:30:00.000Z']]);
  });

  it('labels the week across Nowruz by the new year (its Friday is in Farvardin)', () => {
    // 1 Farvardin 1404 = Friday 2025-03-21: its week began Saturday 25 Esfand 1403 (a leap
    // year: Esfand has 30 days).
    expect(weekdayIndex(persian(1404, 1, 1))).toBe(6);
    expect(bucketLabel(persian(1403, 12, 25), 'week')).toBe('1404-W01');
    // The week before (Saturday 18 to Friday 24 Esfand 1403) is 1403's last. 1 Farvardin 1403 =
    // Wednesday 2024-03-20, so 1403-W01 began Saturday 2024-03-16; 2025-03-08 is 357 days =
    // 51 weeks later: W52.
    expect(bucketLabel(persian(1403, 12, 18), 'week')).toBe('1403-W52');
  });

  it('splits months at Jalali month starts, Nowruz included', () => {
    // Esfand 1404 has 29 days: 1 Esfand = 2026-02-20, 1 Farvardin 1405 = 2026-03-21.
    const spans = bucketsOf(
      { from: new Date('2026-02-19T20:30:00Z'), to: new Date('2026-04-20T20:30:00Z') },
      'month',
      TEHRAN,
    );
    expect(iso(spans)).toEqual([
      ['1404-12', '2026-02-19T20:30:00.000Z', '2026-03-20T20:30:00.000Z'],
      ['1405-01', '2026-03-20T20:30:00.000Z', '2026-04-20T20:30:00.000Z'],
    ]);
    // 30 Azar → 1 Dey 1405.
    const winter = bucketsOf(
      { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') },
      'month',
      TEHRAN,
    );
    expect(iso(winter)).toEqual([
      ['1405-09', '2026-12-01T00:00:00.000Z', '2026-12-21T20:30:00.000Z'],
      ['1405-10', '2026-12-21T20:30:00.000Z', '2027-01-01T00:00:00.000Z'],
    ]);
  });

  it('follows the 2022 offset change: +04:30 summers end, a 25-hour day, and a 23-hour Nowruz day', () => {
    // 30 Shahrivar 1401 (2022-09-21) began at 00:00 +04:30 and its clocks went back at 24:00.
    const autumn = bucketsOf(
      { from: new Date('2022-09-20T19:30:00Z'), to: new Date('2022-09-22T20:30:00Z') },
      'day',
      TEHRAN,
    );
    expect(iso(autumn)).toEqual([
      ['1401-06-30', '2022-09-20T19:30:00.000Z', '2022-09-21T20:30:00.000Z'], // 25 hours
      ['1401-06-31', '2022-09-21T20:30:00.000Z', '2022-09-22T20:30:00.000Z'],
    ]);
    // 2 Farvardin 1401 (2022-03-22): midnight did not exist (00:00 → 01:00 +04:30).
    const spring = bucketsOf(
      { from: new Date('2022-03-20T20:30:00Z'), to: new Date('2022-03-22T19:30:00Z') },
      'day',
      TEHRAN,
    );
    expect(iso(spring)).toEqual([
      ['1401-01-01', '2022-03-20T20:30:00.000Z', '2022-03-21T20:30:00.000Z'],
      ['1401-01-02', '2022-03-21T20:30:00.000Z', '2022-03-22T19:30:00.000Z'], // 23 hours
    ]);
    // A month bucket across the change keeps both offsets: Shahrivar starts +04:30, Mehr +03:30.
    const months = bucketsOf(
      { from: new Date('2022-08-22T19:30:00Z'), to: new Date('2022-10-22T20:30:00Z') },
      'month',
      TEHRAN,
    );
    expect(iso(months)).toEqual([
      ['1401-06', '2022-08-22T19:30:00.000Z', '2022-09-22T20:30:00.000Z'],
      ['1401-07', '2022-09-22T20:30:00.000Z', '2022-10-22T20:30:00.000Z'],
    ]);
  });

  it('reads ISO dates as whole days of the zone and instants as given', () => {
    expect(boundInstant('2026-12-21', 'from', TEHRAN).toISOString()).toBe('2026-12-20T20:30:00.000Z');
    expect(boundInstant('2026-12-21', 'to', TEHRAN).toISOString()).toBe('2026-12-21T20:30:00.000Z');
    expect(boundInstant('2026-12-21T10:00:00+03:30', 'to', TEHRAN).toISOString()).toBe(
      '2026-12-21T06:30:00.000Z',
    );
  });
});
