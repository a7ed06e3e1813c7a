import {
  CalendarDaySchema,
  CalendarListSchema,
  CalendarSchema,
  type CalendarTemplate,
  HolidaysReplySchema,
  ImportHolidaysReplySchema,
  type Interval,
  OpeningSchema,
  type WeeklyHours,
} from '@abrik/protocol';
import { z } from 'zod';
import type { ApiClient } from './client.js';

const CalendarDayListSchema = z.object({ items: z.array(CalendarDaySchema) });

/** Business calendars and the bundled holidays (admins write, supervisors read). */
export function calendars(api: ApiClient) {
  return api.request('GET', '/api/v1/support/calendars', { schema: CalendarListSchema });
}

export function createCalendar(
  api: ApiClient,
  body: { name: string; timeZone?: string; template?: CalendarTemplate; weekly?: WeeklyHours },
) {
  return api.request('POST', '/api/v1/support/calendars', { body, schema: CalendarSchema });
}

export function updateCalendar(
  api: ApiClient,
  id: string,
  body: { name?: string; timeZone?: string; weekly?: WeeklyHours },
) {
  return api.request('PATCH', `/api/v1/support/calendars/${id}`, { body, schema: CalendarSchema });
}

export function deleteCalendar(api: ApiClient, id: string) {
  return api.request('DELETE', `/api/v1/support/calendars/${id}`, { schema: undefined });
}

/** The dated days between two local dates (`YYYY-MM-DD`, Gregorian), both included. */
export function calendarDays(api: ApiClient, id: string, range: { from: string; to: string }) {
  return api.request('GET', `/api/v1/support/calendars/${id}/days`, {
    query: range,
    schema: CalendarDayListSchema,
  });
}

/** A day set by hand: closed, open as every week, or other hours. It wins over every import. */
export function setCalendarDay(
  api: ApiClient,
  id: string,
  date: string,
  body: { kind: 'closed' | 'open' | 'hours'; hours?: Interval[]; label?: string },
) {
  return api.request('PUT', `/api/v1/support/calendars/${id}/days/${date}`, {
    body,
    schema: CalendarDaySchema,
  });
}

/** Removes a day set by hand (an imported holiday on that date comes back). */
export function clearCalendarDay(api: ApiClient, id: string, date: string) {
  return api.request('DELETE', `/api/v1/support/calendars/${id}/days/${date}`, { schema: undefined });
}

export function importHolidays(api: ApiClient, id: string, year: number) {
  return api.request('POST', `/api/v1/support/calendars/${id}/holidays/import`, {
    body: { year },
    schema: ImportHolidaysReplySchema,
  });
}

/** The bundled holidays of a Jalali year (default: this one), and which years the dataset has. */
export function holidays(api: ApiClient, year?: number) {
  return api.request('GET', '/api/v1/support/holidays', { query: { year }, schema: HolidaysReplySchema });
}

/** Whether an inbox is open now and when it opens next (anyone signed in). */
export function inboxOpening(api: ApiClient, inboxId: string) {
  return api.request('GET', `/api/v1/support/inboxes/${inboxId}/opening`, { schema: OpeningSchema });
}
