import type { Assignment } from '@abrik/protocol';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { type Route, renderWithServices } from '../../test/services.js';
import { agent, error, server, signedIn, team } from '../admin/fixtures.js';
import { maskPhone } from './CustomerDetails.js';
import {
  AT,
  CUSTOMER,
  ME,
  OTHER_TICKET,
  REZA,
  SARA,
  TECH,
  TICKET,
  ticket,
  widgetContact,
  widgetCustomer,
} from './fixtures.js';
import { SidePanel } from './SidePanel.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(maskPhone.name, () => {
  it('keeps the first four and the last two digits', () => {
    expect(maskPhone('09121234567')).toBe('0912•••••67');
    expect(maskPhone('۰۹۱۲۱۲۳۴۵۶۷')).toBe('۰۹۱۲•••••۶۷');
    expect(maskPhone('+447700900123')).toBe('+4477••••••23');
  });

  it('keeps what is not a digit in its place', () => {
    expect(maskPhone('0912 123 4567')).toBe('0912 ••• ••67');
    expect(maskPhone('۰۹۱۲-۱۲۳-۴۵۶۷')).toBe('۰۹۱۲-•••-••۶۷');
  });

  it('hides nothing in a number too short to hide part of', () => {
    expect(maskPhone('12345')).toBe('12345');
    expect(maskPhone('')).toBe('');
  });
});

const BASE = `/api/v1/support/conversations/${TICKET}`;
const EARLIER = '00000000-0000-4000-8000-0000000000e3';

const HISTORY: Assignment[] = [
  {
    conversationId: TICKET,
    fromId: null,
    toId: SARA,
    teamId: null,
    reason: 'auto',
    note: null,
    actorId: null,
    at: AT,
  },
  {
    conversationId: TICKET,
    fromId: SARA,
    toId: REZA,
    teamId: TECH,
    reason: 'transfer',
    note: 'Card payment failed twice; he wants a refund.',
    actorId: SARA,
    at: '2026-12-01T10:05:00.000Z',
  },
];

async function renderPanel({
  lang = 'en',
  routes = {},
  open = false,
  onClose,
}: {
  lang?: Lang;
  routes?: Record<string, Route>;
  open?: boolean;
  onClose?: () => void;
} = {}) {
  const srv = server({
    [`${BASE}/customer`]: () => [
      200,
      {
        id: CUSTOMER,
        name: 'Ali Karimi',
        phone: '+989121234567',
        conversations: [
          {
            conversationId: OTHER_TICKET,
            status: 'resolved',
            subject: 'Late delivery',
            assigneeId: SARA,
            createdAt: '2026-11-20T08:00:00.000Z',
            resolvedAt: '2026-11-20T09:00:00.000Z',
            lastActivityAt: '2026-11-20T09:00:00.000Z',
          },
          {
            conversationId: EARLIER,
            status: 'closed',
            subject: null,
            assigneeId: null,
            createdAt: '2026-10-02T08:00:00.000Z',
            resolvedAt: null,
            lastActivityAt: '2026-10-02T08:00:00.000Z',
          },
        ],
      },
    ],
    [`${BASE}/assignments`]: () => [200, { items: HISTORY }],
    [`${BASE}/sla`]: () => [200, { items: [] }],
    '/api/v1/support/agents': () => [200, { items: [agent(SARA, 'Sara'), agent(REZA, 'Reza')] }],
    '/api/v1/support/teams': () => [200, { items: [team(TECH, 'Tech')] }],
    ...routes,
  });
  // A refusal is shown at once, as in the app (which does not retry a 4xx).
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const { user } = await renderWithServices(
    <QueryClientProvider client={queries}>
      <SidePanel ticket={ticket({ assigneeId: REZA, teamId: TECH })} open={open} onClose={onClose} />
    </QueryClientProvider>,
    { lang, tokens: signedIn('agent', ME) },
  );
  return { srv, user };
}

describe(SidePanel.name, () => {
  it('shows the customer with the phone masked until asked for, written as people write it', async () => {
    const { user } = await renderPanel();
    expect((await screen.findByTestId('side-customer-name')).textContent).toBe('Ali Karimi');
    const phone = screen.getByTestId('side-phone');
    expect(phone.textContent).toBe('0912 ••• ••67');
    const toggle = screen.getByTestId('side-phone-toggle');
    expect(toggle.textContent).toBe('Show');
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    await user.click(toggle);
    expect(phone.textContent).toBe('0912 123 4567');
    expect(toggle.textContent).toBe('Hide');
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    await user.click(toggle);
    expect(phone.textContent).toBe('0912 ••• ••67');
  });

  it('writes a foreign customer’s number in the international format', async () => {
    const { user } = await renderPanel({
      routes: {
        [`${BASE}/customer`]: () => [
          200,
          { id: CUSTOMER, name: 'Jo', phone: '+447700900123', conversations: [] },
        ],
      },
    });
    const phone = await screen.findByTestId('side-phone');
    await user.click(screen.getByTestId('side-phone-toggle'));
    expect(phone.textContent).toBe('+44 7700 900123');
  });

  it('masks the phone in Persian digits in Persian', async () => {
    const { user } = await renderPanel({ lang: 'fa' });
    const phone = await screen.findByTestId('side-phone');
    expect(phone.textContent).toBe('۰۹۱۲ ••• ••۶۷');
    await user.click(screen.getByTestId('side-phone-toggle'));
    expect(phone.textContent).toBe('۰۹۱۲ ۱۲۳ ۴۵۶۷');
  });

  it('links the earlier conversations', async () => {
    await renderPanel();
    const earlier = screen.getByTestId('side-earlier');
    await waitFor(() => expect(within(earlier).getAllByRole('link')).toHaveLength(2));
    const links = within(earlier).getAllByRole('link');
    expect(links.map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      [`/support/all/${OTHER_TICKET}`, 'Late delivery'],
      [`/support/all/${EARLIER}`, 'No subject'],
    ]);
    const items = within(earlier).getAllByRole('listitem');
    expect(items[0]?.textContent).toContain('Resolved');
    expect(items[1]?.textContent).toContain('Closed');
  });

  it("shows the conversation's SLA deadlines first", async () => {
    await renderPanel({
      routes: {
        [`${BASE}/sla`]: () => [
          200,
          {
            items: [
              {
                kind: 'first_response',
                cycle: 0,
                business: true,
                targetSeconds: 3600,
                startedAt: AT,
                dueAt: '2026-12-01T11:00:00.000Z',
                paused: false,
                metAt: '2026-12-01T10:20:00.000Z',
                breachedAt: null,
                stoppedAt: null,
              },
            ],
          },
        ],
      },
    });
    const panel = screen.getByTestId('side-panel');
    const sla = await within(panel).findByTestId('sla-target');
    expect(within(sla).getByTestId('sla-state').textContent).toBe('Met');
    expect(panel.querySelector('section')).toBe(screen.getByTestId('side-sla'));
  });

  it('says when there are no earlier conversations', async () => {
    await renderPanel({
      routes: {
        [`${BASE}/customer`]: () => [
          200,
          { id: CUSTOMER, name: null, phone: '+989121234567', conversations: [] },
        ],
      },
    });
    expect(await screen.findByText('No earlier conversations.')).toBeTruthy();
    expect(screen.getByTestId('side-customer-name').textContent).toBe('Unnamed');
  });

  it('shows who had the conversation, by whom, and the transfer note', async () => {
    await renderPanel();
    const history = screen.getByTestId('side-history');
    await waitFor(() => expect(within(history).getAllByRole('listitem')).toHaveLength(2));
    // Names come with the agents' list.
    await waitFor(() => expect(history.textContent).toContain('Reza'));
    const [auto, transfer] = within(history).getAllByRole('listitem');
    expect(auto?.textContent).toContain('Auto-assigned to Sara');
    expect(auto?.textContent).not.toContain('by');
    expect(transfer?.textContent).toContain('Transferred to Reza Tech');
    expect(transfer?.textContent).toContain('by Sara');
    expect(transfer?.querySelector('.note-text')?.textContent).toBe(
      'Card payment failed twice; he wants a refund.',
    );
  });

  it('shows why the customer could not be read', async () => {
    await renderPanel({
      routes: {
        [`${BASE}/customer`]: () => error(403, 'auth/forbidden', 'You may not see this customer.'),
      },
    });
    expect(await screen.findByText('You may not see this customer.')).toBeTruthy();
    expect(screen.queryByTestId('side-phone')).toBeNull();
  });

  it('closes on Esc or its button while open over the conversation', async () => {
    const onClose = vi.fn();
    const { user } = await renderPanel({ open: true, onClose });
    expect(screen.getByTestId('side-panel').className).toBe('side-panel open');
    await user.click(await screen.findByTestId('side-phone-toggle'));
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('ignores Esc while shown beside the conversation', async () => {
    const onClose = vi.fn();
    const { user } = await renderPanel({ onClose });
    await user.click(await screen.findByTestId('side-phone-toggle'));
    await user.keyboard('{Escape}');
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId('side-panel').className).toBe('side-panel');
  });
});

describe('SidePanel for a website visitor', () => {
  const customerRoute = (body: unknown): Record<string, Route> => ({
    [`${BASE}/customer`]: () => [200, body],
  });
  /** Each `<dt>` with its `<dd>`, as the agent reads them. */
  const pairs = (dl: HTMLElement) =>
    [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]);

  it('shows the site, the verified badge with the site’s id, and the contact’s details', async () => {
    const { user } = await renderPanel({ routes: customerRoute(widgetCustomer(widgetContact())) });
    const widget = await screen.findByTestId('side-widget');
    expect(screen.getByTestId('side-widget-site').textContent).toBe(
      'Website: Shop · https://shop.example.ir',
    );
    const badge = screen.getByTestId('side-widget-trust');
    expect(badge.textContent).toBe('Verified by the website');
    expect(badge.classList.contains('trust-verified')).toBe(true);
    expect(screen.getByTestId('side-widget-external-id').textContent).toBe('user-4021');
    expect(screen.getByTestId('side-widget-name').textContent).toBe('Ali Karimi');
    expect(screen.getByTestId('side-widget-email').textContent).toBe('ali2026@example.com');
    expect(screen.getByTestId('side-widget-email').getAttribute('dir')).toBe('ltr');
    // The visitor's phone is masked like any customer's, until asked for.
    const phone = screen.getByTestId('side-widget-phone');
    expect(phone.getAttribute('dir')).toBe('ltr');
    expect(phone.textContent).toBe('0912 ••• ••67');
    await user.click(screen.getByTestId('side-widget-phone-toggle'));
    expect(phone.textContent).toBe('0912 123 4567');
    expect(within(widget).queryByTestId('side-widget-offline')).toBeNull();
    // Nothing filled in, nothing set by the page: no empty lists.
    expect(within(widget).queryByTestId('side-widget-form')).toBeNull();
    expect(within(widget).queryByTestId('side-widget-attributes')).toBeNull();
  });

  it('has no phone row for the customer whose user key is not a phone', async () => {
    await renderPanel({ routes: customerRoute(widgetCustomer(widgetContact({ phone: null }))) });
    await screen.findByTestId('side-widget');
    expect(screen.getByTestId('side-customer-name').textContent).toBe('Ali Karimi');
    expect(screen.queryByTestId('side-phone')).toBeNull();
    expect(screen.queryByTestId('side-phone-toggle')).toBeNull();
    expect(screen.queryByTestId('side-widget-phone')).toBeNull();
    const panel = screen.getByTestId('side-panel');
    expect([...panel.querySelectorAll('dt')].map((dt) => dt.textContent)).not.toContain('Phone');
  });

  it('marks an unverified visitor’s details as their own word, with the form they left offline', async () => {
    await renderPanel({
      routes: customerRoute(
        widgetCustomer(
          widgetContact({
            verified: false,
            // Only a verified contact has one; should one come, the site did not sign it here.
            externalId: 'user-4021',
            offline: true,
            hostOrigin: null,
            form: { name: 'Ali Karimi', order_no: 'A-1024', message: 'Where is my parcel?' },
          }),
        ),
      ),
    });
    const widget = await screen.findByTestId('side-widget');
    const badge = screen.getByTestId('side-widget-trust');
    expect(badge.textContent).toBe('Unverified — the visitor’s own word');
    expect(badge.classList.contains('trust-unverified')).toBe(true);
    expect(screen.queryByTestId('side-widget-external-id')).toBeNull();
    expect(screen.getByTestId('side-widget-site').textContent).toBe('Website: Shop');
    expect(screen.getByTestId('side-widget-offline').textContent).toBe('Offline message');
    expect(within(widget).getByRole('heading', { name: 'Form answers' })).toBeTruthy();
    expect(pairs(screen.getByTestId('side-widget-form'))).toEqual([
      ['name', 'Ali Karimi'],
      ['order_no', 'A-1024'],
      ['message', 'Where is my parcel?'],
    ]);
  });

  it('lists the page’s attributes as unverified', async () => {
    await renderPanel({
      routes: customerRoute(
        widgetCustomer(
          widgetContact({
            attributes: { plan: 'gold-2026', orders: 12, vip: true, trial: false, coupon: null },
          }),
        ),
      ),
    });
    const attributes = await screen.findByTestId('side-widget-attributes');
    expect(attributes.classList.contains('unverified')).toBe(true);
    const heading = within(screen.getByTestId('side-widget')).getByRole('heading', {
      name: 'Attributes from the site’s page Unverified',
    });
    expect(heading.querySelector('.trust-unverified')?.textContent).toBe('Unverified');
    expect(pairs(attributes)).toEqual([
      ['plan', 'gold-2026'],
      ['orders', '12'],
      ['vip', 'Yes'],
      ['trial', 'No'],
      ['coupon', '—'],
    ]);
  });

  it('writes the visitor’s phone and numbers in Persian digits in Persian, and leaves their text alone', async () => {
    const { user } = await renderPanel({
      lang: 'fa',
      routes: customerRoute(
        widgetCustomer(widgetContact({ verified: false, attributes: { orders: 12, plan: 'gold-2026' } })),
      ),
    });
    const phone = await screen.findByTestId('side-widget-phone');
    expect(phone.textContent).toBe('۰۹۱۲ ••• ••۶۷');
    await user.click(screen.getByTestId('side-widget-phone-toggle'));
    expect(phone.textContent).toBe('۰۹۱۲ ۱۲۳ ۴۵۶۷');
    expect(screen.getByTestId('side-widget-trust').textContent).toBe('اطلاعات تأییدنشده');
    expect(screen.getByTestId('side-widget-site').textContent).toBe('وب‌سایت: Shop · https://shop.example.ir');
    // An e-mail or a code with digits stays as the visitor or the site wrote it.
    expect(screen.getByTestId('side-widget-email').textContent).toBe('ali2026@example.com');
    expect(pairs(screen.getByTestId('side-widget-attributes'))).toEqual([
      ['orders', '۱۲'],
      ['plan', 'gold-2026'],
    ]);
  });

  it('says in Persian that the website verified the visitor', async () => {
    await renderPanel({ lang: 'fa', routes: customerRoute(widgetCustomer(widgetContact())) });
    expect((await screen.findByTestId('side-widget-trust')).textContent).toBe('تأییدشده از سوی وب‌سایت');
  });

  it('shows no website section for a customer of the app', async () => {
    await renderPanel({
      routes: customerRoute({
        id: CUSTOMER,
        name: 'Ali Karimi',
        phone: '+989121234567',
        widget: null,
        conversations: [],
      }),
    });
    expect((await screen.findByTestId('side-phone')).textContent).toBe('0912 ••• ••67');
    expect(screen.queryByTestId('side-widget')).toBeNull();
  });

  it('shows no website section when the server does not say', async () => {
    await renderPanel();
    await screen.findByTestId('side-phone');
    expect(screen.queryByTestId('side-widget')).toBeNull();
  });
});
