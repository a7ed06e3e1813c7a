import { describe, expect, it } from 'vitest';
import { BusinessCalendar, type CalendarSpec } from './calendar.js';
import { describeOpening } from './opening-text.js';
import { CALENDAR_TEMPLATE_HOURS } from './templates.js';

const TEHRAN = 'Asia/Tehran';
const at = (iso: string) => new Date(iso);
const closedDays = (...dates: string[]): CalendarSpec['days'] =>
  dates.map((date) => ({ date, kind: 'closed', hours: [] }));
const standard = (days: CalendarSpec['days'] = []) =>
  BusinessCalendar.of({ timeZone: TEHRAN, weekly: CALENDAR_TEMPLATE_HOURS.iran_standard, days });
/** The opening a customer writing at `now` is told of, in both languages. */
const told = (calendar: BusinessCalendar, now: Date) => {
  const next = calendar.nextOpen(now)!;
  return [
    describeOpening(next, now, calendar.timeZone, 'fa'),
    describeOpening(next, now, calendar.timeZone, 'en'),
  ];
};

describe(describeOpening.name, () => {
  it('tells a customer writing on Thursday evening that we open Saturday at 8', () => {
    // Thursday 2026-12-10 16:30 Tehran; Friday is the weekend.
    expect(told(standard(), at('2026-12-10T13:00:00Z'))).toEqual(['شنبه ساعت ۸ صبح', 'Saturday at 8 AM']);
  });

  it('tells a customer writing before Nowruz (1–4 Farvardin closed) the weekday after it', () => {
    // Saturday 29 Esfand 1405 17:00; Sunday to Wednesday are 1–4 Farvardin 1406.
    const nowruz = standard(closedDays('2027-03-21', '2027-03-22', '2027-03-23', '2027-03-24'));
    expect(told(nowruz, at('2027-03-20T13:30:00Z'))).toEqual(['پنجشنبه ساعت ۸ صبح', 'Thursday at 8 AM']);
  });

  it('adds the Jalali day and month when the opening is a week or more away: the whole Nowruz break closed', () => {
    // Thursday 27 Esfand 1405 14:00; closed from 29 Esfand to 13 Farvardin 1406 (2027-04-02).
    const dates = Array.from({ length: 14 }, (_, i) =>
      new Date(Date.UTC(2027, 2, 20 + i)).toISOString().slice(0, 10),
    );
    const calendar = standard(closedDays(...dates));
    expect(told(calendar, at('2027-03-18T10:30:00Z'))).toEqual([
      'شنبه ۱۴ فروردین ساعت ۸ صبح',
      'Saturday 14 Farvardin at 8 AM',
    ]);
  });

  it('gives the weekday alone up to 6 days ahead and the date from 7 days', () => {
    const now = at('2027-03-30T05:00:00Z'); // Tuesday 10 Farvardin 1406, 08:30
    const sixDays = at('2027-04-05T04:30:00Z'); // Monday 08:00
    const sevenDays = at('2027-04-06T04:30:00Z'); // Tuesday 17 Farvardin 08:00
    expect(describeOpening(sixDays, now, TEHRAN, 'fa')).toBe('دوشنبه ساعت ۸ صبح');
    expect(describeOpening(sixDays, now, TEHRAN, 'en')).toBe('Monday at 8 AM');
    expect(describeOpening(sevenDays, now, TEHRAN, 'fa')).toBe('سه\u200cشنبه ۱۷ فروردین ساعت ۸ صبح');
    expect(describeOpening(sevenDays, now, TEHRAN, 'en')).toBe('Tuesday 17 Farvardin at 8 AM');
  });

  it('says today for a later opening the same day', () => {
    // Saturday 06:30, opening at 08:00.
    expect(told(standard(), at('2026-12-12T03:00:00Z'))).toEqual(['امروز ساعت ۸ صبح', 'today at 8 AM']);
    // A shortened day opening at 14:00, asked at 09:00.
    const afternoon = standard([
      { date: '2026-12-12', kind: 'hours', hours: [{ from: '14:00', to: '17:00' }] },
    ]);
    expect(told(afternoon, at('2026-12-12T05:30:00Z'))).toEqual(['امروز ساعت ۲ بعدازظهر', 'today at 2 PM']);
  });

  it('says tomorrow, with the minutes when the opening is not on the hour', () => {
    const calendar = standard([
      { date: '2026-12-13', kind: 'hours', hours: [{ from: '08:30', to: '17:00' }] },
    ]);
    // Saturday 18:00 to Sunday 08:30.
    expect(told(calendar, at('2026-12-12T14:30:00Z'))).toEqual(['فردا ساعت ۸:۳۰ صبح', 'tomorrow at 8:30 AM']);
  });

  it('counts days by the local date: 23:59 Saturday to 00:30 Sunday Tehran is tomorrow, though both are the same UTC date', () => {
    const now = at('2026-12-12T20:29:00Z');
    const next = at('2026-12-12T21:00:00Z');
    expect(describeOpening(next, now, TEHRAN, 'fa')).toBe('فردا ساعت ۱۲:۳۰ بامداد');
    expect(describeOpening(next, now, TEHRAN, 'en')).toBe('tomorrow at 12:30 AM');
  });

  it.each([
    ['2026-12-11T20:30:00Z', 'امروز ساعت ۱۲ بامداد', 'today at 12 AM'], // 00:00
    ['2026-12-12T00:30:00Z', 'امروز ساعت ۴ بامداد', 'today at 4 AM'],
    ['2026-12-12T01:30:00Z', 'امروز ساعت ۵ صبح', 'today at 5 AM'],
    ['2026-12-12T08:30:00Z', 'امروز ساعت ۱۲ ظهر', 'today at 12 PM'],
    ['2026-12-12T09:45:00Z', 'امروز ساعت ۱:۱۵ بعدازظهر', 'today at 1:15 PM'],
    ['2026-12-12T12:30:00Z', 'امروز ساعت ۴ عصر', 'today at 4 PM'],
    ['2026-12-12T15:15:00Z', 'امروز ساعت ۶:۴۵ عصر', 'today at 6:45 PM'],
    ['2026-12-12T15:30:00Z', 'امروز ساعت ۷ شب', 'today at 7 PM'],
    ['2026-12-12T19:35:00Z', 'امروز ساعت ۱۱:۰۵ شب', 'today at 11:05 PM'],
  ])('names the part of the day of an opening at %s: %s / %s', (next, fa, en) => {
    const now = at('2026-12-11T20:30:00Z'); // Saturday 00:00 Tehran
    expect(describeOpening(at(next), now, TEHRAN, 'fa')).toBe(fa);
    expect(describeOpening(at(next), now, TEHRAN, 'en')).toBe(en);
  });

  it('writes Persian with Persian digits and standard Persian letters only', () => {
    const text = describeOpening(at('2027-04-04T05:00:00Z'), at('2027-03-18T10:30:00Z'), TEHRAN, 'fa');
    expect(text).toBe('یکشنبه ۱۵ فروردین ساعت ۸:۳۰ صبح');
    expect(text).not.toMatch(/[0-9\u0660-\u0669\u064a\u0643]/); // Latin or Arabic digits, Arabic yeh or kaf
  });

  it('reads the hour through the time zone database: 03:30Z was 08:00 in Tehran in summer 2022, and 09:00 in Berlin is 07:00Z in summer', () => {
    // Thursday 2022-06-30 evening to Saturday 2022-07-02 08:00 (+04:30).
    expect(describeOpening(at('2022-07-02T03:30:00Z'), at('2022-06-30T14:00:00Z'), TEHRAN, 'fa')).toBe(
      'شنبه ساعت ۸ صبح',
    );
    expect(
      describeOpening(at('2026-03-30T07:00:00Z'), at('2026-03-27T16:00:00Z'), 'Europe/Berlin', 'en'),
    ).toBe('Monday at 9 AM');
  });
});
