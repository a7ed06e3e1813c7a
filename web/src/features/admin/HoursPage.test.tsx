import type { Calendar, CalendarDay } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import type { Route } from '../../test/services.js';
import {
  APP_INBOX,
  error,
  inbox,
  type PageOptions,
  renderListPage,
  server,
  WIDGET_INBOX,
} from './fixtures.js';
import { HoursPage } from './HoursPage.js';
import { calendar, calendarDay, holiday, OFFICE, recordUrls, SHOP } from './settings-fixtures.js';

const CALENDARS = '/api/v1/support/calendars';
const HOLIDAYS = '/api/v1/support/holidays';

beforeEach(() => {
  // Saturday 14 Azar 1405 (5 December 2026), 11:30 in Tehran. Only the date is faked.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-05T08:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const AZAR_DAYS: CalendarDay[] = [
  calendarDay('2026-12-08', { label: 'وفات (آزمایشی)', tentative: true }),
  calendarDay('2026-12-16', { kind: 'hours', hours: [{ from: '10:00', to: '14:00' }], origin: 'manual' }),
];

function desk(routes: Record<string, Route> = {}) {
  let calendars: Calendar[] = [
    calendar(OFFICE, 'Office', { inboxIds: [APP_INBOX] }),
    calendar(SHOP, 'Shop', {
      weekly: {
        sat: [{ from: '00:00', to: '24:00' }],
        sun: [{ from: '00:00', to: '24:00' }],
        mon: [{ from: '00:00', to: '24:00' }],
        tue: [{ from: '00:00', to: '24:00' }],
        wed: [{ from: '00:00', to: '24:00' }],
        thu: [{ from: '00:00', to: '24:00' }],
        fri: [{ from: '22:00', to: '06:00' }],
      },
    }),
  ];
  let year = 'current';
  const srv = server({
    [CALENDARS]: (body, method) => {
      if (method === 'GET') return [200, { items: calendars }];
      const created = calendar('00000000-0000-4000-8000-0000000000d3', (body as { name: string }).name);
      calendars = [...calendars, created];
      return [201, created];
    },
    [`${CALENDARS}/${OFFICE}`]: (body, method) => {
      if (method === 'DELETE') return [204, null];
      calendars = calendars.map((c) => (c.id === OFFICE ? { ...c, ...(body as object) } : c));
      return [200, calendars[0]];
    },
    [`${CALENDARS}/${OFFICE}/days`]: () => [200, { items: AZAR_DAYS }],
    [`${CALENDARS}/${OFFICE}/days/2026-12-08`]: (body) => [
      200,
      calendarDay('2026-12-08', { ...(body as object), origin: 'manual' }),
    ],
    [`${CALENDARS}/${OFFICE}/days/2026-12-16`]: () => [204, null],
    [`${CALENDARS}/${OFFICE}/holidays/import`]: (body) => [
      200,
      { year: (body as { year: number }).year, imported: 24, keptManual: 2, removed: 1 },
    ],
    [HOLIDAYS]: () => [
      200,
      {
        year: year === 'current' ? 1405 : Number(year),
        years: [1405, 1406, 1407],
        source: 'date-holidays (country IR, public holidays)',
        version: '3.37.0',
        generatedAt: '2026-12-06T00:00:00.000Z',
        items:
          year === '1406'
            ? [
                holiday('2027-03-21', '1406-01-01', 'نوروز'),
                holiday('2027-03-29', '1406-01-09', 'عید فطر', true),
              ]
            : [holiday('2026-03-21', '1405-01-01', 'نوروز')],
      },
    ],
    '/api/v1/support/inboxes': () => [
      200,
      {
        items: [inbox(APP_INBOX, 'App', { kind: 'app', calendarId: OFFICE }), inbox(WIDGET_INBOX, 'Website')],
      },
    ],
    ...routes,
  });
  const recorded = recordUrls();
  // The holidays' reply follows the year asked for.
  const inner = globalThis.fetch;
  vi.stubGlobal('fetch', (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname === HOLIDAYS) year = url.searchParams.get('year') ?? 'current';
    return inner(input, init);
  });
  return { ...srv, ...recorded };
}

const renderPage = (options?: PageOptions) => renderListPage(<HoursPage />, 'calendar-row', options);

async function openOffice(lang: Lang = 'en') {
  const srv = desk();
  const rendered = await renderPage({ lang });
  await rendered.user.click(within(rendered.rows[0]!).getByTestId('calendar-open'));
  return { srv, ...rendered, detail: within(rendered.rows[0]!).getByTestId('calendar-detail') };
}

const day = (date: string) =>
  document.querySelector<HTMLButtonElement>(`[data-testid="calendar-day"][data-date="${date}"]`)!;

describe(HoursPage.name, () => {
  it('lists calendars with their week in a few words and the inboxes that use them, in Persian', async () => {
    desk();
    const { rows } = await renderPage({ lang: 'fa' });
    expect(within(rows[0]!).getByTestId('calendar-summary').textContent).toBe(
      'شنبه تا چهارشنبه ۰۸:۰۰–۱۷:۰۰؛ پنجشنبه ۰۸:۰۰–۱۳:۰۰؛ جمعه تعطیل',
    );
    await waitFor(() =>
      expect(within(rows[0]!).getByTestId('calendar-inboxes').textContent).toBe('صندوق‌ها: App'),
    );
    expect(within(rows[1]!).getByTestId('calendar-summary').textContent).toBe(
      'شنبه تا پنجشنبه ۰۰:۰۰–۲۴:۰۰؛ جمعه ۲۲:۰۰–۰۶:۰۰ (تا روز بعد)',
    );
    expect(within(rows[1]!).getByTestId('calendar-inboxes').textContent).toBe(
      'هیچ صندوقی از این تقویم استفاده نمی‌کند.',
    );
    expect((await screen.findByTestId('holiday-years')).textContent).toContain('۱۴۰۵، ۱۴۰۶، ۱۴۰۷');
  });

  it('creates a calendar from the default Iranian template, or another one', async () => {
    const srv = desk();
    const { user } = await renderPage();
    await user.click(screen.getByTestId('calendar-new'));
    const form = screen.getByTestId('calendar-new-form');
    const templates = within(form).getAllByTestId('calendar-template') as HTMLInputElement[];
    expect(templates.map((r) => [r.value, r.checked])).toEqual([
      ['iran_standard', true],
      ['iran_thursday_off', false],
      ['always_open', false],
    ]);
    expect(form.textContent).toContain('Iran — Sat–Wed 8–17, Thu 8–13, Fri closed');
    // A fixed offset is not a zone.
    const zone = within(form).getByTestId('calendar-zone') as HTMLInputElement;
    expect(zone.value).toBe('Asia/Tehran');
    await user.clear(zone);
    await user.type(zone, '+03:30');
    await user.click(within(form).getByTestId('calendar-create'));
    const messages = within(form)
      .getAllByTestId('field-error')
      .map((e) => e.textContent);
    expect(messages).toEqual([
      'The name must be 1 to 64 characters.',
      'Unknown time zone; write a name such as Asia/Tehran.',
    ]);
    expect(srv.changes()).toEqual([]);

    await user.type(within(form).getByTestId('calendar-new-name'), 'Support week');
    await user.clear(zone);
    await user.type(zone, 'asia/tehran');
    await user.click(templates[1]!);
    await user.click(within(form).getByTestId('calendar-create'));
    await waitFor(() => expect(screen.getAllByTestId('calendar-row')).toHaveLength(3));
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: CALENDARS,
        body: { name: 'Support week', timeZone: 'Asia/Tehran', template: 'iran_thursday_off' },
      },
    ]);
    // The new calendar opens for its hours to be set.
    expect(within(screen.getAllByTestId('calendar-row')[2]!).getByTestId('calendar-detail')).toBeTruthy();
  });

  it('edits the weekly hours: several intervals, Persian digits, across midnight, removed days', async () => {
    const { srv, user, detail } = await openOffice('fa');
    const thursday = within(detail)
      .getAllByTestId('weekly-day')
      .find((d) => d.dataset.day === 'thu')!;
    expect((within(thursday).getByTestId('interval-from') as HTMLInputElement).value).toBe('۰۸:۰۰');
    await user.click(within(thursday).getByTestId('interval-add'));
    const [, added] = within(thursday).getAllByTestId('interval');
    expect((within(added!).getByTestId('interval-from') as HTMLInputElement).value).toBe('۱۳:۰۰');
    await user.clear(within(added!).getByTestId('interval-from'));
    await user.type(within(added!).getByTestId('interval-from'), '۱۴');
    await user.type(within(added!).getByTestId('interval-to'), '۱۸:۳۰');

    const friday = within(detail)
      .getAllByTestId('weekly-day')
      .find((d) => d.dataset.day === 'fri')!;
    await user.click(within(friday).getByTestId('interval-add'));
    await user.clear(within(friday).getByTestId('interval-from'));
    await user.type(within(friday).getByTestId('interval-from'), '22:00');
    await user.type(within(friday).getByTestId('interval-to'), '0600');
    expect(within(friday).getByTestId('interval-overnight').textContent).toBe('تا روز بعد');

    const saturday = within(detail)
      .getAllByTestId('weekly-day')
      .find((d) => d.dataset.day === 'sat')!;
    await user.click(within(saturday).getByRole('button', { name: 'حذف بازهٔ ۱ از شنبه' }));
    expect(saturday.textContent).toContain('تعطیل');

    await user.click(within(detail).getByTestId('calendar-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]).toEqual({
      method: 'PATCH',
      url: `${CALENDARS}/${OFFICE}`,
      body: {
        weekly: {
          sat: [],
          sun: [{ from: '08:00', to: '17:00' }],
          mon: [{ from: '08:00', to: '17:00' }],
          tue: [{ from: '08:00', to: '17:00' }],
          wed: [{ from: '08:00', to: '17:00' }],
          thu: [
            { from: '08:00', to: '13:00' },
            { from: '14:00', to: '18:30' },
          ],
          fri: [{ from: '22:00', to: '06:00' }],
        },
      },
    });
    expect((await within(detail).findByTestId('calendar-saved')).textContent).toBe('ذخیره شد.');
  });

  it('says which interval is wrong and sends nothing', async () => {
    const { srv, user, detail } = await openOffice();
    const sunday = within(detail)
      .getAllByTestId('weekly-day')
      .find((d) => d.dataset.day === 'sun')!;
    const to = within(sunday).getByTestId('interval-to');
    await user.clear(to);
    await user.type(to, '25:00');
    const monday = within(detail)
      .getAllByTestId('weekly-day')
      .find((d) => d.dataset.day === 'mon')!;
    const from = within(monday).getByTestId('interval-from');
    await user.clear(from);
    await user.type(from, '17:00');
    await user.click(within(detail).getByTestId('calendar-save'));
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(to.getAttribute('aria-describedby')!)?.textContent).toBe(
      'Write the end as 17:00 (24:00 is the end of the day).',
    );
    expect(document.getElementById(from.getAttribute('aria-describedby')!)?.textContent).toBe(
      'The interval starts and ends at the same time.',
    );
    await waitFor(() => expect(document.activeElement).toBe(to));
    expect(srv.changes()).toEqual([]);
  });

  it('shows the month in Jalali with holidays, tentative ones and days set by hand', async () => {
    const { srv, detail } = await openOffice();
    expect(within(detail).getByTestId('month-title').textContent).toBe('Azar 1405');
    await waitFor(() => expect(day('2026-12-08').dataset.state).toBe('closed'));
    expect(srv.queries(`${CALENDARS}/${OFFICE}/days`)).toEqual([{ from: '2026-11-22', to: '2026-12-21' }]);
    expect(day('2026-12-08').dataset.tentative).toBe('true');
    expect(day('2026-12-08').getAttribute('aria-label')).toBe(
      'Tuesday 17 Azar 1405, Closed, وفات (آزمایشی), tentative',
    );
    expect(day('2026-12-16').dataset.state).toBe('hours');
    expect(day('2026-12-16').dataset.origin).toBe('manual');
    // Fridays are closed by the week; today is marked.
    expect(day('2026-12-11').dataset.state).toBe('weekly-closed');
    expect(day('2026-12-05').getAttribute('aria-current')).toBe('date');
    expect(day('2026-12-05').tabIndex).toBe(0);
  });

  it('moves by month with the buttons and by day with the arrow keys (right to left)', async () => {
    const { srv, user, detail } = await openOffice('fa');
    await user.click(within(detail).getByTestId('month-next'));
    expect(within(detail).getByTestId('month-title').textContent).toBe('دی ۱۴۰۵');
    await waitFor(() =>
      expect(srv.queries(`${CALENDARS}/${OFFICE}/days`).at(-1)).toEqual({
        from: '2026-12-22',
        to: '2027-01-20',
      }),
    );
    await user.click(within(detail).getByTestId('month-prev'));
    day('2026-12-05').focus();
    // In right-to-left, the left arrow is the next day.
    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toBe(day('2026-12-06'));
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement).toBe(day('2026-11-29'));
  });

  it('explains a tentative imported holiday and lets an admin open it by hand', async () => {
    const { srv, user, detail } = await openOffice();
    await waitFor(() => expect(day('2026-12-08').dataset.state).toBe('closed'));
    await user.click(day('2026-12-08'));
    const panel = within(detail).getByTestId('day-panel');
    expect(within(panel).getByRole('heading').textContent).toBe('Tuesday 17 Azar 1405');
    expect(within(panel).getByTestId('day-gregorian').textContent).toBe('8 December 2026');
    expect(within(panel).getByTestId('day-state').textContent).toBe('Closed.');
    expect(within(panel).getByTestId('day-origin').textContent).toBe(
      'From the official holiday list (imported)',
    );
    expect(within(panel).getByTestId('day-tentative').textContent).toContain('may move it by a day');
    expect(panel.textContent).toContain('importing holidays again leaves it as it is');
    const kinds = within(panel).getAllByTestId('day-kind') as HTMLInputElement[];
    expect(kinds.find((k) => k.checked)?.value).toBe('closed');
    await user.click(kinds.find((k) => k.value === 'open')!);
    await user.click(within(panel).getByTestId('day-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]).toEqual({
      method: 'PUT',
      url: `${CALENDARS}/${OFFICE}/days/2026-12-08`,
      body: { kind: 'open', label: 'وفات (آزمایشی)' },
    });
    expect((await within(panel).findByTestId('day-done')).textContent).toBe('Saved.');
  });

  it('gives a day other hours, and undoes a change by hand', async () => {
    const { srv, user, detail } = await openOffice();
    await waitFor(() => expect(day('2026-12-16').dataset.state).toBe('hours'));
    await user.click(day('2026-12-16'));
    let panel = within(detail).getByTestId('day-panel');
    expect(within(panel).getByTestId('day-state').textContent).toBe('Hours that day: 10:00–14:00');
    expect(within(panel).getByTestId('day-origin').textContent).toBe('Set by hand');
    await user.click(within(panel).getByTestId('day-clear'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]).toMatchObject({
      method: 'DELETE',
      url: `${CALENDARS}/${OFFICE}/days/2026-12-16`,
    });

    // Esc closes the day and focus goes back to it.
    await user.keyboard('{Escape}');
    expect(within(detail).queryByTestId('day-panel')).toBeNull();
    expect(document.activeElement).toBe(day('2026-12-16'));

    await user.click(day('2026-12-08'));
    panel = within(detail).getByTestId('day-panel');
    await user.click((within(panel).getAllByTestId('day-kind') as HTMLInputElement[])[2]!);
    const interval = within(panel).getByTestId('day-intervals');
    // A working day's usual hours to start from; a holiday on Tuesday gets Tuesday's.
    expect((within(interval).getByTestId('interval-from') as HTMLInputElement).value).toBe('08:00');
    await user.clear(within(interval).getByTestId('interval-to'));
    await user.type(within(interval).getByTestId('interval-to'), '12');
    await user.clear(within(panel).getByTestId('day-label-input'));
    await user.type(within(panel).getByTestId('day-label-input'), 'Half day');
    await user.click(within(panel).getByTestId('day-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(2));
    expect(srv.changes()[1]!.body).toEqual({
      kind: 'hours',
      hours: [{ from: '08:00', to: '12:00' }],
      label: 'Half day',
    });
  });

  it('imports a chosen year and shows what the import did', async () => {
    const { srv, user, detail } = await openOffice();
    const form = within(detail).getByTestId('holiday-import');
    expect(form.textContent).toContain('Days you set by hand stay as they are.');
    const year = (await within(form).findByTestId('holiday-year')) as HTMLSelectElement;
    expect([...year.options].map((o) => o.value)).toEqual(['1405', '1406', '1407']);
    expect(year.value).toBe('1405');
    await user.selectOptions(year, '1406');
    await waitFor(() =>
      expect(within(form).getByTestId('holiday-preview').textContent).toBe(
        '2 holidays, 1 of them lunar and tentative',
      ),
    );
    await user.click(within(form).getByTestId('holiday-import-submit'));
    await waitFor(() =>
      expect(within(form).getByTestId('holiday-import-result').textContent).toBe(
        'Holidays of 1406: 24 days imported, 2 kept as you set them by hand, 1 no longer in the list removed.',
      ),
    );
    expect(srv.changes()).toEqual([
      { method: 'POST', url: `${CALENDARS}/${OFFICE}/holidays/import`, body: { year: 1406 } },
    ]);
  });

  it("shows the server's refusal to delete a calendar in use; Esc closes the question", async () => {
    desk({
      [`${CALENDARS}/${OFFICE}`]: () =>
        error(409, 'calendar/in_use', 'Inboxes use this calendar; give them another one first.'),
    });
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByTestId('calendar-open'));
    const remove = within(rows[0]!).getByRole('button', { name: 'Delete calendar Office' });
    await user.click(remove);
    const confirm = within(rows[0]!).getByTestId('calendar-delete-confirm');
    expect(document.activeElement).toBe(confirm);
    await user.click(confirm);
    expect((await within(rows[0]!).findByRole('alert')).textContent).toBe(
      'Inboxes use this calendar; give them another one first.',
    );
    await user.keyboard('{Escape}');
    expect(within(rows[0]!).queryByTestId('calendar-delete-question')).toBeNull();
    expect(document.activeElement).toBe(within(rows[0]!).getByTestId('calendar-delete'));
  });

  it('shows supervisors the hours and days without any control that changes them', async () => {
    const srv = desk();
    const { user, rows } = await renderPage({ role: 'supervisor' });
    expect(screen.queryByTestId('calendar-new')).toBeNull();
    expect(screen.getByText('You can view this section; only admins can change it.')).toBeTruthy();
    await user.click(within(rows[0]!).getByRole('button', { name: 'Show Office' }));
    const detail = within(rows[0]!).getByTestId('calendar-detail');
    expect(within(detail).getByTestId('calendar-week').textContent).toContain('Thursday08:00–13:00');
    expect(within(detail).queryByTestId('calendar-form')).toBeNull();
    expect(within(detail).queryByTestId('holiday-import')).toBeNull();
    expect(within(detail).queryByTestId('calendar-delete')).toBeNull();
    await waitFor(() => expect(day('2026-12-08').dataset.state).toBe('closed'));
    await user.click(day('2026-12-08'));
    expect(within(detail).getByTestId('day-tentative')).toBeTruthy();
    expect(within(detail).queryByTestId('day-form')).toBeNull();
    expect(srv.changes()).toEqual([]);
  });
});
