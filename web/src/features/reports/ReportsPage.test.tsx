import type { Report, ReportMetrics } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { signedIn } from '../admin/fixtures.js';
import { ReportsPage } from './ReportsPage.js';

const REPORTS = '/api/v1/support/reports';
const CSV = '/api/v1/support/reports.csv';
const SALES = '00000000-0000-4000-8000-0000000000b1';
/** Monday 30 Azar 1405, 10:00 in Tehran: this week began on Saturday 28 Azar (2026-12-19). */
const NOW = () => new Date('2026-12-21T06:30:00Z');

const time = (count: number, median: number | null, p90: number | null) => ({
  count,
  wall: { mean: median, median, p90 },
  business: { mean: median === null ? null : median / 2, median: median === null ? null : median / 2, p90 },
});

function metrics(more: Partial<ReportMetrics> = {}): ReportMetrics {
  const sla = (met: number, breached: number) => ({
    met,
    breached,
    metPercent: met + breached ? (100 * met) / (met + breached) : null,
  });
  return {
    opened: 0,
    reopened: 0,
    resolved: 0,
    firstResponse: time(0, null, null),
    firstResponseByAssignee: time(0, null, null),
    reply: time(0, null, null),
    resolution: time(0, null, null),
    csat: { asked: 0, answered: 0, score: null, responseRate: null },
    sla: { first_response: sla(0, 0), next_response: sla(0, 0), resolution: sla(0, 0) },
    ...more,
  };
}

const SAT = metrics({
  opened: 3,
  resolved: 4,
  firstResponse: time(4, 510, 101_070),
  resolution: time(4, 3600, 103_140),
  csat: { asked: 4, answered: 2, score: 4.5, responseRate: 0.5 },
  sla: {
    first_response: { met: 3, breached: 1, metPercent: 75 },
    next_response: { met: 0, breached: 1, metPercent: 0 },
    resolution: { met: 1, breached: 0, metPercent: 100 },
  },
});
const SUN = metrics({ opened: 5, reopened: 1, resolved: 6, firstResponse: time(6, 300, 1200) });
const MON = metrics({ opened: 4, resolved: 1, firstResponse: time(3, 600, 1080) });

function report(query: URLSearchParams): Report {
  const grouped = query.get('groupBy') ?? 'none';
  const buckets = [
    { label: '1405-09-28', start: '2026-12-18T20:30:00.000Z', end: '2026-12-19T20:30:00.000Z' },
    { label: '1405-09-29', start: '2026-12-19T20:30:00.000Z', end: '2026-12-20T20:30:00.000Z' },
    { label: '1405-09-30', start: '2026-12-20T20:30:00.000Z', end: '2026-12-21T20:30:00.000Z' },
  ];
  return {
    from: buckets[0]!.start,
    to: buckets[2]!.end,
    timeZone: 'Asia/Tehran',
    bucket: (query.get('bucket') ?? 'day') as Report['bucket'],
    groupBy: grouped as Report['groupBy'],
    buckets,
    groups:
      grouped === 'none'
        ? []
        : [
            { id: SALES, name: 'Sales', buckets: [SAT, SUN, MON], total: SAT },
            {
              id: null,
              name: null,
              buckets: [metrics(), metrics(), metrics()],
              total: metrics({ opened: 12 }),
            },
          ],
    all: {
      buckets: [SAT, SUN, MON],
      total: metrics({
        opened: 12,
        reopened: 1,
        resolved: 11,
        firstResponse: time(13, 510, 101_070),
        resolution: time(11, 3600, 103_140),
        csat: { asked: 4, answered: 2, score: 4.5, responseRate: 0.5 },
        sla: SAT.sla,
      }),
    },
  };
}

/** The API as the page sees it, with every URL and header it sent. */
function desk(csv: () => [number, unknown] = () => [200, 'bucket,start']) {
  fakeServer({ [REPORTS]: () => [200, null], [CSV]: () => csv() });
  const inner = globalThis.fetch;
  const sent: Array<{ path: string; query: URLSearchParams; authorization: string | null }> = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit = {}) => {
    const url = new URL(String(input));
    sent.push({
      path: url.pathname,
      query: url.searchParams,
      authorization: new Headers(init.headers).get('authorization'),
    });
    if (url.pathname === REPORTS) {
      return new Response(JSON.stringify(report(url.searchParams)), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    return inner(input, init);
  });
  return sent;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(ReportsPage.name, () => {
  it('shows this week in Jalali, summary cards in Persian digits, charts with a table alternative and a table', async () => {
    const sent = desk();
    await renderWithServices(<ReportsPage now={NOW} />, { tokens: signedIn('supervisor') });
    // The first request: this week, from Saturday 28 Azar (2026-12-19) to today (2026-12-21).
    await waitFor(() => expect(sent.some((s) => s.path === REPORTS)).toBe(true));
    const first = sent.find((s) => s.path === REPORTS)!;
    expect(Object.fromEntries(first.query)).toEqual({
      from: '2026-12-19',
      to: '2026-12-21',
      bucket: 'day',
      groupBy: 'none',
    });
    expect((screen.getByTestId('report-from') as HTMLInputElement).value).toBe('۱۴۰۵/۰۹/۲۸');
    expect((screen.getByTestId('report-to') as HTMLInputElement).value).toBe('۱۴۰۵/۰۹/۳۰');

    // 510 s = 8 min 30 s; 101070 s = 1 day 4 h (28 h 4 min 30 s).
    expect((await screen.findByTestId('card-first-response-median')).textContent).toBe('۸ دقیقه و ۳۰ ثانیه');
    expect(screen.getByTestId('card-first-response-p90').textContent).toBe('۱ روز و ۴ ساعت');
    expect(screen.getByTestId('card-resolution-median').textContent).toBe('۱ ساعت و ۰ دقیقه');
    expect(screen.getByTestId('card-csat-score').textContent).toBe('۴٫۵ از ۵');
    expect(screen.getByTestId('card-csat-rate').textContent).toContain('۵۰');
    expect(screen.getByTestId('card-sla-first_response').textContent).toContain('۷۵');
    expect(screen.getByTestId('card-sla-next_response').textContent).toContain('۰');

    // Each chart: a drawing hidden from screen readers and a table with the same numbers.
    const volume = screen.getByTestId('chart-volume');
    expect(volume.querySelector('svg')?.getAttribute('aria-hidden')).toBe('true');
    expect(volume.querySelectorAll('rect')).toHaveLength(6); // 3 days × opened, resolved
    const alternative = within(volume).getByRole('table', { hidden: true });
    const rows = within(alternative).getAllByRole('row', { hidden: true });
    expect(rows.map((r) => r.textContent)).toEqual([
      'بازهباز شدهحل‌شده',
      '۱۴۰۵/۰۹/۲۸۳۴',
      '۱۴۰۵/۰۹/۲۹۵۶',
      '۱۴۰۵/۰۹/۳۰۴۱',
    ]);
    const lines = screen.getByTestId('chart-first-response');
    expect(lines.querySelectorAll('polyline')).toHaveLength(2); // median and p90

    // One table for everything: a row per day and the range's total.
    const [table] = screen.getAllByTestId('report-group-table');
    const header = within(table!)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(header.slice(0, 4)).toEqual(['بازه', 'باز شده', 'بازگشایی', 'حل‌شده']);
    const body = within(table!)
      .getAllByRole('rowheader')
      .map((h) => h.textContent);
    expect(body).toEqual(['۱۴۰۵/۰۹/۲۸', '۱۴۰۵/۰۹/۲۹', '۱۴۰۵/۰۹/۳۰', 'کل بازه']);
  });

  it('asks again per week and per team, and names the groups (no team included)', async () => {
    const sent = desk();
    const { user } = await renderWithServices(<ReportsPage now={NOW} />, {
      lang: 'en',
      tokens: signedIn('admin'),
    });
    await screen.findByTestId('card-first-response-median');
    await user.selectOptions(screen.getByTestId('report-bucket'), 'week');
    await user.selectOptions(screen.getByTestId('report-group'), 'team');
    await waitFor(() =>
      expect(
        sent.some(
          (s) => s.path === REPORTS && s.query.get('bucket') === 'week' && s.query.get('groupBy') === 'team',
        ),
      ).toBe(true),
    );
    await waitFor(() => expect(screen.getAllByTestId('report-group-table')).toHaveLength(2));
    const captions = screen
      .getAllByTestId('report-group-table')
      .map((t) => t.querySelector('caption')?.textContent);
    expect(captions).toEqual(['Sales per Week', 'No team per Week']);
    // Business hours: the cards show the other clock's numbers (the fixture halves the medians).
    await user.selectOptions(screen.getByTestId('report-clock'), 'business');
    expect(screen.getByTestId('card-first-response-median').textContent).toBe('4 min 15 s');
  });

  it('takes a preset or typed Jalali dates (Persian digits too), and refuses a wrong one', async () => {
    const sent = desk();
    const { user } = await renderWithServices(<ReportsPage now={NOW} />, {
      lang: 'en',
      tokens: signedIn('supervisor'),
    });
    await screen.findByTestId('card-first-response-median');
    const asked = () =>
      sent.filter((s) => s.path === REPORTS).map((s) => [s.query.get('from'), s.query.get('to')]);

    // This month: from 1 Azar 1405 (2026-11-22).
    await user.click(screen.getAllByTestId('report-preset').find((b) => b.dataset.preset === 'month')!);
    await waitFor(() => expect(asked()).toContainEqual(['2026-11-22', '2026-12-21']));
    // The inputs show it in Jalali.
    expect((screen.getByTestId('report-from') as HTMLInputElement).value).toBe('1405/09/01');

    const from = screen.getByTestId('report-from');
    const to = screen.getByTestId('report-to');
    await user.clear(from);
    await user.type(from, '۱۴۰۵/۰۹/۰۵');
    await user.clear(to);
    await user.type(to, '1405-9-10');
    await user.click(screen.getByTestId('report-apply'));
    // 5 Azar 1405 = 2026-11-26; 10 Azar = 2026-12-01.
    await waitFor(() => expect(asked()).toContainEqual(['2026-11-26', '2026-12-01']));
    expect(screen.getByTestId('report-range-shown').textContent).toBe('1405/09/05 to 1405/09/10');

    const before = asked().length;
    await user.clear(to);
    await user.type(to, '1405/13/01');
    await user.click(screen.getByTestId('report-apply'));
    expect(screen.getByTestId('report-range-invalid').textContent).toContain('1405/09/28');
    // "To" before "from" is refused too.
    await user.clear(to);
    await user.type(to, '1405/09/01');
    await user.click(screen.getByTestId('report-apply'));
    expect(screen.getByTestId('report-range-invalid')).toBeTruthy();
    expect(asked()).toHaveLength(before);
  });

  it('downloads the CSV of the same query with the access token', async () => {
    const sent = desk();
    const created = vi.fn(() => 'blob:report');
    const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    // The simulated DOM would follow the link; a browser saves the file.
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved.push([this.href, this.download]);
    });
    const saved: Array<[string, string]> = [];
    onTestFinished(() => {
      URL.createObjectURL = original.create;
      URL.revokeObjectURL = original.revoke;
      clicked.mockRestore();
    });
    const { user } = await renderWithServices(<ReportsPage now={NOW} />, {
      lang: 'en',
      tokens: signedIn('supervisor'),
    });
    await screen.findByTestId('card-first-response-median');
    await user.click(screen.getByTestId('report-csv'));
    await waitFor(() => expect(created).toHaveBeenCalledTimes(1));
    expect(saved).toEqual([['blob:report', 'report.csv']]);
    const csv = sent.find((s) => s.path === CSV)!;
    expect(csv.authorization).toBe('Bearer a.b.c');
    expect(Object.fromEntries(csv.query)).toEqual({
      from: '2026-12-19',
      to: '2026-12-21',
      bucket: 'day',
      groupBy: 'none',
    });
  });

  it('shows the server’s refusal of a CSV', async () => {
    desk(() => [403, { error: { code: 'support/forbidden', message: 'Not allowed here.' } }]);
    const { user } = await renderWithServices(<ReportsPage now={NOW} />, {
      lang: 'en',
      tokens: signedIn('supervisor'),
    });
    await screen.findByTestId('card-first-response-median');
    await user.click(screen.getByTestId('report-csv'));
    expect((await screen.findByTestId('report-csv-error')).textContent).toBe('Not allowed here.');
  });

  it('tells agents the reports are not theirs, without asking the server', async () => {
    const sent = desk();
    await renderWithServices(<ReportsPage now={NOW} />, { lang: 'en', tokens: signedIn('agent') });
    expect(screen.getByTestId('reports-not-allowed').textContent).toBe(
      'Reports are for supervisors and admins.',
    );
    expect(sent).toEqual([]);
  });
});
