import { describe, expect, it } from 'vitest';
import { datasetYears, HOLIDAY_SOURCE, holidaysOf, jalaliYearOf, jalaliYearRange } from './holidays.js';

/** The Jalali dates of the solar (fixed) public holidays; every other entry is lunar. */
const SOLAR = ['01-01', '01-02', '01-03', '01-04', '01-12', '01-13', '03-14', '03-15', '11-22', '12-29'];

/** The Jalali date of a Gregorian one, as `Intl` (ICU) reads it: a second, independent converter. */
const intlJalali = (date: string) => {
  const parts = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', {
    timeZone: 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(`${date}T12:00:00Z`));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
};

describe('the bundled Iranian holidays (holidays.ir.json)', () => {
  it('has the Jalali years 1405 through 1409 and says where it comes from', () => {
    expect(datasetYears()).toEqual(expect.arrayContaining([1405, 1406, 1407, 1408, 1409]));
    expect(HOLIDAY_SOURCE.source).toContain('date-holidays');
    expect(HOLIDAY_SOURCE.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(holidaysOf(1300)).toBeUndefined();
  });

  it('puts Nowruz on the right Gregorian dates', () => {
    const nowruz = (year: number) =>
      holidaysOf(year)!
        .filter((h) => /^\d{4}-01-0[1-4]$/.test(h.jalali))
        .map((h) => h.date);
    expect(nowruz(1405)).toEqual(['2026-03-21', '2026-03-22', '2026-03-23', '2026-03-24']);
    expect(nowruz(1406)).toEqual(['2027-03-21', '2027-03-22', '2027-03-23', '2027-03-24']);
    expect(nowruz(1407)).toEqual(['2028-03-20', '2028-03-21', '2028-03-22', '2028-03-23']);
    expect(nowruz(1408)[0]).toBe('2029-03-20');
    expect(nowruz(1409)[0]).toBe('2030-03-21');
    expect(jalaliYearRange(1405)).toEqual({ from: '2026-03-21', to: '2027-03-20' });
    expect(jalaliYearRange(1408)).toEqual({ from: '2029-03-20', to: '2030-03-20' });
  });

  it.each([1405, 1406, 1407, 1408, 1409])('%i has every solar holiday, each on its Jalali date', (year) => {
    const days = holidaysOf(year)!;
    const jalali = days.map((h) => h.jalali);
    for (const monthDay of SOLAR) expect(jalali).toContain(`${year}-${monthDay}`);
    for (const day of days) {
      // Both converters agree, and the day belongs to the year.
      expect(intlJalali(day.date), day.date).toBe(day.jalali);
      expect(jalaliYearOf(day.date)).toBe(year);
    }
    const range = jalaliYearRange(year);
    expect(days.every((d) => d.date >= range.from && d.date <= range.to)).toBe(true);
    // Sorted, one entry per date.
    expect(days.map((d) => d.date)).toEqual([...new Set(days.map((d) => d.date))].sort());
  });

  it('marks lunar holidays tentative and solar ones not (a date with both is certain)', () => {
    for (const year of datasetYears()) {
      for (const day of holidaysOf(year)!) {
        const solar = SOLAR.includes(day.jalali.slice(5));
        expect({ date: day.date, tentative: day.tentative }).toEqual({ date: day.date, tentative: !solar });
      }
      // Every year has lunar holidays (about sixteen), all tentative.
      expect(holidaysOf(year)!.filter((d) => d.tentative).length).toBeGreaterThan(10);
    }
  });

  it('writes labels in standard Persian letters: no presentation forms, no Arabic ي or ك', () => {
    for (const year of datasetYears()) {
      for (const day of holidaysOf(year)!) {
        expect(day.label, day.date).not.toMatch(/[\uFB50-\uFDFF\uFE70-\uFEFF]/);
        expect(day.label, day.date).not.toMatch(/[يكى]/);
        expect(day.label, day.date).toBe(day.label.normalize('NFKC'));
        expect(day.label, day.date).toMatch(/^[\u0600-\u06FF\u200c ،]+$/);
        expect(day.labelEn, day.date).toMatch(/^[\x20-\x7E]+$/);
      }
    }
    const nowruz = holidaysOf(1406)!.find((d) => d.jalali === '1406-01-01')!;
    expect(nowruz).toMatchObject({ label: 'نوروز', labelEn: 'Nowruz', tentative: false });
    const khomeini = holidaysOf(1406)!.find((d) => d.jalali === '1406-03-14')!;
    expect(khomeini.label).toBe('رحلت امام خمینی');
  });

  it('has no entry for a Friday as such: every entry is a named holiday', () => {
    // Fridays are the weekly hours' business; a holiday that falls on one is kept (a calendar
    // may be open on Fridays), but nothing is listed for being a Friday.
    for (const year of datasetYears()) {
      for (const day of holidaysOf(year)!) {
        expect(day.label.trim()).not.toBe('');
        expect(day.labelEn).not.toMatch(/friday|weekend/i);
        expect(day.label).not.toMatch(/جمعه|تعطیل آخر هفته/);
      }
      const fridays = holidaysOf(year)!.filter((d) => new Date(`${d.date}T12:00:00Z`).getUTCDay() === 5);
      expect(fridays.length).toBeLessThan(10);
    }
  });
});
