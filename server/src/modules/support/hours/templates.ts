import type { CalendarTemplate, Interval, WeeklyHours } from '@abrik/protocol';

const day = (...intervals: Array<[string, string]>): Interval[] =>
  intervals.map(([from, to]) => ({ from, to }));

/**
 * The starting hours an admin picks from. Iran's weekend is Friday, and Thursday afternoon (or
 * all Thursday) off is common and changing by law, so both are offered and every day stays
 * editable.
 */
export const CALENDAR_TEMPLATE_HOURS: Record<CalendarTemplate, WeeklyHours> = {
  /** Sat–Wed 08:00–17:00, Thu 08:00–13:00, Fri closed (the default). */
  iran_standard: {
    sat: day(['08:00', '17:00']),
    sun: day(['08:00', '17:00']),
    mon: day(['08:00', '17:00']),
    tue: day(['08:00', '17:00']),
    wed: day(['08:00', '17:00']),
    thu: day(['08:00', '13:00']),
    fri: [],
  },
  /** Sat–Wed 08:00–17:00; Thursday and Friday closed. */
  iran_thursday_off: {
    sat: day(['08:00', '17:00']),
    sun: day(['08:00', '17:00']),
    mon: day(['08:00', '17:00']),
    tue: day(['08:00', '17:00']),
    wed: day(['08:00', '17:00']),
    thu: [],
    fri: [],
  },
  /** Open all day, every day. */
  always_open: {
    sat: day(['00:00', '24:00']),
    sun: day(['00:00', '24:00']),
    mon: day(['00:00', '24:00']),
    tue: day(['00:00', '24:00']),
    wed: day(['00:00', '24:00']),
    thu: day(['00:00', '24:00']),
    fri: day(['00:00', '24:00']),
  },
};
