import type { Executor } from '../../../platform/db/client.js';
import { type CheckOutcome, ok, warn } from '../../ops/doctor/doctor.js';
import { CalendarRepository } from './calendar.repository.js';
import { addDays, datasetYears, holidaysOf, jalaliYearOf, jalaliYearRange, localDateOf } from './holidays.js';

/** How far ahead `abrik doctor` looks for tentative holidays and the next year's Nowruz. */
export const HOLIDAY_LOOKAHEAD_DAYS = 60;
const ZONE = 'Asia/Tehran';

/**
 * The `support.holidays` doctor check: for each calendar an inbox uses, the lunar (tentative)
 * holidays of the next 60 days, to confirm against the official calendar, and the Jalali years
 * that have no holidays in it (the current one; the next one from 60 days before its Nowruz);
 * and whether the bundled dataset has those years at all.
 */
export async function holidaysOutlook(db: Executor, now: number): Promise<CheckOutcome> {
  const calendars = new CalendarRepository(db);
  const warnings: string[] = [];
  const fixes = new Set<string>();

  const wanted = yearsWanted(localDateOf(now, ZONE));
  const missing = wanted.filter((year) => !holidaysOf(year));
  if (missing.length > 0) {
    const years = datasetYears();
    warnings.push(
      `the bundled holiday dataset has no ${missing.join(' or ')} (it has ${years.length > 0 ? `${years[0]}–${years.at(-1)}` : 'none'})`,
    );
    fixes.add('refresh the dataset (`npm run holidays:seed`, review, commit) and release');
  }

  const inUse = await calendars.inUse();
  for (const calendar of inUse) {
    const today = localDateOf(now, calendar.timeZone);
    const name = `"${calendar.name}" (${calendar.inboxNames.join(', ')})`;
    const tentative = (
      await calendars.days(calendar.id, { from: today, to: addDays(today, HOLIDAY_LOOKAHEAD_DAYS) })
    )
      .filter((d) => d.tentative && d.kind === 'closed')
      .map((d) => `${d.date} ${d.label}`);
    if (tentative.length > 0) {
      warnings.push(`${name}: tentative lunar holidays ahead: ${tentative.join(', ')}`);
      fixes.add(
        'confirm each against the official calendar and set it by hand (PUT /api/v1/support/calendars/:id/days/:date: closed, or open if it moved)',
      );
    }
    const empty: number[] = [];
    for (const year of yearsWanted(today)) {
      if ((await calendars.days(calendar.id, jalaliYearRange(year))).length === 0) empty.push(year);
    }
    if (empty.length > 0) {
      warnings.push(`${name}: no holidays for ${empty.join(' and ')}`);
      fixes.add('import the year (POST /api/v1/support/calendars/:id/holidays/import {"year": …})');
    }
  }

  if (warnings.length > 0) return warn(warnings.join('; '), [...fixes].join('; '));
  return ok(
    inUse.length === 0
      ? `no inbox has a calendar (open always); the dataset has ${wanted.join(' and ')}`
      : `${inUse.length} calendar(s) in use have their holidays, none tentative in the next ${HOLIDAY_LOOKAHEAD_DAYS} days`,
  );
}

/** The current Jalali year, and the next one once its Nowruz is within the lookahead. */
function yearsWanted(today: string): number[] {
  const year = jalaliYearOf(today);
  const nextNowruz = jalaliYearRange(year + 1).from;
  return nextNowruz <= addDays(today, HOLIDAY_LOOKAHEAD_DAYS) ? [year, year + 1] : [year];
}
