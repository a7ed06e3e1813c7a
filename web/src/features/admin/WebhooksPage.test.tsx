import type { Webhook } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Route } from '../../test/services.js';
import { error, type PageOptions, renderListPage, server } from './fixtures.js';
import { delivery, HOOK, HOOK_2, webhook } from './settings-fixtures.js';
import { WebhooksPage } from './WebhooksPage.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const HOOKS = '/api/v1/support/webhooks';
const NEW_HOOK = '00000000-0000-4000-8000-0000000000f3';

function desk(routes: Record<string, Route> = {}) {
  let hooks: Webhook[] = [
    webhook(HOOK, 'CRM'),
    webhook(HOOK_2, 'Old', {
      enabled: false,
      events: ['support.sla_breached'],
      url: 'http://old.example.com/x',
    }),
  ];
  return server({
    [HOOKS]: (body, method) => {
      if (method === 'GET') return [200, { items: hooks }];
      const created = webhook(NEW_HOOK, '', body as Partial<Webhook>);
      hooks = [...hooks, created];
      return [201, { ...created, secret: 'whsec_0123456789abcdef' }];
    },
    [`${HOOKS}/${HOOK}`]: (body, method) => {
      if (method === 'DELETE') {
        hooks = hooks.filter((h) => h.id !== HOOK);
        return [204, null];
      }
      hooks = hooks.map((h) => (h.id === HOOK ? { ...h, ...(body as object) } : h));
      return [200, hooks[0]];
    },
    [`${HOOKS}/${HOOK}/rotate-secret`]: () => [
      200,
      { ...hooks[0]!, secretHint: 'ffff', secret: 'whsec_rotated' },
    ],
    [`${HOOKS}/${HOOK}/test`]: () => [202, { queued: true }],
    [`${HOOKS}/${HOOK}/deliveries`]: () => [
      200,
      {
        items: [
          delivery(3, {
            event: 'ping',
            status: 'failed',
            attempts: 5,
            lastStatusCode: 500,
            lastError: 'HTTP 500',
            deliveredAt: null,
          }),
          delivery(2, { event: 'support.resolved' }),
          delivery(1, {
            status: 'failed',
            attempts: 2,
            lastStatusCode: null,
            lastError: 'connect ECONNREFUSED',
            deliveredAt: null,
          }),
        ],
      },
    ],
    [`${HOOKS}/${HOOK_2}/deliveries`]: () => [200, { items: [] }],
    [`${HOOKS}/${NEW_HOOK}/deliveries`]: () => [200, { items: [] }],
    ...routes,
  });
}

const renderPage = (options?: PageOptions) => renderListPage(<WebhooksPage />, 'webhook-row', options);

describe(WebhooksPage.name, () => {
  it('lists webhooks with their events in words and their last deliveries', async () => {
    desk();
    const { rows } = await renderPage();
    const [crm, old] = rows;
    expect(within(crm!).getByTestId('webhook-url').textContent).toBe('https://hooks.example.com/abrik');
    expect(within(crm!).getByTestId('webhook-events').textContent).toBe('Conversation opened, Resolved');
    expect(within(crm!).getByTestId('webhook-enabled').textContent).toBe('Enabled');
    expect(crm!.textContent).toContain('••••a1b2');
    await waitFor(() =>
      expect(
        within(crm!)
          .getAllByTestId('webhook-recent-status')
          .map((s) => s.textContent),
      ).toEqual(['Failed', 'Delivered', 'Failed']),
    );
    expect(within(old!).getByTestId('webhook-enabled').textContent).toBe('Disabled');
    expect(within(old!).getByTestId('webhook-events').textContent).toBe('SLA breached');
    await waitFor(() =>
      expect(within(old!).getByTestId('webhook-recent').textContent).toContain('No deliveries yet.'),
    );
  });

  it('shows the deliveries table: status, attempts, last answer or error, times', async () => {
    desk();
    const { user, rows } = await renderPage({ lang: 'fa' });
    await user.click(within(rows[0]!).getByTestId('webhook-deliveries-toggle'));
    const table = within(rows[0]!).getByTestId('webhook-deliveries');
    await waitFor(() => expect(within(table).getAllByTestId('delivery-row')).toHaveLength(3));
    const [ping, resolved, refused] = within(table).getAllByTestId('delivery-row');
    // Times are the browser's local time, in Jalali: the hour depends on the machine's zone.
    const jalaliTime = expect.stringMatching(/^(۱۰|۱۱) آذر ۱۴۰۵، [۰-۹]{2}:[۰-۹]{2}$/);
    expect([...ping!.querySelectorAll('td')].map((c) => c.textContent)).toEqual([
      'آزمایش',
      'ناموفق',
      '۵',
      'HTTP 500 — HTTP 500',
      jalaliTime,
      jalaliTime,
      '—',
    ]);
    expect(resolved!.textContent).toContain('حل‌شدن');
    expect(within(refused!).getByTestId('delivery-last').textContent).toBe('connect ECONNREFUSED');
  });

  it('creates a webhook and shows its secret once, with a copy button and a warning', async () => {
    const srv = desk();
    const { user } = await renderPage();
    await user.click(screen.getByTestId('webhook-new'));
    const form = screen.getByTestId('webhook-form');
    await user.type(within(form).getByTestId('webhook-name'), 'Zapier');
    await user.type(within(form).getByTestId('webhook-url-input'), 'ftp://files.example.com');
    await user.click(within(form).getByTestId('webhook-save'));
    expect(
      within(form)
        .getAllByTestId('field-error')
        .map((e) => e.textContent),
    ).toEqual(['Write a full URL starting with https:// or http://.', 'Choose at least one event.']);
    expect(srv.changes()).toEqual([]);

    await user.clear(within(form).getByTestId('webhook-url-input'));
    await user.type(within(form).getByTestId('webhook-url-input'), 'https://hooks.zapier.com/abc');
    const events = within(form).getAllByTestId('webhook-event') as HTMLInputElement[];
    await user.click(events.find((e) => e.value === 'support.sla_breached')!);
    await user.click(events.find((e) => e.value === 'support.opened')!);
    await user.click(within(form).getByTestId('webhook-save'));

    const dialog = await screen.findByTestId('secret-dialog');
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: HOOKS,
        // In the order of the event list, not of the clicks.
        body: {
          name: 'Zapier',
          url: 'https://hooks.zapier.com/abc',
          events: ['support.opened', 'support.sla_breached'],
        },
      },
    ]);
    expect((within(dialog).getByTestId('secret-value') as HTMLInputElement).value).toBe(
      'whsec_0123456789abcdef',
    );
    expect(within(dialog).getByTestId('secret-warning').textContent).toBe(
      'This secret is shown this once only. Copy it now and keep it somewhere safe.',
    );
    expect(document.activeElement).toBe(within(dialog).getByTestId('secret-copy'));
    await user.click(within(dialog).getByTestId('secret-copy'));
    expect(await navigator.clipboard.readText()).toBe('whsec_0123456789abcdef');
    expect(within(dialog).getByTestId('secret-copied').textContent).toBe('Copied.');

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('secret-dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('webhook-new')));
    expect(screen.getAllByTestId('webhook-row')).toHaveLength(3);
    // Shown once: nothing on the page holds it any more.
    expect(document.body.textContent).not.toContain('whsec_0123456789abcdef');
  });

  it('disables and enables, sends a test, and rotates the secret after asking', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    const crm = rows[0]!;
    await user.click(within(crm).getByRole('button', { name: 'Disable CRM' }));
    await waitFor(() => expect(within(crm).getByTestId('webhook-enabled').textContent).toBe('Disabled'));
    expect(within(crm).getByTestId('webhook-notice').textContent).toBe(
      'The webhook is disabled; no events are sent.',
    );

    await user.click(within(crm).getByRole('button', { name: 'Send a test to CRM' }));
    await waitFor(() =>
      expect(within(crm).getByTestId('webhook-notice').textContent).toBe(
        'A test delivery is queued; see its outcome in the deliveries.',
      ),
    );
    expect(within(crm).getByTestId('webhook-deliveries')).toBeTruthy();

    await user.click(within(crm).getByRole('button', { name: 'New secret for CRM' }));
    expect(within(crm).getByTestId('webhook-rotate-question').textContent).toContain(
      'the current one stops being accepted',
    );
    await user.click(within(crm).getByTestId('webhook-rotate-confirm'));
    const dialog = await screen.findByTestId('secret-dialog');
    expect((within(dialog).getByTestId('secret-value') as HTMLInputElement).value).toBe('whsec_rotated');
    // The question closed behind the dialog without taking focus out of it.
    await waitFor(() => expect(within(crm).queryByTestId('webhook-rotate-question')).toBeNull());
    expect(document.activeElement).toBe(within(dialog).getByTestId('secret-copy'));
    // Where the clipboard refuses, the secret is selected for copying by hand.
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('denied', 'NotAllowedError'),
    );
    await user.click(within(dialog).getByTestId('secret-copy'));
    await waitFor(() =>
      expect(within(dialog).getByTestId('secret-copied').textContent).toBe(
        'Could not copy; select the secret and copy it yourself.',
      ),
    );
    const value = within(dialog).getByTestId('secret-value') as HTMLInputElement;
    expect(document.activeElement).toBe(value);
    expect([value.selectionStart, value.selectionEnd]).toEqual([0, value.value.length]);
    await user.click(within(dialog).getByTestId('secret-done'));
    await waitFor(() => expect(document.activeElement).toBe(within(crm).getByTestId('webhook-rotate')));

    expect(srv.changes().map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', `${HOOKS}/${HOOK}`, { enabled: false }],
      ['POST', `${HOOKS}/${HOOK}/test`, undefined],
      ['POST', `${HOOKS}/${HOOK}/rotate-secret`, undefined],
    ]);
  });

  it("edits a webhook and shows the server's refusal of its URL", async () => {
    const srv = desk({
      [`${HOOKS}/${HOOK}`]: () =>
        error(400, 'support/webhook_url_not_allowed', 'This URL is not allowed for a webhook.'),
    });
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByTestId('webhook-edit'));
    const form = within(rows[0]!).getByTestId('webhook-form');
    const url = within(form).getByTestId('webhook-url-input');
    await user.clear(url);
    await user.type(url, 'http://10.0.0.5/hook');
    await user.click(within(form).getByTestId('webhook-save'));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'This URL is not allowed for a webhook.',
    );
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${HOOKS}/${HOOK}`, body: { url: 'http://10.0.0.5/hook' } },
    ]);
  });

  it('deletes a webhook after asking', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByRole('button', { name: 'Delete CRM' }));
    await user.click(within(rows[0]!).getByTestId('webhook-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(1));
    expect(srv.changes()).toEqual([{ method: 'DELETE', url: `${HOOKS}/${HOOK}`, body: undefined }]);
  });

  it('shows supervisors the webhooks and deliveries without controls', async () => {
    const srv = desk();
    const { user, rows } = await renderPage({ role: 'supervisor' });
    for (const id of [
      'webhook-new',
      'webhook-edit',
      'webhook-toggle',
      'webhook-test',
      'webhook-rotate',
      'webhook-delete',
    ]) {
      expect(screen.queryByTestId(id)).toBeNull();
    }
    await user.click(within(rows[0]!).getByTestId('webhook-deliveries-toggle'));
    await waitFor(() => expect(within(rows[0]!).getAllByTestId('delivery-row')).toHaveLength(3));
    expect(srv.changes()).toEqual([]);
  });
});
