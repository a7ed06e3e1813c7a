import type { Calendar, CalendarDay } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor } from '../src/cli/doctor.js';
import type { CheckResult } from '../src/modules/ops/doctor/doctor.js';
import { BusinessCalendar } from '../src/modules/support/hours/calendar.js';
import { holidaysOf } from '../src/modules/support/hours/holidays.js';
import { CALENDAR_TEMPLATE_HOURS } from '../src/modules/support/hours/templates.js';
import { queryRows } from '../src/platform/db/client.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';

/**
 * Business calendars over HTTP: templates, who may read and write them, dated days, the import
 * of a Jalali year of holidays and how it meets days set by hand, an inbox's calendar and what
 * its customers are told (on a clock the test moves), and bad input of every kind.
 */

/** Access tokens that outlive the clock's moves into 2027 (the app's clock is the test's). */
const LONG_TOKENS = { JWT_ACCESS_TTL_SECONDS: String(4 * 365 * 86_400) };

const isoAt = (iso: string) => new Date(iso).getTime();

describe.each(BACKENDS)('business calendars on %s', (backend) => {
  let desk: Desk;
  let offset = 0;
  let admin: Person;
  let supervisor: Person;
  let agent: Person;
  let customer: Person;

  beforeAll(async () => {
    desk = await startDesk({ backend, now: () => Date.now() + offset, env: LONG_TOKENS });
    admin = await desk.person('admin', 'Admin');
    supervisor = await desk.person('supervisor', 'Lead');
    agent = await desk.person('agent', 'Agent');
    customer = await desk.person('customer', 'Customer');
  });
  afterAll(async () => {
    await desk?.close();
  });

  /** Moves the app's clock to a moment (the tokens above stay valid). */
  const clockAt = (iso: string) => {
    offset = isoAt(iso) - Date.now();
  };
  const call = (who: Person | undefined, method: string, path: string, body?: unknown) =>
    desk.t.request(method, `/api/v1/support${path}`, {
      ...(who ? { token: who.token } : {}),
      ...(body !== undefined ? { body } : {}),
    });
  const created = async (body: object): Promise<Calendar> => {
    const reply = await call(admin, 'POST', '/calendars', body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body;
  };
  const daysOf = async (id: string, from: string, to: string): Promise<CalendarDay[]> => {
    const reply = await call(admin, 'GET', `/calendars/${id}/days?from=${from}&to=${to}`);
    expect(reply.status).toBe(200);
    return reply.body.items;
  };
  const events = (calendarId: string) =>
    queryRows<{ type: string; actor_id: string; payload: Record<string, unknown> }>(
      desk.t.app.database.db,
      sql`select type, actor_id, payload from domain_events where subject = ${`calendar:${calendarId}`} order by id`,
    );

  it('creates a calendar from each template; given weekly hours win; the zone is Tehran unless named', async () => {
    const standard = await created({ name: 'Standard' });
    expect(standard).toMatchObject({
      name: 'Standard',
      timeZone: 'Asia/Tehran',
      weekly: CALENDAR_TEMPLATE_HOURS.iran_standard,
      days: [],
      inboxIds: [],
    });
    expect(standard.weekly.thu).toEqual([{ from: '08:00', to: '13:00' }]);
    expect(standard.weekly.fri).toEqual([]);
    const thursdayOff = await created({ name: 'Thursdays off', template: 'iran_thursday_off' });
    expect(thursdayOff.weekly).toEqual(CALENDAR_TEMPLATE_HOURS.iran_thursday_off);
    expect(thursdayOff.weekly.thu).toEqual([]);
    const always = await created({ name: '24/7', template: 'always_open', timeZone: 'asia/tehran' });
    expect(always.weekly.fri).toEqual([{ from: '00:00', to: '24:00' }]);
    expect(always.timeZone).toBe('Asia/Tehran');
    const night = {
      ...CALENDAR_TEMPLATE_HOURS.iran_thursday_off,
      fri: [{ from: '22:00', to: '06:00' }],
    };
    const custom = await created({
      name: 'Night shift',
      template: 'always_open',
      weekly: night,
      timeZone: 'Europe/Berlin',
    });
    expect(custom).toMatchObject({ weekly: night, timeZone: 'Europe/Berlin' });

    const list = await call(supervisor, 'GET', '/calendars');
    expect(list.status).toBe(200);
    expect((list.body.items as Calendar[]).map((c) => c.id)).toEqual(
      expect.arrayContaining([standard.id, thursdayOff.id, always.id, custom.id]),
    );
    const [saved] = await events(custom.id);
    expect(saved).toMatchObject({
      type: 'support.calendar_saved',
      actor_id: admin.id,
      payload: { action: 'created', name: 'Night shift', timeZone: 'Europe/Berlin', template: null },
    });

    const changed = await call(admin, 'PATCH', `/calendars/${custom.id}`, {
      name: 'Night shift (new)',
      weekly: CALENDAR_TEMPLATE_HOURS.iran_standard,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Night shift (new)',
      timeZone: 'Europe/Berlin',
      weekly: CALENDAR_TEMPLATE_HOURS.iran_standard,
    });
    expect((await call(admin, 'DELETE', `/calendars/${custom.id}`)).status).toBe(204);
    expect((await call(admin, 'GET', `/calendars/${custom.id}`)).body.error.code).toBe('calendar/not_found');
    expect((await events(custom.id)).map((e) => [e.type, e.payload.action])).toEqual([
      ['support.calendar_saved', 'created'],
      ['support.calendar_saved', 'updated'],
      ['support.calendar_saved', 'deleted'],
    ]);
  });

  it('lets admins write, supervisors read, and neither agents nor customers in', async () => {
    const calendar = await created({ name: 'Permissions' });
    const id = calendar.id;
    const reads: [string, string][] = [
      ['GET', '/calendars'],
      ['GET', `/calendars/${id}`],
      ['GET', `/calendars/${id}/days?from=2027-01-01&to=2027-12-31`],
      ['GET', '/holidays?year=1406'],
    ];
    const writes: [string, string, unknown?][] = [
      ['POST', '/calendars', { name: 'Not theirs' }],
      ['PATCH', `/calendars/${id}`, { name: 'Renamed' }],
      ['PUT', `/calendars/${id}/days/2027-01-01`, { kind: 'closed' }],
      ['DELETE', `/calendars/${id}/days/2027-01-01`],
      ['POST', `/calendars/${id}/holidays/import`, { year: 1406 }],
      ['DELETE', `/calendars/${id}`],
    ];
    for (const [method, path] of reads) {
      expect([method, path, (await call(supervisor, method, path)).status]).toEqual([method, path, 200]);
    }
    for (const who of [agent, customer]) {
      for (const [method, path, body] of [...reads, ...writes]) {
        const reply = await call(who, method, path, body);
        expect([who.auth.user.role, method, path, reply.status, reply.body.error?.code]).toEqual([
          who.auth.user.role,
          method,
          path,
          403,
          'support/forbidden',
        ]);
      }
    }
    for (const [method, path, body] of writes) {
      const reply = await call(supervisor, method, path, body);
      expect([method, path, reply.status]).toEqual([method, path, 403]);
    }
    expect((await call(undefined, 'GET', '/calendars')).status).toBe(401);
    // Nothing changed.
    expect((await call(admin, 'GET', `/calendars/${id}`)).body).toMatchObject({
      name: 'Permissions',
      days: [],
    });
    expect(await events(id)).toHaveLength(1);
  });

  it('serves the bundled holidays of a year and the years it has', async () => {
    const reply = await call(supervisor, 'GET', '/holidays?year=1406');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      year: 1406,
      years: expect.arrayContaining([1405, 1406, 1407, 1408, 1409]),
      version: expect.any(String),
    });
    expect(reply.body.items).toEqual(holidaysOf(1406));
    expect(reply.body.items[0]).toEqual({
      date: '2027-03-21',
      jalali: '1406-01-01',
      label: 'نوروز',
      labelEn: 'Nowruz',
      tentative: false,
    });
    const missing = await call(supervisor, 'GET', '/holidays?year=1420');
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({
      code: 'calendar/no_holiday_data',
      details: { year: 1420, years: expect.arrayContaining([1406]) },
    });
  });

  it('imports a year twice: a day set by hand in between survives, and days gone from the dataset are removed', async () => {
    const calendar = await created({ name: 'Import' });
    const id = calendar.id;
    const year = holidaysOf(1406)!;
    const first = await call(admin, 'POST', `/calendars/${id}/holidays/import`, { year: 1406 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ year: 1406, imported: year.length, keptManual: 0, removed: 0 });
    const imported = await daysOf(id, '2027-03-21', '2028-03-19');
    expect(imported.map((d) => d.date)).toEqual(year.map((h) => h.date));
    const eid = imported.find((d) => d.date === '2027-05-16')!;
    expect(eid).toMatchObject({
      kind: 'closed',
      origin: 'dataset',
      tentative: true,
      label: 'عید سعید قربان',
      updatedBy: admin.id,
    });
    expect(imported.find((d) => d.date === '2027-03-21')).toMatchObject({ tentative: false, label: 'نوروز' });

    // An admin learns Eid al-Adha moved: they open the 16th by hand and close the 17th.
    const opened = await call(admin, 'PUT', `/calendars/${id}/days/2027-05-16`, {
      kind: 'open',
      label: 'moved to the 17th',
    });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      kind: 'open',
      origin: 'manual',
      tentative: false,
      updatedBy: admin.id,
    });
    const closed = await call(admin, 'PUT', `/calendars/${id}/days/2027-05-17`, {
      kind: 'closed',
      label: 'عید قربان',
    });
    expect(closed.body).toMatchObject({ kind: 'closed', origin: 'manual', label: 'عید قربان' });
    const shortDay = await call(admin, 'PUT', `/calendars/${id}/days/2027-06-01`, {
      kind: 'hours',
      hours: [{ from: '09:00', to: '12:00' }],
      label: 'inventory',
    });
    expect(shortDay.body).toMatchObject({ kind: 'hours', hours: [{ from: '09:00', to: '12:00' }] });
    // An older dataset had a holiday on 2027-07-01; another year's imported day is not this year's.
    await queryRows(
      desk.t.app.database.db,
      sql`insert into support_calendar_days (calendar_id, date, kind, label, origin, tentative)
          values (${id}, '2027-07-01', 'closed', 'old', 'dataset', true),
                 (${id}, '2028-03-25', 'closed', 'next year', 'dataset', false)`,
    );

    const again = await call(admin, 'POST', `/calendars/${id}/holidays/import`, { year: 1406 });
    expect(again.body).toEqual({ year: 1406, imported: year.length - 1, keptManual: 1, removed: 1 });
    const after = await daysOf(id, '2027-03-21', '2028-03-25');
    expect(after.find((d) => d.date === '2027-05-16')).toMatchObject({
      kind: 'open',
      origin: 'manual',
      label: 'moved to the 17th',
    });
    expect(after.find((d) => d.date === '2027-05-17')).toMatchObject({ kind: 'closed', origin: 'manual' });
    expect(after.find((d) => d.date === '2027-06-01')).toMatchObject({ kind: 'hours', origin: 'manual' });
    expect(after.find((d) => d.date === '2027-07-01')).toBeUndefined();
    expect(after.find((d) => d.date === '2028-03-25')).toMatchObject({ label: 'next year' });
    expect(after).toHaveLength(year.length + 3);
    // A third import finds nothing to remove.
    expect((await call(admin, 'POST', `/calendars/${id}/holidays/import`, { year: 1406 })).body).toEqual({
      year: 1406,
      imported: year.length - 1,
      keptManual: 1,
      removed: 0,
    });

    // Clearing the override brings the imported holiday back; clearing nothing is a 404.
    expect((await call(admin, 'DELETE', `/calendars/${id}/days/2027-05-16`)).status).toBe(204);
    expect((await daysOf(id, '2027-05-16', '2027-05-16'))[0]).toMatchObject({
      kind: 'closed',
      origin: 'dataset',
      tentative: true,
      label: 'عید سعید قربان',
    });
    expect((await call(admin, 'DELETE', `/calendars/${id}/days/2027-06-01`)).status).toBe(204);
    expect(await daysOf(id, '2027-06-01', '2027-06-01')).toEqual([]);
    const nothing = await call(admin, 'DELETE', `/calendars/${id}/days/2027-05-16`);
    expect([nothing.status, nothing.body.error.code]).toEqual([404, 'calendar/day_not_found']);

    // The audit trail: every write, by whom, in order.
    const trail = await events(id);
    expect(trail.map((e) => e.type)).toEqual([
      'support.calendar_saved',
      'support.holidays_imported',
      'support.calendar_day_set',
      'support.calendar_day_set',
      'support.calendar_day_set',
      'support.holidays_imported',
      'support.holidays_imported',
      'support.calendar_day_set',
      'support.calendar_day_set',
    ]);
    expect(trail.every((e) => e.actor_id === admin.id)).toBe(true);
    expect(trail[5]!.payload).toEqual({ year: 1406, imported: year.length - 1, keptManual: 1, removed: 1 });
    expect(trail[7]!.payload).toEqual({ date: '2027-05-16', kind: 'cleared', label: '' });

    // The calendar's view lists its days from today on.
    clockAt('2027-05-10T08:00:00Z');
    const view = (await call(supervisor, 'GET', `/calendars/${id}`)).body as Calendar;
    expect(view.days[0]!.date).toBe('2027-05-16');
    expect(view.days.every((d) => d.date >= '2027-05-10')).toBe(true);
    offset = 0;
  });

  it('tells anyone signed in whether an inbox is open: on a holiday, a Friday, by hand, and without a calendar', async () => {
    const calendar = await created({ name: 'Opening' });
    await call(admin, 'POST', `/calendars/${calendar.id}/holidays/import`, { year: 1406 });
    const { inboxId } = await desk.team(admin, [agent]);
    const opening = async () => {
      const reply = await call(customer, 'GET', `/inboxes/${inboxId}/opening`);
      expect(reply.status).toBe(200);
      return reply.body as { open: boolean; nextOpenAt: string | null; timeZone: string };
    };
    // No calendar: open always.
    clockAt('2027-03-22T06:30:00Z');
    expect(await opening()).toEqual({ open: true, nextOpenAt: null, timeZone: 'Asia/Tehran' });

    const set = await call(admin, 'PATCH', `/inboxes/${inboxId}`, { calendarId: calendar.id });
    expect(set.status).toBe(200);
    expect(set.body.calendarId).toBe(calendar.id);
    expect((await call(admin, 'GET', `/calendars/${calendar.id}`)).body.inboxIds).toEqual([inboxId]);

    // Monday 2 Farvardin 1406, 10:00 in Tehran: Nowruz until Wednesday; Thursday opens at 08:00.
    expect(await opening()).toEqual({
      open: false,
      nextOpenAt: '2027-03-25T04:30:00.000Z',
      timeZone: 'Asia/Tehran',
    });
    // The same answer as the calendar itself, from the same data.
    const days = await daysOf(calendar.id, '2027-03-01', '2027-04-30');
    const pure = BusinessCalendar.of({ timeZone: 'Asia/Tehran', weekly: calendar.weekly, days });
    expect(pure.nextOpen(new Date('2027-03-22T06:30:00Z'))?.toISOString()).toBe('2027-03-25T04:30:00.000Z');

    // Thursday closed by hand: this process's own write is seen at once (its cache is dropped).
    await call(admin, 'PUT', `/calendars/${calendar.id}/days/2027-03-25`, {
      kind: 'closed',
      label: 'bridge',
    });
    expect((await opening()).nextOpenAt).toBe('2027-03-27T04:30:00.000Z'); // Friday closed: Saturday 08:00

    // A Friday in April, 10:00: Saturday 08:00. Saturday 10:00: open.
    clockAt('2027-04-09T06:30:00Z');
    expect(await opening()).toMatchObject({ open: false, nextOpenAt: '2027-04-10T04:30:00.000Z' });
    clockAt('2027-04-10T06:30:00Z');
    expect(await opening()).toMatchObject({ open: true, nextOpenAt: null });
    // Thursday afternoon: the standard template closes at 13:00.
    clockAt('2027-04-08T10:00:00Z');
    expect(await opening()).toMatchObject({ open: false, nextOpenAt: '2027-04-10T04:30:00.000Z' });

    // A calendar in use cannot be deleted; once the inbox has none, it can, and the inbox is open always.
    const inUse = await call(admin, 'DELETE', `/calendars/${calendar.id}`);
    expect([inUse.status, inUse.body.error.code, inUse.body.error.details]).toEqual([
      409,
      'calendar/in_use',
      { inboxIds: [inboxId] },
    ]);
    expect(
      (await call(admin, 'PATCH', `/inboxes/${inboxId}`, { calendarId: null })).body.calendarId,
    ).toBeNull();
    expect(await opening()).toMatchObject({ open: true, nextOpenAt: null });
    expect((await call(admin, 'DELETE', `/calendars/${calendar.id}`)).status).toBe(204);

    const unknown = await call(customer, 'GET', '/inboxes/00000000-0000-4000-8000-000000000999/opening');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'support/inbox_not_found']);
    expect((await call(undefined, 'GET', `/inboxes/${inboxId}/opening`)).status).toBe(401);
    offset = 0;
  });

  it('answers bad input with an error code and changes nothing', async () => {
    const calendar = await created({ name: 'Bad input' });
    const id = calendar.id;
    const missing = '00000000-0000-4000-8000-000000000998';
    const cases: [string, string, unknown, number, string][] = [
      ['GET', `/calendars/${missing}`, undefined, 404, 'calendar/not_found'],
      ['PATCH', `/calendars/${missing}`, { name: 'x' }, 404, 'calendar/not_found'],
      ['DELETE', `/calendars/${missing}`, undefined, 404, 'calendar/not_found'],
      ['GET', `/calendars/${missing}/days`, undefined, 404, 'calendar/not_found'],
      ['PUT', `/calendars/${missing}/days/2027-01-01`, { kind: 'closed' }, 404, 'calendar/not_found'],
      ['DELETE', `/calendars/${missing}/days/2027-01-01`, undefined, 404, 'calendar/not_found'],
      ['POST', `/calendars/${missing}/holidays/import`, { year: 1406 }, 404, 'calendar/not_found'],
      ['GET', '/calendars/not-a-uuid', undefined, 400, 'validation/invalid'],
      ['POST', '/calendars', { name: 'Mars', timeZone: 'Mars/Olympus_Mons' }, 400, 'validation/invalid'],
      ['POST', '/calendars', { name: 'Offset', timeZone: '+03:30' }, 400, 'validation/invalid'],
      ['POST', '/calendars', { name: 'Template', template: 'iran_sunday' }, 400, 'validation/invalid'],
      ['POST', '/calendars', { name: '' }, 400, 'validation/invalid'],
      [
        'POST',
        '/calendars',
        { name: 'Hours', weekly: { ...calendar.weekly, sat: [{ from: '08:00', to: '25:00' }] } },
        400,
        'validation/invalid',
      ],
      [
        'PATCH',
        `/calendars/${id}`,
        { weekly: { ...calendar.weekly, sun: [{ from: '09:00', to: '09:00' }] } },
        400,
        'validation/invalid',
      ],
      ['PATCH', `/calendars/${id}`, { weekly: { sat: [] } }, 400, 'validation/invalid'],
      ['PATCH', `/calendars/${id}`, { timeZone: 'Asia/Teheran' }, 400, 'validation/invalid'],
      ['PUT', `/calendars/${id}/days/2027-02-30`, { kind: 'closed' }, 400, 'validation/invalid'],
      ['PUT', `/calendars/${id}/days/1406-01-01x`, { kind: 'closed' }, 400, 'validation/invalid'],
      ['PUT', `/calendars/${id}/days/2027-03-01`, { kind: 'hours' }, 400, 'validation/invalid'],
      [
        'PUT',
        `/calendars/${id}/days/2027-03-01`,
        { kind: 'closed', hours: [{ from: '08:00', to: '12:00' }] },
        400,
        'validation/invalid',
      ],
      ['PUT', `/calendars/${id}/days/2027-03-01`, { kind: 'holiday' }, 400, 'validation/invalid'],
      ['GET', `/calendars/${id}/days?from=2027-05-01&to=2027-04-01`, undefined, 400, 'validation/invalid'],
      ['GET', `/calendars/${id}/days?from=2020-01-01&to=2027-04-01`, undefined, 400, 'validation/invalid'],
      ['GET', `/calendars/${id}/days?from=yesterday`, undefined, 400, 'validation/invalid'],
      ['POST', `/calendars/${id}/holidays/import`, { year: 1430 }, 422, 'calendar/no_holiday_data'],
      ['POST', `/calendars/${id}/holidays/import`, { year: 1200 }, 400, 'validation/invalid'],
      ['POST', `/calendars/${id}/holidays/import`, {}, 400, 'validation/invalid'],
      ['GET', '/holidays?year=soon', undefined, 400, 'validation/invalid'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const reply = await call(admin, method, path, body);
      expect([method, path, reply.status, reply.body?.error?.code]).toEqual([method, path, status, code]);
      expect(typeof reply.body.error.message).toBe('string');
    }
    const { inboxId } = await desk.team(admin, [agent]);
    const unknownCalendar = await call(admin, 'PATCH', `/inboxes/${inboxId}`, { calendarId: missing });
    expect([unknownCalendar.status, unknownCalendar.body.error.code]).toEqual([404, 'calendar/not_found']);
    expect((await call(admin, 'GET', `/inboxes/${inboxId}`)).body.calendarId).toBeNull();
    // The calendar is as it was made: one event, no days.
    expect((await call(admin, 'GET', `/calendars/${id}`)).body).toMatchObject({
      name: 'Bad input',
      timeZone: 'Asia/Tehran',
      weekly: calendar.weekly,
    });
    expect(await daysOf(id, '2026-12-01', '2028-12-01')).toEqual([]);
    expect(await events(id)).toHaveLength(1);
  });
});

/** `abrik doctor support.holidays` on a PostgreSQL of its own, with the clock it is given. */
describe.skipIf(!BACKENDS.includes('postgres'))('abrik doctor support.holidays', () => {
  let desk: Desk;
  let admin: Person;

  beforeAll(async () => {
    desk = await startDesk({ backend: 'postgres' });
    admin = await desk.person('admin', 'Admin');
  });
  afterAll(async () => {
    await desk?.close();
  });

  const check = async (at: string): Promise<CheckResult> => {
    const lines: string[] = [];
    await doctor(
      ['support.holidays'],
      { json: true },
      {
        NODE_ENV: 'development',
        DATABASE_URL: desk.t.database.url!,
        JWT_SECRET: 'doctor-holidays-secret-long-enough-for-hs256',
        DATA_DIR: '/tmp/abrik-doctor-holidays-test',
        PUSH_PROVIDERS: 'log',
        SMS_PROVIDER: 'log',
        LOG_LEVEL: 'silent',
      },
      (t) => lines.push(t),
      { now: () => isoAt(at) },
    );
    return (JSON.parse(lines.at(-1)!) as { checks: CheckResult[] }).checks[0]!;
  };
  const api = (method: string, path: string, body?: unknown) => desk.admin(admin, method, path, body);

  it('is ok with no calendar in use, and warns when the bundled dataset lacks the current year', async () => {
    expect(await check('2027-06-20T08:00:00Z')).toMatchObject({
      id: 'support.holidays',
      status: 'ok',
      runbook: 'docs/runbook.md#support-holidays',
    });
    // 1410 (2031–32) is not in the dataset.
    const late = await check('2031-06-01T08:00:00Z');
    expect(late.status).toBe('warn');
    expect(late.detail).toContain('the bundled holiday dataset has no 1410');
    expect(late.fix).toContain('npm run holidays:seed');
  });

  it('warns of a year with no holidays in a calendar an inbox uses, and of tentative holidays ahead; ok once handled', async () => {
    const calendar = await api('POST', '/calendars', { name: 'Doctor' });
    const { inboxId } = await desk.team(admin, []);
    await api('PATCH', `/inboxes/${inboxId}`, { calendarId: calendar.id });

    const empty = await check('2027-06-20T08:00:00Z');
    expect(empty.status).toBe('warn');
    expect(empty.detail).toContain('"Doctor"');
    expect(empty.detail).toContain('no holidays for 1406');
    expect(empty.fix).toContain('/holidays/import');

    await api('POST', `/calendars/${calendar.id}/holidays/import`, { year: 1406 });
    // 20 April 2027: Eid al-Adha (16 May), Ghadir (24 May), Tasua and Ashura (14, 15 June) ahead.
    const lunar = await check('2027-04-20T08:00:00Z');
    expect(lunar.status).toBe('warn');
    expect(lunar.detail).toContain('tentative lunar holidays ahead: 2027-05-16 عید سعید قربان, 2027-05-24');
    expect(lunar.detail).toContain('2027-06-15 عاشورای حسینی');
    expect(lunar.detail).not.toContain('no holidays for');
    expect(lunar.fix).toContain('/days/:date');

    // Late August: nothing lunar for 60 days, and Nowruz 1407 is further away.
    expect((await check('2027-08-25T08:00:00Z')).status).toBe('ok');
    // February 2028: Nowruz 1407 (20 March) is within 60 days and 1407 is not imported.
    const nextYear = await check('2028-02-01T08:00:00Z');
    expect(nextYear.detail).toContain('no holidays for 1407');
    await api('POST', `/calendars/${calendar.id}/holidays/import`, { year: 1407 });
    expect((await check('2028-02-01T08:00:00Z')).detail).not.toContain('no holidays for');

    // The admin confirms April's tentative days by hand: the warning goes.
    for (const date of ['2027-05-16', '2027-05-24', '2027-06-14', '2027-06-15']) {
      await api('PUT', `/calendars/${calendar.id}/days/${date}`, { kind: 'closed', label: 'confirmed' });
    }
    expect(await check('2027-04-20T08:00:00Z')).toMatchObject({ status: 'ok' });
  });
});
