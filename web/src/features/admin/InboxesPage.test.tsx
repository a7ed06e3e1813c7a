import type { Inbox } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import {
  APP_INBOX,
  error,
  inbox,
  REZA,
  SALES,
  server,
  signedIn,
  TECH,
  team,
  WIDGET_INBOX,
} from './fixtures.js';
import { InboxesPage } from './InboxesPage.js';
import { calendar, OFFICE, SHOP } from './settings-fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const INBOXES = '/api/v1/support/inboxes';

function desk(routes: Record<string, (body: unknown, method: string) => [number, unknown]> = {}) {
  let inboxes: Inbox[] = [
    inbox(APP_INBOX, 'App', { kind: 'app', routing: 'least_loaded', teamIds: [] }),
    inbox(WIDGET_INBOX, 'Website', {
      calendarId: OFFICE,
      teamIds: [SALES],
      queueOrder: 'priority_then_oldest',
      reopenWindowSeconds: 36 * 3600,
      reassignOfflineAfterSeconds: 90,
    }),
  ];
  return server({
    [INBOXES]: (body, method) => {
      if (method === 'GET') return [200, { items: inboxes }];
      const created = inbox(
        '00000000-0000-4000-8000-0000000000c3',
        (body as Inbox).name,
        body as Partial<Inbox>,
      );
      inboxes = [...inboxes, created];
      return [201, created];
    },
    '/api/v1/support/teams': () => [200, { items: [team(SALES, 'Sales'), team(TECH, 'Tech')] }],
    '/api/v1/support/calendars': () => [
      200,
      {
        items: [calendar(OFFICE, 'Office hours', { inboxIds: [WIDGET_INBOX] }), calendar(SHOP, 'Shop hours')],
      },
    ],
    [`${INBOXES}/${APP_INBOX}`]: (body) => {
      // A null timer: the configured default again, which the server answers in effect.
      const defaults = inbox(APP_INBOX, '');
      const changes = Object.fromEntries(
        Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, v ?? defaults[k as keyof Inbox]]),
      );
      inboxes = inboxes.map((i) => (i.id === APP_INBOX ? { ...i, ...changes } : i));
      return [200, inboxes[0]];
    },
    ...routes,
  });
}

async function row(index: number) {
  return (await screen.findAllByTestId('inbox-row'))[index]!;
}

async function editApp(lang: 'fa' | 'en' = 'en') {
  const srv = desk();
  const rendered = await renderWithServices(<InboxesPage />, { lang, tokens: signedIn('admin') });
  const app = await row(0);
  await rendered.user.click(within(app).getByTestId('inbox-edit'));
  return { srv, ...rendered, form: within(app).getByTestId('inbox-form') };
}

describe(InboxesPage.name, () => {
  it('lists inboxes with their kind, routing, queue order, teams and timers', async () => {
    desk();
    await renderWithServices(<InboxesPage />, { lang: 'en', tokens: signedIn('admin') });
    const app = await row(0);
    expect(app.textContent).toContain('Abrik app');
    expect(within(app).getByTestId('inbox-routing-label').textContent).toBe('Least loaded');
    expect(within(app).getByTestId('inbox-teams').textContent).toBe('All agents');
    expect(within(app).getByTestId('inbox-reopen-label').textContent).toBe('7 days');
    expect(app.textContent).toContain('2 minutes');
    expect(app.textContent).toContain('10 minutes');
    const widget = await row(1);
    expect(widget.textContent).toContain('Website widget');
    expect(widget.textContent).toContain('Highest priority first, then oldest');
    await waitFor(() => expect(within(widget).getByTestId('inbox-teams').textContent).toBe('Sales'));
    expect(within(widget).getByTestId('inbox-reopen-label').textContent).toBe('36 hours');
    expect(widget.textContent).toContain('90 seconds');
  });

  it('shows timers in Persian digits', async () => {
    desk();
    await renderWithServices(<InboxesPage />, { tokens: signedIn('supervisor', REZA) });
    expect(within(await row(0)).getByTestId('inbox-reopen-label').textContent).toBe('۷ روز');
  });

  it('converts the timers to seconds, sends an emptied one as null and leaves the rest out', async () => {
    const { srv, user, form } = await editApp();
    const reopen = within(form).getByTestId('inbox-reopen') as HTMLInputElement;
    expect(reopen.value).toBe('7');
    expect((within(form).getByTestId('inbox-reopen-unit') as HTMLSelectElement).value).toBe('days');
    expect((within(form).getByTestId('inbox-offline') as HTMLInputElement).value).toBe('2');
    await user.clear(reopen);
    await user.type(reopen, '48');
    await user.selectOptions(within(form).getByTestId('inbox-reopen-unit'), 'hours');
    await user.clear(within(form).getByTestId('inbox-offline'));
    await user.type(within(form).getByTestId('inbox-offline'), '5');
    await user.clear(within(form).getByTestId('inbox-noReply'));
    await user.click(
      within(form)
        .getAllByTestId('inbox-routing')
        .find((r) => (r as HTMLInputElement).value === 'manual')!,
    );
    await user.click(within(form).getByTestId('inbox-save'));
    await waitFor(() => expect(screen.queryByTestId('inbox-form')).toBeNull());
    expect(srv.changes()).toEqual([
      {
        method: 'PATCH',
        url: `${INBOXES}/${APP_INBOX}`,
        body: {
          routing: 'manual',
          reopenWindowSeconds: 172_800,
          reassignOfflineAfterSeconds: 300,
          reassignNoReplyAfterSeconds: null,
        },
      },
    ]);
    expect(within(await row(0)).getByTestId('inbox-routing-label').textContent).toBe('Manual');
  });

  it('reads Persian digits, days, teams and the queue order', async () => {
    const { srv, user, form } = await editApp('fa');
    const reopen = within(form).getByTestId('inbox-reopen') as HTMLInputElement;
    expect(reopen.value).toBe('۷');
    await user.clear(reopen);
    await user.type(reopen, '۹۰');
    await user.clear(within(form).getByTestId('inbox-maxReassigns'));
    await user.type(within(form).getByTestId('inbox-maxReassigns'), '۲۰');
    // The same number in Latin digits is no change.
    expect((within(form).getByTestId('inbox-offline') as HTMLInputElement).value).toBe('۲');
    await user.clear(within(form).getByTestId('inbox-offline'));
    await user.type(within(form).getByTestId('inbox-offline'), '2');
    await user.selectOptions(within(form).getByTestId('inbox-queue-order'), 'priority_then_oldest');
    const teams = within(form).getAllByTestId('inbox-team') as HTMLInputElement[];
    await user.click(teams.find((b) => b.value === TECH)!);
    await user.click(within(form).getByTestId('inbox-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]!.body).toEqual({
      queueOrder: 'priority_then_oldest',
      teamIds: [TECH],
      reopenWindowSeconds: 7_776_000,
      maxAutoReassigns: 20,
    });
  });

  it('blocks timers out of range with a message by each field', async () => {
    const { srv, user, form } = await editApp();
    const reopen = within(form).getByTestId('inbox-reopen');
    await user.clear(reopen);
    await user.type(reopen, '91');
    const offline = within(form).getByTestId('inbox-offline');
    await user.clear(offline);
    await user.type(offline, '1441');
    const max = within(form).getByTestId('inbox-maxReassigns');
    await user.clear(max);
    await user.type(max, '21');
    const noReply = within(form).getByTestId('inbox-noReply');
    await user.clear(noReply);
    await user.type(noReply, 'ten');
    await user.click(within(form).getByTestId('inbox-save'));
    const messageOf = (input: HTMLElement) => {
      expect(input.getAttribute('aria-invalid')).toBe('true');
      return document.getElementById(input.getAttribute('aria-describedby')!)?.textContent;
    };
    expect(messageOf(reopen)).toBe('The reopen window must be 0 to 90 days (2160 hours).');
    expect(messageOf(offline)).toBe('Enter a number from 0 to 1440 minutes (24 hours).');
    expect(messageOf(noReply)).toBe('Enter a number from 0 to 1440 minutes (24 hours).');
    expect(messageOf(max)).toBe('Enter a whole number from 0 to 20.');
    await waitFor(() => expect(document.activeElement).toBe(reopen));
    expect(srv.changes()).toEqual([]);
    // 2160 hours is the limit, and allowed.
    await user.clear(reopen);
    await user.type(reopen, '2160');
    await user.selectOptions(within(form).getByTestId('inbox-reopen-unit'), 'hours');
    for (const input of [offline, noReply, max]) await user.clear(input);
    await user.click(within(form).getByTestId('inbox-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]!.body).toEqual({
      reopenWindowSeconds: 7_776_000,
      reassignOfflineAfterSeconds: null,
      reassignNoReplyAfterSeconds: null,
      maxAutoReassigns: null,
    });
  });

  it("shows the server's error when saving fails", async () => {
    desk({
      [`${INBOXES}/${APP_INBOX}`]: () => error(404, 'support/team_not_found', 'No such team.'),
    });
    const { user } = await renderWithServices(<InboxesPage />, { lang: 'en', tokens: signedIn('admin') });
    const app = await row(0);
    await user.click(within(app).getByTestId('inbox-edit'));
    await user.click(within(app).getAllByTestId('inbox-team')[0]!);
    await user.click(within(app).getByTestId('inbox-save'));
    expect((await within(app).findByRole('alert')).textContent).toBe('No such team.');
  });

  it('creates a widget inbox with its teams', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<InboxesPage />, { lang: 'en', tokens: signedIn('admin') });
    await row(0);
    await user.click(screen.getByTestId('inbox-new'));
    const form = screen.getByTestId('inbox-new-form');
    await user.click(within(form).getByTestId('inbox-create'));
    expect(within(form).getByTestId('field-error').textContent).toBe('The name must be 1 to 64 characters.');
    await user.type(within(form).getByTestId('inbox-new-name'), 'Shop');
    await user.click(within(form).getAllByTestId('inbox-new-team')[1]!);
    await user.click(within(form).getByTestId('inbox-create'));
    await waitFor(() => expect(screen.getAllByTestId('inbox-row')).toHaveLength(3));
    expect(srv.changes()).toEqual([
      { method: 'POST', url: INBOXES, body: { name: 'Shop', kind: 'widget', teamIds: [TECH] } },
    ]);
  });

  it("shows each inbox's business hours, and gives an inbox a calendar or none", async () => {
    const { srv, user, form } = await editApp();
    const website = await row(1);
    await waitFor(() =>
      expect(within(website).getByTestId('inbox-calendar-label').textContent).toBe('Office hours'),
    );
    expect(within(await row(0)).getByTestId('inbox-calendar-label').textContent).toBe(
      'Always open (no calendar)',
    );
    const select = within(form).getByTestId('inbox-calendar') as HTMLSelectElement;
    expect(select.value).toBe('');
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Always open (no calendar)',
      'Office hours',
      'Shop hours',
    ]);
    await user.selectOptions(select, SHOP);
    await user.click(within(form).getByTestId('inbox-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]!.body).toEqual({ calendarId: SHOP });
    await waitFor(() =>
      expect(
        within(screen.getAllByTestId('inbox-row')[0]!).getByTestId('inbox-calendar-label').textContent,
      ).toBe('Shop hours'),
    );

    // Back to none: sent as null.
    await user.click(within(screen.getAllByTestId('inbox-row')[0]!).getByTestId('inbox-edit'));
    await user.selectOptions(screen.getByTestId('inbox-calendar'), '');
    await user.click(screen.getByTestId('inbox-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(2));
    expect(srv.changes()[1]!.body).toEqual({ calendarId: null });
  });

  it('shows supervisors no edit controls', async () => {
    const srv = desk();
    await renderWithServices(<InboxesPage />, { lang: 'en', tokens: signedIn('supervisor', REZA) });
    await row(1);
    expect(screen.queryByTestId('inbox-edit')).toBeNull();
    expect(screen.queryByTestId('inbox-new')).toBeNull();
    expect(screen.queryByTestId('inbox-form')).toBeNull();
    expect(screen.getByText('You can view this section; only admins can change it.')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });
});
