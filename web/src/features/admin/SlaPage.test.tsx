import type { SlaPolicy } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { type Route, renderWithServices } from '../../test/services.js';
import {
  APP_INBOX,
  error,
  inbox,
  type PageOptions,
  renderListPage,
  server,
  signedIn,
  WIDGET_INBOX,
} from './fixtures.js';
import { SlaPage } from './SlaPage.js';
import { POLICY, POLICY_2, policy } from './settings-fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const POLICIES = '/api/v1/support/sla-policies';

function desk(routes: Record<string, Route> = {}) {
  let policies: SlaPolicy[] = [
    policy(POLICY, 'VIP website', {
      inboxId: WIDGET_INBOX,
      priority: 'urgent',
      firstResponseSeconds: 5400,
      nextResponseSeconds: 4 * 3600,
      nextResponseBusiness: false,
      resolutionSeconds: 2 * 86_400,
      pauseWhenSnoozed: false,
      warnBeforeSeconds: 900,
    }),
    policy(POLICY_2, 'Everyone', { warnBeforeSeconds: 0, pauseWhenPending: false, pauseWhenSnoozed: false }),
  ];
  return server({
    [POLICIES]: (body, method) => {
      if (method === 'GET') return [200, { items: policies }];
      const created = policy('00000000-0000-4000-8000-0000000000e3', '', body as Partial<SlaPolicy>);
      policies = [created, ...policies];
      return [201, created];
    },
    [`${POLICIES}/${POLICY}`]: (body, method) => {
      if (method === 'DELETE') {
        policies = policies.filter((p) => p.id !== POLICY);
        return [204, null];
      }
      policies = policies.map((p) => (p.id === POLICY ? { ...p, ...(body as object) } : p));
      return [200, policies.find((p) => p.id === POLICY)];
    },
    '/api/v1/support/inboxes': () => [
      200,
      { items: [inbox(APP_INBOX, 'App', { kind: 'app' }), inbox(WIDGET_INBOX, 'Website')] },
    ],
    ...routes,
  });
}

const renderPage = (options?: PageOptions) => renderListPage(<SlaPage />, 'sla-row', options);

async function openNew(routes: Record<string, Route> = {}, lang: Lang = 'en') {
  const srv = desk(routes);
  const rendered = await renderWithServices(<SlaPage />, { lang, tokens: signedIn('admin') });
  await rendered.user.click(await screen.findByTestId('sla-new'));
  return { srv, ...rendered, form: screen.getByTestId('sla-form') };
}

describe(SlaPage.name, () => {
  it('lists the policies in the order given (most specific first) with their targets in words', async () => {
    desk();
    const { rows } = await renderPage();
    const [vip, everyone] = rows;
    await waitFor(() =>
      expect(within(vip!).getByTestId('sla-scope').textContent).toBe('Website, Urgent priority'),
    );
    expect(within(vip!).getByTestId('sla-first_response').textContent).toBe(
      '1 hour 30 minutes of business hours',
    );
    expect(within(vip!).getByTestId('sla-next_response').textContent).toBe('4 hours, calendar time');
    expect(within(vip!).getByTestId('sla-resolution').textContent).toBe('48 hours of business hours');
    expect(within(vip!).getByTestId('sla-pause-label').textContent).toBe('Pending');
    expect(vip!.textContent).toContain('15 minutes');
    expect(within(everyone!).getByTestId('sla-scope').textContent).toBe('All inboxes, Any priority');
    expect(within(everyone!).getByTestId('sla-next_response').textContent).toBe('Not tracked');
    expect(within(everyone!).getByTestId('sla-pause-label').textContent).toBe('Never');
    expect(everyone!.textContent).toContain('No warning');
  });

  it('writes the targets in Persian', async () => {
    desk();
    const { rows } = await renderPage({ lang: 'fa' });
    expect(within(rows[0]!).getByTestId('sla-first_response').textContent).toBe(
      '۱ ساعت و ۳۰ دقیقه در ساعت‌های کاری',
    );
    expect(within(rows[0]!).getByTestId('sla-next_response').textContent).toBe('۴ ساعت شبانه‌روزی');
  });

  it('creates a policy from hours and minutes typed in Persian digits', async () => {
    const { srv, user, form } = await openNew({}, 'fa');
    await user.type(within(form).getByTestId('sla-name'), 'اپ فوری');
    await waitFor(() => expect(within(form).getAllByRole('option', { name: 'App' })).toHaveLength(1));
    await user.selectOptions(within(form).getByTestId('sla-inbox'), APP_INBOX);
    await user.selectOptions(within(form).getByTestId('sla-priority'), 'high');
    await user.type(within(form).getByTestId('sla-first_response-hours'), '۱');
    await user.type(within(form).getByTestId('sla-first_response-minutes'), '۳۰');
    await user.type(within(form).getByTestId('sla-next_response-hours'), '4');
    await user.selectOptions(within(form).getByTestId('sla-next_response-clock'), 'calendar');
    await user.click(within(form).getByTestId('sla-pause-snoozed'));
    const warn = within(form).getByTestId('sla-warn') as HTMLInputElement;
    expect(warn.value).toBe('۱۰');
    await user.clear(warn);
    await user.type(warn, '۱۵');
    await user.click(within(form).getByTestId('sla-save'));
    await waitFor(() => expect(screen.queryByTestId('sla-form')).toBeNull());
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: POLICIES,
        body: {
          name: 'اپ فوری',
          inboxId: APP_INBOX,
          priority: 'high',
          firstResponseSeconds: 5400,
          firstResponseBusiness: true,
          nextResponseSeconds: 14_400,
          nextResponseBusiness: false,
          resolutionSeconds: null,
          resolutionBusiness: true,
          pauseWhenPending: true,
          pauseWhenSnoozed: false,
          warnBeforeSeconds: 900,
        },
      },
    ]);
  });

  it('sends only what changed', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByTestId('sla-edit'));
    const form = within(rows[0]!).getByTestId('sla-form');
    expect((within(form).getByTestId('sla-first_response-hours') as HTMLInputElement).value).toBe('1');
    expect((within(form).getByTestId('sla-first_response-minutes') as HTMLInputElement).value).toBe('30');
    expect((within(form).getByTestId('sla-resolution-hours') as HTMLInputElement).value).toBe('48');
    await user.clear(within(form).getByTestId('sla-resolution-hours'));
    await user.type(within(form).getByTestId('sla-resolution-hours'), '72');
    await user.selectOptions(within(form).getByTestId('sla-resolution-clock'), 'calendar');
    await user.click(within(form).getByTestId('sla-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]).toEqual({
      method: 'PATCH',
      url: `${POLICIES}/${POLICY}`,
      body: { resolutionSeconds: 259_200, resolutionBusiness: false },
    });
    await waitFor(() =>
      expect(within(screen.getAllByTestId('sla-row')[0]!).getByTestId('sla-resolution').textContent).toBe(
        '72 hours, calendar time',
      ),
    );
  });

  it('blocks targets out of range with a message by each field', async () => {
    const { srv, user, form } = await openNew();
    await user.type(within(form).getByTestId('sla-name'), 'Bad');
    await user.type(within(form).getByTestId('sla-first_response-minutes'), '75');
    await user.type(within(form).getByTestId('sla-next_response-hours'), '0');
    await user.type(within(form).getByTestId('sla-resolution-hours'), '2161');
    await user.clear(within(form).getByTestId('sla-warn'));
    await user.type(within(form).getByTestId('sla-warn'), '1441');
    await user.click(within(form).getByTestId('sla-save'));
    const messages = within(form)
      .getAllByTestId('field-error')
      .map((e) => e.textContent);
    expect(messages).toEqual([
      ...Array(3).fill(
        'Write the target in hours and minutes: at least 1 minute, at most 90 days (minutes 0 to 59).',
      ),
      'Enter a number from 0 to 1440 minutes.',
    ]);
    // Hours and minutes of a target are one field in error: the first of them is focused.
    const hours = within(form).getByTestId('sla-first_response-hours');
    await waitFor(() => expect(document.activeElement).toBe(hours));
    expect(srv.changes()).toEqual([]);
  });

  it.each([
    [
      409,
      'support/sla_policy_exists',
      'This inbox and priority already have a policy.',
      undefined,
      'This inbox and priority already have a policy.',
    ],
    [404, 'support/inbox_not_found', 'Inbox not found.', undefined, 'Inbox not found.'],
    [
      400,
      'validation/invalid',
      'The request is not valid.',
      [{ path: ['firstResponseSeconds'], message: 'Too small' }],
      'The request is not valid. (First response)',
    ],
  ])("shows the server's %i in words", async (status, code, message, details, shown) => {
    const { user, form } = await openNew({
      [POLICIES]: (_body, method) =>
        method === 'GET'
          ? [200, { items: [] }]
          : [status, { error: { code, message, ...(details ? { details } : {}) } }],
    });
    await user.type(within(form).getByTestId('sla-name'), 'Again');
    await user.type(within(form).getByTestId('sla-first_response-hours'), '1');
    await user.click(within(form).getByTestId('sla-save'));
    expect((await within(form).findByRole('alert')).textContent).toBe(shown);
    expect(screen.getByTestId('sla-form')).toBe(form);
  });

  it('deletes a policy after asking, and shows a 404 in words', async () => {
    const srv = desk({
      [`${POLICIES}/${POLICY_2}`]: () => error(404, 'support/sla_policy_not_found', 'SLA policy not found.'),
    });
    const { user, rows } = await renderPage();
    await user.click(within(rows[1]!).getByRole('button', { name: 'Delete policy Everyone' }));
    expect(within(rows[1]!).getByTestId('sla-delete-question').textContent).toContain(
      'Delete the policy “Everyone”? Running deadlines stay as they are.',
    );
    await user.click(within(rows[1]!).getByTestId('sla-delete-confirm'));
    expect((await within(rows[1]!).findByRole('alert')).textContent).toBe('SLA policy not found.');

    await user.click(within(rows[0]!).getByTestId('sla-delete'));
    await user.click(within(rows[0]!).getByTestId('sla-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('sla-row')).toHaveLength(1));
    expect(srv.changes().map((r) => [r.method, r.url])).toEqual([
      ['DELETE', `${POLICIES}/${POLICY_2}`],
      ['DELETE', `${POLICIES}/${POLICY}`],
    ]);
  });

  it('shows supervisors the policies without controls', async () => {
    const srv = desk();
    await renderPage({ role: 'supervisor' });
    expect(screen.queryByTestId('sla-new')).toBeNull();
    expect(screen.queryByTestId('sla-edit')).toBeNull();
    expect(screen.queryByTestId('sla-delete')).toBeNull();
    expect(screen.getByText('You can view this section; only admins can change it.')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });
});
