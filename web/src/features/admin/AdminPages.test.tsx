import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { AdminPages } from './AdminPages.js';
import { REZA, SARA, server, signedIn } from './fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const empty = (): [number, unknown] => [200, { items: [] }];
function desk() {
  return server({
    '/api/v1/support/teams': empty,
    '/api/v1/support/agents': empty,
    '/api/v1/support/inboxes': empty,
    '/api/v1/support/canned-replies': empty,
  });
}

const tabs = () =>
  (screen.getAllByTestId('admin-tab') as HTMLAnchorElement[]).map((a) => ({
    href: a.getAttribute('href'),
    text: a.textContent,
    current: a.getAttribute('aria-current'),
  }));

describe(AdminPages.name, () => {
  it('shows admins a tab per page, the current one marked, and that page', async () => {
    const srv = desk();
    await renderWithServices(<AdminPages section="inboxes" />, { tokens: signedIn('admin') });
    expect(tabs()).toEqual([
      { href: '/admin/teams', text: 'تیم‌ها', current: null },
      { href: '/admin/agents', text: 'کارکنان', current: null },
      { href: '/admin/inboxes', text: 'صندوق‌ها', current: 'page' },
      { href: '/admin/canned', text: 'پاسخ‌های آماده', current: null },
      { href: '/admin/hours', text: 'ساعت‌های کاری', current: null },
      { href: '/admin/sla', text: 'سطح خدمت', current: null },
      { href: '/admin/webhooks', text: 'وب‌هوک‌ها', current: null },
      { href: '/admin/widgets', text: 'ابزارک‌های گفتگو', current: null },
      { href: '/admin/audit', text: 'گزارش رویدادها', current: null },
    ]);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('صندوق‌های پشتیبانی');
    expect(await screen.findByText('هنوز صندوقی نیست.')).toBeTruthy();
    expect(srv.gets('/api/v1/support/inboxes')).toBe(1);
    expect(srv.gets('/api/v1/support/canned-replies')).toBe(0);
  });

  it('shows the teams page for an unknown section', async () => {
    desk();
    await renderWithServices(<AdminPages section="nonsense" />, {
      lang: 'en',
      tokens: signedIn('supervisor', REZA),
    });
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Teams');
    expect(tabs().find((tab) => tab.current === 'page')?.href).toBe('/admin/teams');
  });

  it('gives supervisors the business hours, SLA, webhooks and widgets pages but not the audit log', async () => {
    const srv = server({
      '/api/v1/support/calendars': empty,
      '/api/v1/support/inboxes': empty,
      '/api/v1/support/holidays': () => [
        422,
        { error: { code: 'calendar/no_holiday_data', message: '', details: { year: 1405, years: [] } } },
      ],
    });
    await renderWithServices(<AdminPages section="audit" />, {
      lang: 'en',
      tokens: signedIn('supervisor', REZA),
    });
    expect(tabs().map((tab) => tab.href)).toEqual([
      '/admin/teams',
      '/admin/agents',
      '/admin/inboxes',
      '/admin/canned',
      '/admin/hours',
      '/admin/sla',
      '/admin/webhooks',
      '/admin/widgets',
    ]);
    // An admin-only section asked for by a supervisor: the first one instead, and no audit request.
    expect(tabs().find((tab) => tab.current === 'page')?.href).toBe('/admin/teams');
    expect(srv.requests.some((r) => r.url === '/api/v1/audit')).toBe(false);
  });

  it('shows admins the business hours page at /admin/hours', async () => {
    server({
      '/api/v1/support/calendars': empty,
      '/api/v1/support/inboxes': empty,
      '/api/v1/support/holidays': () => [
        422,
        { error: { code: 'calendar/no_holiday_data', message: '', details: { year: 1405, years: [1406] } } },
      ],
    });
    await renderWithServices(<AdminPages section="hours" />, { lang: 'en', tokens: signedIn('admin') });
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Business hours');
    expect(
      await screen.findByText('No calendars yet; inboxes without one count as always open.'),
    ).toBeTruthy();
    expect((await screen.findByTestId('holiday-years')).textContent).toBe(
      'The holiday list that comes with the server has these years: 1406.',
    );
  });

  it('gives agents their canned replies only, without asking for the settings', async () => {
    const srv = desk();
    await renderWithServices(<AdminPages section="agents" />, {
      lang: 'en',
      tokens: signedIn('agent', SARA),
    });
    expect(tabs()).toEqual([{ href: '/admin/canned', text: 'Canned replies', current: 'page' }]);
    expect(await screen.findByText('You have no canned replies yet.')).toBeTruthy();
    expect(srv.requests.map((r) => r.url)).toEqual(['/api/v1/support/canned-replies']);
  });

  it('tells a customer they may not be here, and asks the server nothing', async () => {
    const srv = desk();
    await renderWithServices(<AdminPages section="teams" />, {
      lang: 'en',
      tokens: signedIn('customer', SARA),
    });
    expect(screen.getByTestId('admin-not-allowed').textContent).toBe(
      'This area is for support staff; you do not have access to it.',
    );
    expect(screen.queryByTestId('admin-tab')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(srv.calls).toEqual([]);
  });
});
