import type { Widget } from '@abrik/protocol';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Route } from '../../test/services.js';
import { APP_INBOX, inbox, type PageOptions, renderListPage, server, WIDGET_INBOX } from './fixtures.js';
import { SITE, SITE_2, widget } from './settings-fixtures.js';
import { WidgetsPage } from './WidgetsPage.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const WIDGETS = '/api/v1/widgets';
const NEW_SITE = '00000000-0000-4000-8000-000000000103';
/** Still in the future when these tests run (the page shows a previous secret only until then). */
const LATER = '2030-01-05T08:30:00.000Z';

function desk(routes: Record<string, Route> = {}) {
  let widgets: Widget[] = [
    widget(SITE, 'Shop', {
      allowedOrigins: ['https://shop.example.ir', 'https://www.shop.example.ir'],
      identityMode: 'required',
      theme: { position: 'left', primaryColor: '#1E88E5' },
      greeting: { fa: 'سلام! چطور کمکتان کنیم؟' },
      prechat: {
        enabled: true,
        fields: [
          { key: 'name', kind: 'name', label: {}, required: true },
          {
            key: 'order_id',
            kind: 'text',
            label: { fa: 'شمارهٔ سفارش', en: 'Order number' },
            required: false,
          },
        ],
      },
      previousSecretExpiresAt: LATER,
    }),
    widget(SITE_2, 'Blog', { enabled: false, allowedOrigins: [], waitOfferSeconds: 0 }),
  ];
  return server({
    '/api/v1/support/inboxes': () => [
      200,
      { items: [inbox(APP_INBOX, 'App', { kind: 'app' }), inbox(WIDGET_INBOX, 'Website')] },
    ],
    [WIDGETS]: (body, method) => {
      if (method === 'GET') return [200, { items: widgets }];
      const created = widget(NEW_SITE, '', body as Partial<Widget>);
      widgets = [...widgets, created];
      return [201, { ...created, secret: 'wsec_0123456789abcdef' }];
    },
    [`${WIDGETS}/${SITE}`]: (body, method) => {
      if (method === 'DELETE') {
        widgets = widgets.filter((w) => w.id !== SITE);
        return [204, null];
      }
      widgets = widgets.map((w) => (w.id === SITE ? { ...w, ...(body as object) } : w));
      return [200, widgets[0]];
    },
    [`${WIDGETS}/${SITE}/rotate-secret`]: (body) => {
      const grace = (body as { graceSeconds?: number } | undefined)?.graceSeconds ?? 86_400;
      const until = new Date(Date.now() + grace * 1000).toISOString();
      widgets = widgets.map((w) => (w.id === SITE ? { ...w, previousSecretExpiresAt: until } : w));
      return [200, { ...widgets[0]!, secret: 'wsec_rotated' }];
    },
    ...routes,
  });
}

async function renderPage(options?: PageOptions) {
  const rendered = await renderListPage(<WidgetsPage />, 'widget-row', options);
  // The inbox names arrive with their own request.
  await waitFor(() =>
    expect(within(rendered.rows[0]!).getByTestId('widget-inbox').textContent).toBe('Website'),
  );
  return rendered;
}

const fact = (row: HTMLElement, testId: string) => within(row).getByTestId(testId).textContent;

describe(WidgetsPage.name, () => {
  it('lists widgets: inbox, origins, identity, pre-chat form, message offer', async () => {
    desk();
    const { rows } = await renderPage();
    const [shop, blog] = rows;
    expect(within(shop!).getByTestId('widget-enabled').textContent).toBe('Enabled');
    expect(
      [...within(shop!).getByTestId('widget-origins').querySelectorAll('bdi')].map((b) => b.textContent),
    ).toEqual(['https://shop.example.ir', 'https://www.shop.example.ir']);
    expect(fact(shop!, 'widget-identity')).toBe('Required');
    // The label in the UI language, else the standard wording of the kind.
    expect(fact(shop!, 'widget-prechat')).toBe('Name, Order number');
    expect(fact(shop!, 'widget-wait-offer')).toBe('After 3 minutes waiting');
    expect(fact(shop!, 'widget-previous-secret')).toMatch(/^Still accepted until 5 January 2030, \d\d:\d\d$/);

    expect(within(blog!).getByTestId('widget-enabled').textContent).toBe('Disabled');
    expect(fact(blog!, 'widget-origins')).toBe('None; the widget works on no site yet.');
    expect(fact(blog!, 'widget-prechat')).toBe('Off');
    expect(fact(blog!, 'widget-wait-offer')).toBe('Never');
    expect(within(blog!).queryByTestId('widget-previous-secret')).toBeNull();
  });

  it('creates a widget and shows its secret once, then its snippet', async () => {
    const srv = desk();
    const { user } = await renderPage();
    await user.click(screen.getByTestId('widget-new'));
    const form = within(screen.getByTestId('widget-form'));
    // Website inboxes only.
    expect(
      [...(form.getByTestId('widget-inbox-select') as HTMLSelectElement).options].map((o) => o.textContent),
    ).toEqual(['Choose an inbox', 'Website']);

    await user.click(form.getByTestId('widget-save'));
    expect(form.getAllByTestId('field-error').map((e) => e.textContent)).toEqual([
      'The name must be 1 to 64 characters.',
      'Choose the inbox its conversations go to.',
    ]);
    await waitFor(() => expect(document.activeElement).toBe(form.getByTestId('widget-name')));
    expect(srv.changes()).toEqual([]);

    await user.type(form.getByTestId('widget-name'), 'Store');
    await user.selectOptions(form.getByTestId('widget-inbox-select'), WIDGET_INBOX);
    // Blank lines and repeats are dropped.
    await user.type(
      form.getByTestId('widget-origins-input'),
      ' https://store.example.ir {enter}{enter}http://localhost:8080{enter}https://store.example.ir',
    );
    await user.click(
      form.getAllByTestId('widget-identity-mode').find((r) => (r as HTMLInputElement).value === 'off')!,
    );
    fireEvent.input(form.getByTestId('widget-primary-color'), { target: { value: '#aa3300' } });
    expect(form.getByTestId('widget-primary-color-value').textContent).toBe('#aa3300');
    expect(form.getByTestId('widget-text-color-value').textContent).toBe('Default');
    await user.selectOptions(form.getByTestId('widget-position'), 'right');
    await user.type(form.getByTestId('widget-greeting-fa'), 'سلام');
    await user.type(form.getByTestId('widget-offline-en'), 'We are closed.');

    await user.click(form.getByTestId('widget-prechat-enabled'));
    await user.click(form.getByTestId('widget-field-add'));
    await user.click(form.getByTestId('widget-field-add'));
    const fields = form.getAllByTestId('widget-field');
    // Keyed by the contact's detail they ask, in turn.
    expect(fields.map((f) => (within(f).getByTestId('widget-field-key') as HTMLInputElement).value)).toEqual([
      'name',
      'phone',
    ]);
    await user.click(within(fields[1]!).getByTestId('widget-field-required'));
    await user.click(form.getByTestId('widget-field-add'));
    const custom = within(form.getAllByTestId('widget-field')[2]!);
    await user.selectOptions(custom.getByTestId('widget-field-kind'), 'text');
    await user.type(custom.getByTestId('widget-field-key'), 'Order-Id');
    await user.type(custom.getByTestId('widget-field-label-en'), 'Order number');
    const wait = form.getByTestId('widget-wait-offer-input');
    await user.clear(wait);
    await user.type(wait, '1.5');

    await user.click(form.getByTestId('widget-save'));
    expect(form.getAllByTestId('field-error').map((e) => e.textContent)).toEqual([
      'The key starts with a lowercase Latin letter and holds lowercase Latin letters, digits and _ (at most 32).',
    ]);
    expect(srv.changes()).toEqual([]);
    await user.clear(custom.getByTestId('widget-field-key'));
    await user.type(custom.getByTestId('widget-field-key'), 'order_id');
    await user.click(form.getByTestId('widget-save'));

    const dialog = within(await screen.findByTestId('secret-dialog'));
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: WIDGETS,
        body: {
          name: 'Store',
          inboxId: WIDGET_INBOX,
          allowedOrigins: ['https://store.example.ir', 'http://localhost:8080'],
          identityMode: 'off',
          theme: { primaryColor: '#aa3300', position: 'right' },
          greeting: { fa: 'سلام' },
          offlineText: { en: 'We are closed.' },
          prechat: {
            enabled: true,
            fields: [
              { key: 'name', kind: 'name', label: {}, required: false },
              { key: 'phone', kind: 'phone', label: {}, required: true },
              { key: 'order_id', kind: 'text', label: { en: 'Order number' }, required: false },
            ],
          },
          waitOfferSeconds: 90,
          enabled: true,
        },
      },
    ]);
    expect((dialog.getByTestId('secret-value') as HTMLInputElement).value).toBe('wsec_0123456789abcdef');
    expect(dialog.getByTestId('secret-warning').textContent).toBe(
      'This secret is shown this once only. Copy it now and keep it somewhere safe.',
    );
    // A new widget has no previous secret to speak of.
    expect(dialog.queryByTestId('secret-previous')).toBeNull();
    expect(document.activeElement).toBe(dialog.getByTestId('secret-copy'));
    await user.click(dialog.getByTestId('secret-copy'));
    expect(await navigator.clipboard.readText()).toBe('wsec_0123456789abcdef');
    expect(dialog.getByTestId('secret-copied').textContent).toBe('Copied.');

    await user.click(dialog.getByTestId('secret-done'));
    expect(screen.queryByTestId('secret-dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('widget-new')));
    // Shown once: nothing on the page holds it any more.
    expect(document.body.textContent).not.toContain('wsec_0123456789abcdef');
    expect(document.body.innerHTML).not.toContain('wsec_0123456789abcdef');
    // The next step, pasting the snippet, is open on the new widget.
    const rows = screen.getAllByTestId('widget-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[2]!).getByTestId('widget-snippet-toggle').getAttribute('aria-expanded')).toBe('true');
    expect((within(rows[2]!).getByTestId('widget-snippet-text') as HTMLTextAreaElement).value).toContain(
      `widgetId: '${NEW_SITE}'`,
    );
  });

  it("edits the origins and shows the server's refusal of one, naming it", async () => {
    const srv = desk({
      [`${WIDGETS}/${SITE}`]: () => [
        400,
        {
          error: {
            code: 'validation/invalid',
            message: 'The request is not valid.',
            details: [
              {
                in: 'body',
                path: ['allowedOrigins', '1'],
                message: 'must be an exact origin (no wildcard)',
              },
            ],
          },
        },
      ],
    });
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByTestId('widget-edit'));
    const form = within(within(rows[0]!).getByTestId('widget-form'));
    const origins = form.getByTestId('widget-origins-input') as HTMLTextAreaElement;
    expect(origins.value).toBe('https://shop.example.ir\nhttps://www.shop.example.ir');
    await user.clear(origins);
    await user.type(origins, 'https://shop.example.ir{enter}https://*.shop.example.ir');
    await user.click(form.getByTestId('widget-save'));

    expect((await form.findByRole('alert')).textContent).toBe(
      'The request is not valid. (Allowed site origins)',
    );
    expect(form.getByTestId('origins-error').textContent).toBe(
      'https://*.shop.example.ir: must be an exact origin (no wildcard)',
    );
    expect(origins.getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(origins));
    // Only what changed is sent.
    expect(srv.changes()).toEqual([
      {
        method: 'PATCH',
        url: `${WIDGETS}/${SITE}`,
        body: { allowedOrigins: ['https://shop.example.ir', 'https://*.shop.example.ir'] },
      },
    ]);
  });

  it('edits the pre-chat form and the texts, sending only those', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    await user.click(within(rows[0]!).getByTestId('widget-edit'));
    const form = within(within(rows[0]!).getByTestId('widget-form'));
    // The stored colour is kept as it was written, not sent again.
    expect(form.getByTestId('widget-primary-color-value').textContent).toBe('#1E88E5');
    const [, order] = form.getAllByTestId('widget-field');
    await user.type(within(order!).getByTestId('widget-field-label-en'), ' (optional)');
    await user.click(form.getAllByTestId('widget-field-remove')[0]!);
    await user.click(form.getByTestId('widget-field-add'));
    const added = within(form.getAllByTestId('widget-field')[1]!);
    expect((added.getByTestId('widget-field-key') as HTMLInputElement).value).toBe('name');
    await user.clear(added.getByTestId('widget-field-key'));
    await user.type(added.getByTestId('widget-field-key'), 'order_id');
    await user.click(form.getByTestId('widget-save'));
    // Both fields holding it are marked.
    expect(form.getAllByTestId('field-error').map((e) => e.textContent)).toEqual([
      'Another field has this key too.',
      'Another field has this key too.',
    ]);
    expect(srv.changes()).toEqual([]);

    // Changing the kind of a field keyed by its kind moves the key with it.
    await user.clear(added.getByTestId('widget-field-key'));
    await user.type(added.getByTestId('widget-field-key'), 'email');
    await user.selectOptions(added.getByTestId('widget-field-kind'), 'email');
    await user.selectOptions(added.getByTestId('widget-field-kind'), 'phone');
    expect((added.getByTestId('widget-field-key') as HTMLInputElement).value).toBe('phone');
    await user.clear(form.getByTestId('widget-greeting-fa'));
    await user.click(form.getByTestId('widget-save'));
    await waitFor(() => expect(within(rows[0]!).queryByTestId('widget-form')).toBeNull());
    expect(srv.changes()).toEqual([
      {
        method: 'PATCH',
        url: `${WIDGETS}/${SITE}`,
        body: {
          greeting: {},
          prechat: {
            enabled: true,
            fields: [
              {
                key: 'order_id',
                kind: 'text',
                label: { fa: 'شمارهٔ سفارش', en: 'Order number (optional)' },
                required: false,
              },
              { key: 'phone', kind: 'phone', label: {}, required: false },
            ],
          },
        },
      },
    ]);
    expect(fact(rows[0]!, 'widget-prechat')).toBe('Order number (optional), Phone');
  });

  it('rotates the secret with the chosen grace and says until when the previous one works', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    const shop = within(rows[0]!);
    await user.selectOptions(shop.getByTestId('widget-grace'), 'hour');
    await user.click(shop.getByRole('button', { name: 'New secret for Shop' }));
    await user.click(shop.getByTestId('widget-rotate-confirm'));
    const dialog = within(await screen.findByTestId('secret-dialog'));
    expect((dialog.getByTestId('secret-value') as HTMLInputElement).value).toBe('wsec_rotated');
    expect(dialog.getByTestId('secret-previous').textContent).toMatch(
      /^The previous secret is accepted until \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d; move your site’s server/,
    );
    await waitFor(() => expect(shop.queryByTestId('widget-rotate-question')).toBeNull());
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('secret-dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(shop.getByTestId('widget-rotate')));
    expect(document.body.textContent).not.toContain('wsec_rotated');

    // No grace: the previous secret stops at once. The server's setting: nothing sent.
    await user.selectOptions(shop.getByTestId('widget-grace'), 'none');
    await user.click(shop.getByTestId('widget-rotate'));
    await user.click(shop.getByTestId('widget-rotate-confirm'));
    expect((await screen.findByTestId('secret-previous')).textContent).toBe(
      'The previous secret is no longer accepted.',
    );
    await user.click(screen.getByTestId('secret-done'));
    await user.selectOptions(shop.getByTestId('widget-grace'), 'server');
    await user.click(shop.getByTestId('widget-rotate'));
    await user.click(shop.getByTestId('widget-rotate-confirm'));
    await screen.findByTestId('secret-dialog');

    expect(srv.changes().map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', `${WIDGETS}/${SITE}/rotate-secret`, { graceSeconds: 3600 }],
      ['POST', `${WIDGETS}/${SITE}/rotate-secret`, { graceSeconds: 0 }],
      ['POST', `${WIDGETS}/${SITE}/rotate-secret`, undefined],
    ]);
  });

  it('copies the snippet, or selects it when the clipboard refuses', async () => {
    desk();
    const { user, rows } = await renderPage();
    const shop = within(rows[0]!);
    const toggle = shop.getByTestId('widget-snippet-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    const text = shop.getByTestId('widget-snippet-text') as HTMLTextAreaElement;
    expect(text.readOnly).toBe(true);
    expect(text.value).toBe(widget(SITE, 'Shop').snippet);
    await user.click(shop.getByRole('button', { name: 'Copy the snippet of Shop' }));
    expect(await navigator.clipboard.readText()).toBe(text.value);
    expect(shop.getByTestId('widget-snippet-copied').textContent).toBe('Copied.');

    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('denied', 'NotAllowedError'),
    );
    await user.click(shop.getByTestId('widget-snippet-copy'));
    await waitFor(() =>
      expect(shop.getByTestId('widget-snippet-copied').textContent).toBe(
        'Could not copy; the text is selected, press Ctrl+C to copy it.',
      ),
    );
    expect(document.activeElement).toBe(text);
    expect([text.selectionStart, text.selectionEnd]).toEqual([0, text.value.length]);
  });

  it('disables a widget and deletes one after asking', async () => {
    const srv = desk();
    const { user, rows } = await renderPage();
    const shop = within(rows[0]!);
    await user.click(shop.getByRole('button', { name: 'Disable Shop' }));
    await waitFor(() => expect(shop.getByTestId('widget-enabled').textContent).toBe('Disabled'));
    expect(shop.getByTestId('widget-notice').textContent).toBe(
      'The widget is disabled; it does not show on your site.',
    );
    await user.click(shop.getByRole('button', { name: 'Delete Shop' }));
    expect(shop.getByTestId('widget-delete-question').textContent).toContain('Its snippet stops working');
    await user.click(shop.getByTestId('widget-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('widget-row')).toHaveLength(1));
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${WIDGETS}/${SITE}`, body: { enabled: false } },
      { method: 'DELETE', url: `${WIDGETS}/${SITE}`, body: undefined },
    ]);
  });

  it('shows supervisors the widgets and snippets without controls', async () => {
    const srv = desk();
    const { user, rows } = await renderPage({ role: 'supervisor' });
    expect(screen.getByText('You can view this section; only admins can change it.')).toBeTruthy();
    for (const id of [
      'widget-new',
      'widget-edit',
      'widget-toggle',
      'widget-grace',
      'widget-rotate',
      'widget-delete',
    ]) {
      expect(screen.queryByTestId(id)).toBeNull();
    }
    await user.click(within(rows[0]!).getByTestId('widget-snippet-toggle'));
    expect(within(rows[0]!).getByTestId('widget-snippet-text')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });

  it('speaks Persian: Persian digits, Jalali dates, minutes typed in Persian digits', async () => {
    const srv = desk();
    const { user, rows } = await renderPage({ lang: 'fa' });
    const shop = rows[0]!;
    expect(fact(shop, 'widget-identity')).toBe('الزامی');
    expect(fact(shop, 'widget-prechat')).toBe('نام، شمارهٔ سفارش');
    expect(fact(shop, 'widget-wait-offer')).toBe('پس از ۳ دقیقه انتظار');
    // Local time, in Jalali: the hour depends on the machine's zone.
    expect(fact(shop, 'widget-previous-secret')).toMatch(
      /^تا (۱۵|۱۶) دی ۱۴۰۸، [۰-۹]{2}:[۰-۹]{2} هنوز پذیرفته می‌شود$/,
    );

    await user.click(within(shop).getByTestId('widget-edit'));
    const form = within(within(shop).getByTestId('widget-form'));
    const wait = form.getByTestId('widget-wait-offer-input') as HTMLInputElement;
    expect(wait.value).toBe('۳');
    expect(form.getAllByTestId('widget-field').map((f) => f.querySelector('legend')?.textContent)).toEqual([
      'فیلد ۱',
      'فیلد ۲',
    ]);
    await user.clear(wait);
    await user.type(wait, '۲٫۵');
    await user.click(form.getByTestId('widget-save'));
    await waitFor(() => expect(within(shop).queryByTestId('widget-form')).toBeNull());
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${WIDGETS}/${SITE}`, body: { waitOfferSeconds: 150 } },
    ]);
    await waitFor(() => expect(fact(shop, 'widget-wait-offer')).toBe('پس از ۲٫۵ دقیقه انتظار'));
  });
});
