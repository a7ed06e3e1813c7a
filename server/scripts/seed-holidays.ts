/**
 * Writes server/src/modules/support/hours/holidays.ir.json — the Iranian public holidays the
 * server bundles — from the `date-holidays` library (country IR), for a range of Jalali years.
 *
 *   npm run holidays:seed               # Jalali years 1405 through 1409
 *   npm run holidays:seed -- 1405 1412  # first and last Jalali year
 *
 * Refresh it after `npm update date-holidays` or before the last year runs out (`abrik doctor`
 * warns): run it, read the diff (dates, labels), commit the JSON. The server reads only the JSON;
 * the library is a development dependency. Rerunning with the same library and years changes
 * nothing (generatedAt is kept while the content is the same).
 *
 * Each day: the Tehran local date (lunar holidays start at the previous day's sunset in the
 * library; the day off is the next day, which is what is written), its Jalali date, the Persian
 * label normalised (NFKC for the Arabic presentation forms the library has, Arabic ي/ك/ى to
 * Persian ی/ک), the English label, and `tentative` for lunar (Hijri) holidays, which the official
 * calendar may move by a day. Holidays on the same date are one entry with both labels.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  CalendarDate,
  fromAbsolute,
  GregorianCalendar,
  PersianCalendar,
  toCalendar,
  toCalendarDate,
} from '@internationalized/date';
import Holidays from 'date-holidays';

const OUT = new URL('../src/modules/support/hours/holidays.ir.json', import.meta.url);
const TIME_ZONE = 'Asia/Tehran';
const [first = 1405, last = 1409] = process.argv.slice(2).map(Number);
if (!Number.isInteger(first) || !Number.isInteger(last) || first > last || first < 1300 || last > 1500) {
  throw new Error('usage: seed-holidays [firstJalaliYear lastJalaliYear], e.g. 1405 1409');
}

const PERSIAN_MONTHS = [
  'Farvardin',
  'Ordibehesht',
  'Khordad',
  'Tir',
  'Mordad',
  'Shahrivar',
  'Mehr',
  'Aban',
  'Azar',
  'Dey',
  'Bahman',
  'Esfand',
];
const HIJRI_MONTHS = [
  'Muharram',
  'Safar',
  'Rabi al-awwal',
  'Rabi al-thani',
  'Jumada al-awwal',
  'Jumada al-thani',
  'Rajab',
  'Shaban',
  'Ramadan',
  'Shawwal',
  'Dhu al-Qidah',
  'Dhu al-Hijjah',
];

/** Solar (Jalali, fixed) or lunar (Hijri, moves); a rule of another kind stops the script. */
function calendarOf(rule: string): 'solar' | 'lunar' {
  const month = /^\d+ (.+)$/.exec(rule)?.[1] ?? '';
  if (PERSIAN_MONTHS.includes(month)) return 'solar';
  if (HIJRI_MONTHS.includes(month)) return 'lunar';
  throw new Error(`date-holidays rule "${rule}" is neither a Jalali nor a Hijri date: update this script`);
}

/** Standard Persian letters: NFKC, then Arabic yeh/kaf/alef maksura to Persian, spaces tidied. */
function normalisePersian(text: string): string {
  return (
    text
      .normalize('NFKC')
      .replace(/[يى]/g, 'ی')
      .replace(/ك/g, 'ک')
      // The library writes ا before the ligature ﷲ, which NFKC spells out as الله.
      .replace(/االله/g, 'الله')
      // Words the presentation forms ran together: a zero-width non-joiner, as written elsewhere.
      .replace(/علیه(?=السلام)/g, 'علیه\u200c')
      .replace(/عجل(?=الله)/g, 'عجل\u200c')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const persian = new PersianCalendar();
const gregorian = new GregorianCalendar();
const jalaliOf = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return toCalendar(new CalendarDate(y, m, d), persian);
};
const iso = (d: CalendarDate) =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

interface Day {
  date: string;
  jalali: string;
  label: string;
  labelEn: string;
  tentative: boolean;
}

const library = new Holidays('IR', { timezone: TIME_ZONE, types: ['public'] });
const years: Record<string, Day[]> = {};
for (let year = first; year <= last; year++) {
  const start = toCalendar(new CalendarDate(persian, year, 1, 1), gregorian);
  const byDate = new Map<string, { fa: string; en: string; lunar: boolean }[]>();
  for (const gregorianYear of new Set([start.year, start.year + 1])) {
    const english = library.getHolidays(gregorianYear, 'en');
    for (const holiday of library.getHolidays(gregorianYear, 'fa')) {
      if (holiday.type !== 'public') continue;
      // The day off: the Tehran date of its last moment (a lunar day starts at 18:00 the day before).
      const date = toCalendarDate(fromAbsolute(holiday.end.getTime() - 1, TIME_ZONE)).toString();
      if (date !== holiday.date.slice(0, 10)) {
        throw new Error(`${holiday.rule} ${holiday.date}: ends on ${date}; the library changed its dates`);
      }
      if (jalaliOf(date).year !== year) continue;
      const en = english.find((h) => h.rule === holiday.rule && h.date === holiday.date)?.name;
      const entries = byDate.get(date) ?? [];
      entries.push({
        fa: normalisePersian(holiday.name),
        en: (en ?? holiday.name).trim(),
        lunar: calendarOf(holiday.rule) === 'lunar',
      });
      byDate.set(date, entries);
    }
  }
  years[String(year)] = [...byDate]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, entries]) => {
      // Solar first; a date that also holds a solar holiday is off whatever the moon does.
      const sorted = entries.sort((a, b) => Number(a.lunar) - Number(b.lunar));
      return {
        date,
        jalali: iso(jalaliOf(date)),
        label: [...new Set(sorted.map((e) => e.fa))].join('، '),
        labelEn: [...new Set(sorted.map((e) => e.en))].join('; '),
        tentative: sorted.every((e) => e.lunar),
      };
    });
}

const { version } = createRequire(import.meta.url)('date-holidays/package.json') as { version: string };
const content = { source: 'date-holidays (country IR, public holidays)', version, years };
let generatedAt = new Date().toISOString();
try {
  const previous = JSON.parse(readFileSync(OUT, 'utf8')) as { generatedAt: string } & typeof content;
  const { generatedAt: before, ...rest } = previous;
  if (JSON.stringify(rest) === JSON.stringify(content)) generatedAt = before;
} catch {
  // no dataset yet
}
const { years: _, ...header } = content;
writeFileSync(OUT, `${JSON.stringify({ ...header, generatedAt, years }, null, 2)}\n`);
const counts = Object.entries(years).map(([y, days]) => `${y}: ${days.length}`);
process.stdout.write(`wrote ${OUT.pathname} (date-holidays ${version}; ${counts.join(', ')})\n`);
