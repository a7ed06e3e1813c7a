import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { renderWithServices } from '../../test/services.js';
import { AuditPage, parseDay } from './AuditPage.js';
import { ADMIN, agent, REZA, SALES, SARA, server, signedIn, team } from './fixtures.js';
import { auditEntry, recordUrls } from './settings-fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const AUDIT = '/api/v1/audit';
const CONVERSATION = '00000000-0000-4000-8000-0000000000e9';

const FIRST_PAGE = [
  auditEntry(42),
  auditEntry(41, {
    type: 'support.assigned',
    actorId: REZA,
    actorName: 'Reza',
    subject: `conversation:${CONVERSATION}`,
    payload: { fromId: null, toId: SARA, reason: 'manual' },
  }),
  auditEntry(40, {
    type: 'user.role_set',
    actorId: null,
    actorName: null,
    subject: `user:${SARA}`,
    payload: { role: 'agent' },
  }),
];
const OLDER_PAGE = [
  auditEntry(12, {
    type: 'support.holidays_imported',
    subject: 'calendar:00000000-0000-4000-8000-0000000000d1',
    payload: { year: 1405, imported: 24, keptManual: 0, removed: 0 },
  }),
];

function desk() {
  let cursor: string | null = null;
  const srv = server({
    [AUDIT]: () =>
      cursor === '40'
        ? [200, { items: OLDER_PAGE, nextCursor: null }]
        : [200, { items: FIRST_PAGE, nextCursor: 40 }],
    '/api/v1/support/agents': () => [
      200,
      {
        items: [
          agent(ADMIN, 'Mina', { role: 'admin' }),
          agent(SARA, 'Sara'),
          agent(REZA, 'Reza', { role: 'supervisor' }),
        ],
      },
    ],
    '/api/v1/support/teams': () => [200, { items: [team(SALES, 'Sales')] }],
    '/api/v1/support/inboxes': () => [200, { items: [] }],
  });
  const recorded = recordUrls();
  const inner = globalThis.fetch;
  vi.stubGlobal('fetch', (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname === AUDIT) cursor = url.searchParams.get('cursor');
    return inner(input, init);
  });
  return { ...srv, ...recorded };
}

async function renderPage(lang: Lang = 'en') {
  const rendered = await renderWithServices(<AuditPage />, { lang, tokens: signedIn('admin') });
  const entries = await screen.findAllByTestId('audit-entry');
  return { ...rendered, entries };
}

describe(parseDay.name, () => {
  it('reads Jalali days (Persian digits too) and Gregorian ones, as the local midnight that starts them', () => {
    expect(parseDay('۱۴۰۵/۰۹/۱۴')).toEqual(new Date(2026, 11, 5));
    expect(parseDay('1405-9-1')).toEqual(new Date(2026, 10, 22));
    expect(parseDay('2026-12-05')).toEqual(new Date(2026, 11, 5));
  });

  it('refuses what is not a day', () => {
    expect(parseDay('1405/12/31')).toBeNull(); // 1405 is not a leap year
    expect(parseDay('2026-02-30')).toBeNull();
    expect(parseDay('yesterday')).toBeNull();
    expect(parseDay('14/09/1405')).toBeNull();
  });
});

describe(AuditPage.name, () => {
  it('shows who did what to which, in words, with the payload on request', async () => {
    desk();
    const { user, entries } = await renderPage();
    const [teamSaved, assigned, roleSet] = entries;
    expect(within(teamSaved!).getByTestId('audit-actor-name').textContent).toBe('Mina');
    expect(within(teamSaved!).getByTestId('audit-type-text').textContent).toBe('Saved a team');
    await waitFor(() =>
      expect(within(teamSaved!).getByTestId('audit-subject').textContent).toBe('Team Sales'),
    );
    expect(within(assigned!).getByTestId('audit-type-text').textContent).toBe('Assigned a conversation');
    expect(within(assigned!).getByTestId('audit-subject-link').getAttribute('href')).toBe(
      `/support/all/${CONVERSATION}`,
    );
    expect(within(roleSet!).getByTestId('audit-actor-name').textContent).toBe('System');
    await waitFor(() => expect(within(roleSet!).getByTestId('audit-subject').textContent).toBe('User Sara'));
    expect(teamSaved!.querySelector('td')!.textContent).toMatch(/^(1|2) December 2026, \d\d:\d\d$/);

    const toggle = within(assigned!).getByTestId('audit-details-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const payload = within(assigned!).getByTestId('audit-payload');
    expect(JSON.parse(payload.textContent!)).toEqual({ fromId: null, toId: SARA, reason: 'manual' });
    expect(payload.closest('tr')!.id).toBe(toggle.getAttribute('aria-controls'));
    await user.click(toggle);
    expect(within(assigned!).queryByTestId('audit-payload')).toBeNull();
  });

  it('shows times in Jalali in Persian', async () => {
    desk();
    const { entries } = await renderPage('fa');
    expect(entries[0]!.querySelector('td')!.textContent).toMatch(/^(۱۰|۱۱) آذر ۱۴۰۵، [۰-۹]{2}:[۰-۹]{2}$/);
    expect(within(entries[0]!).getByTestId('audit-type-text').textContent).toBe('تیم را ذخیره کرد');
  });

  it('filters by actor, kind of action and days (the last one included)', async () => {
    const srv = desk();
    const { user } = await renderPage('fa');
    const form = screen.getByTestId('audit-filters');
    await waitFor(() => expect(within(form).getAllByRole('option', { name: 'Reza' })).toHaveLength(1));
    await user.selectOptions(within(form).getByTestId('audit-actor'), REZA);
    await user.selectOptions(within(form).getByTestId('audit-type'), 'support.calendar');
    await user.type(within(form).getByTestId('audit-from'), '۱۴۰۵/۰۹/۰۱');
    await user.type(within(form).getByTestId('audit-to'), '2026-12-05');
    await user.click(within(form).getByTestId('audit-apply'));
    await waitFor(() => expect(srv.queries(AUDIT)).toHaveLength(2));
    expect(srv.queries(AUDIT)[1]).toEqual({
      actor: REZA,
      type: 'support.calendar',
      from: new Date(2026, 10, 22).toISOString(),
      to: new Date(2026, 11, 6).toISOString(),
      limit: '50',
    });

    await user.click(within(form).getByTestId('audit-clear'));
    await waitFor(() => expect(srv.queries(AUDIT).at(-1)).toEqual({ limit: '50' }));
  });

  it('says what is wrong with the days and asks nothing', async () => {
    const srv = desk();
    const { user } = await renderPage();
    const form = screen.getByTestId('audit-filters');
    await user.type(within(form).getByTestId('audit-from'), '1405/13/01');
    await user.click(within(form).getByTestId('audit-apply'));
    expect(within(form).getByRole('alert').textContent).toBe(
      'That is not a day; write it as 2026-12-05 or 1405/09/14.',
    );
    await user.clear(within(form).getByTestId('audit-from'));
    await user.type(within(form).getByTestId('audit-from'), '2026-12-06');
    await user.type(within(form).getByTestId('audit-to'), '2026-12-05');
    await user.click(within(form).getByTestId('audit-apply'));
    expect(within(form).getByRole('alert').textContent).toBe(
      'The first day must be before the last day, or the same day.',
    );
    expect(srv.queries(AUDIT)).toHaveLength(1);
  });

  it('pages to older entries until there are none', async () => {
    const srv = desk();
    const { user } = await renderPage();
    await user.click(screen.getByTestId('audit-older'));
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(4));
    expect(srv.queries(AUDIT).at(-1)).toEqual({ cursor: '40', limit: '50' });
    const last = screen.getAllByTestId('audit-entry')[3]!;
    expect(within(last).getByTestId('audit-type-text').textContent).toBe('Imported holidays');
    expect(screen.queryByTestId('audit-older')).toBeNull();
  });
});
