import type { WeeklyHours } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import type { Transactor } from '../../../platform/db/client.js';
import type { CalendarRepository } from './calendar.repository.js';
import { CALENDAR_CACHE_TTL_MS, CalendarService } from './calendar.service.js';
import type { CalendarDayRow, CalendarRow } from './tables.js';
import { CALENDAR_TEMPLATE_HOURS } from './templates.js';

/** A repository of one inbox and one calendar whose days "another instance" may change. */
function fakeRepository(inboxes: Record<string, string | null>) {
  const state = {
    weekly: CALENDAR_TEMPLATE_HOURS.iran_standard as WeeklyHours,
    days: [] as CalendarDayRow[],
    loads: 0,
  };
  const row = (): CalendarRow => ({
    id: 'cal',
    name: 'Standard',
    timeZone: 'Asia/Tehran',
    weekly: state.weekly,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  });
  const repository = {
    async calendarIdOfInbox(inboxId: string) {
      state.loads += 1;
      return inboxId in inboxes ? inboxes[inboxId] : undefined;
    },
    async getById(id: string) {
      return id === 'cal' ? row() : undefined;
    },
    async days() {
      return state.days;
    },
  } as unknown as CalendarRepository;
  return { repository, state };
}

const closed = (date: string): CalendarDayRow => ({
  calendarId: 'cal',
  date,
  kind: 'closed',
  hours: [],
  label: '',
  origin: 'manual',
  tentative: false,
  updatedBy: null,
  updatedAt: new Date(0),
});

// Saturday 10:00 in Tehran.
const SATURDAY = Date.parse('2027-04-10T06:30:00Z');

describe(CalendarService.name, () => {
  const build = (inboxes: Record<string, string | null>) => {
    const { repository, state } = fakeRepository(inboxes);
    const clock = { now: SATURDAY };
    const service = new CalendarService({
      db: {} as Transactor,
      calendars: repository,
      events: { record: async () => {} },
      now: () => clock.now,
    });
    return { service, state, clock };
  };

  it('keeps an inbox’s calendar for the TTL, so another instance’s write shows within it', async () => {
    const { service, state, clock } = build({ inbox: 'cal' });
    expect((await service.opening('inbox')).open).toBe(true);
    expect(state.loads).toBe(1);
    // Another instance closes today: this process still answers from its cache…
    state.days = [closed('2027-04-10')];
    clock.now += CALENDAR_CACHE_TTL_MS - 1;
    expect((await service.opening('inbox')).open).toBe(true);
    expect(state.loads).toBe(1);
    // …until the TTL has passed.
    clock.now += 1;
    expect(await service.opening('inbox')).toEqual({
      open: false,
      nextOpenAt: '2027-04-11T04:30:00.000Z',
      timeZone: 'Asia/Tehran',
    });
    expect(state.loads).toBe(2);
  });

  it('drops the cache at once on forget (this process’s writes), and when the clock goes back', async () => {
    const { service, state, clock } = build({ inbox: 'cal' });
    await service.calendarOf('inbox');
    state.days = [closed('2027-04-10')];
    service.forget();
    expect((await service.opening('inbox')).open).toBe(false);
    expect(state.loads).toBe(2);
    clock.now -= 60_000;
    await service.calendarOf('inbox');
    expect(state.loads).toBe(3);
  });

  it('answers open always for an inbox without a calendar, and 404 (not cached) for no inbox', async () => {
    const { service, state } = build({ inbox: null });
    expect(await service.opening('inbox')).toEqual({ open: true, nextOpenAt: null, timeZone: 'Asia/Tehran' });
    await expect(service.calendarOf('nowhere')).rejects.toMatchObject({
      status: 404,
      code: 'support/inbox_not_found',
    });
    await expect(service.calendarOf('nowhere')).rejects.toMatchObject({ status: 404 });
    expect(state.loads).toBe(3);
  });

  it('loads once for calls that arrive together', async () => {
    const { service, state } = build({ inbox: 'cal' });
    const [a, b] = await Promise.all([service.calendarOf('inbox'), service.calendarOf('inbox')]);
    expect(a).toBe(b);
    expect(state.loads).toBe(1);
  });
});
