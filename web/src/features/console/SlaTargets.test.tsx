import type { SlaTarget } from '@abrik/protocol';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TFunction } from 'i18next';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../api/client.js';
import { Session } from '../../api/session.js';
import { EngineProvider, ServicesProvider } from '../../app/context.js';
import type { DeskAlert } from '../../chat/desk.js';
import type { ChatEngine } from '../../chat/engine.js';
import { createI18n, type Lang, loadStaffStrings } from '../../i18n/index.js';
import { Store } from '../../lib/store.js';
import { type Route, renderWithServices } from '../../test/services.js';
import { error, server, signedIn } from '../admin/fixtures.js';
import { SlaAlerts } from './Alerts.js';
import { ME, REZA, TICKET } from './fixtures.js';
import { SlaTargets } from './SlaTargets.js';
import { currentTargets, hoursMinutesText, spanText, targetState } from './sla.js';

const NOW = Date.parse('2026-12-05T08:00:00.000Z');
const SLA = `/api/v1/support/conversations/${TICKET}/sla`;

function target(more: Partial<SlaTarget> = {}): SlaTarget {
  return {
    kind: 'first_response',
    cycle: 0,
    business: true,
    targetSeconds: 3600,
    startedAt: '2026-12-05T07:00:00.000Z',
    dueAt: '2026-12-05T09:00:00.000Z',
    paused: false,
    metAt: null,
    breachedAt: null,
    stoppedAt: null,
    ...more,
  };
}

let en: TFunction;
let fa: TFunction;
beforeEach(async () => {
  en = (await createI18n('en')).t;
  const persian = await createI18n('fa');
  await loadStaffStrings(persian);
  fa = persian.t;
});

describe(spanText.name, () => {
  it('says a stretch of time in its two largest units, rounded down', () => {
    expect(spanText(30, en, 'en')).toBe('less than a minute');
    expect(spanText(60, en, 'en')).toBe('1 minute');
    expect(spanText(45 * 60 + 59, en, 'en')).toBe('45 minutes');
    expect(spanText(3600, en, 'en')).toBe('1 hour');
    expect(spanText(2 * 3600 + 5 * 60, en, 'en')).toBe('2 hours 5 minutes');
    expect(spanText(26 * 3600 + 59 * 60, en, 'en')).toBe('1 day 2 hours');
    expect(spanText(3 * 86_400, en, 'en')).toBe('3 days');
    expect(spanText(-5, en, 'en')).toBe('less than a minute');
  });

  it('in Persian, with Persian digits', () => {
    expect(spanText(2 * 3600 + 5 * 60, fa, 'fa')).toBe('۲ ساعت و ۵ دقیقه');
    expect(hoursMinutesText(5400, fa, 'fa')).toBe('۱ ساعت و ۳۰ دقیقه');
    expect(hoursMinutesText(48 * 3600, en, 'en')).toBe('48 hours');
    expect(hoursMinutesText(600, en, 'en')).toBe('10 minutes');
  });
});

describe(targetState.name, () => {
  it('reads met, met late, breached, stopped and paused from the server', () => {
    expect(targetState(target({ metAt: '2026-12-05T07:30:00.000Z' }), NOW)).toBe('met');
    expect(
      targetState(target({ metAt: '2026-12-05T07:30:00.000Z', breachedAt: '2026-12-05T07:20:00.000Z' }), NOW),
    ).toBe('met_late');
    expect(targetState(target({ breachedAt: '2026-12-05T07:20:00.000Z' }), NOW)).toBe('breached');
    expect(targetState(target({ stoppedAt: '2026-12-05T07:20:00.000Z' }), NOW)).toBe('stopped');
    expect(targetState(target({ paused: true, dueAt: null }), NOW)).toBe('paused');
  });

  it('counts down to the deadline: running, due soon within 15 minutes, overdue once past', () => {
    expect(targetState(target({ dueAt: '2026-12-05T08:16:00.000Z' }), NOW)).toBe('running');
    expect(targetState(target({ dueAt: '2026-12-05T08:15:00.000Z' }), NOW)).toBe('due_soon');
    expect(targetState(target({ dueAt: '2026-12-05T08:00:00.000Z' }), NOW)).toBe('overdue');
  });
});

describe(currentTargets.name, () => {
  it('keeps the newest target of each kind of the latest cycle, first response first', () => {
    const old = target({ cycle: 0, metAt: '2026-12-04T10:00:00.000Z' });
    const first = target({ cycle: 1 });
    const waitOne = target({ kind: 'next_response', cycle: 1, startedAt: '2026-12-05T07:10:00.000Z' });
    const waitTwo = target({ kind: 'next_response', cycle: 1, startedAt: '2026-12-05T07:40:00.000Z' });
    const resolution = target({ kind: 'resolution', cycle: 1 });
    expect(currentTargets([resolution, waitTwo, old, waitOne, first])).toEqual([first, waitTwo, resolution]);
    expect(currentTargets([])).toEqual([]);
  });
});

describe(SlaTargets.name, () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const TARGETS = [
    target({ metAt: '2026-12-05T07:10:00.000Z' }),
    target({
      kind: 'next_response',
      startedAt: '2026-12-05T07:20:00.000Z',
      metAt: '2026-12-05T07:25:00.000Z',
    }),
    target({
      kind: 'next_response',
      startedAt: '2026-12-05T07:50:00.000Z',
      dueAt: '2026-12-05T08:10:00.000Z',
    }),
    target({ kind: 'resolution', business: false, dueAt: '2026-12-06T10:30:00.000Z' }),
  ];

  async function renderTargets(routes: Record<string, Route>, lang: Lang = 'en', version = 3) {
    const srv = server(routes);
    const rendered = await renderWithServices(<SlaTargets conversationId={TICKET} version={version} />, {
      lang,
      tokens: signedIn('agent', ME),
    });
    return { srv, ...rendered };
  }

  const row = (kind: string) =>
    within(screen.getByTestId('sla-current'))
      .getAllByTestId('sla-target')
      .find((el) => el.dataset.kind === kind)!;

  it('shows the current deadlines: met, due soon with the time left, running', async () => {
    await renderTargets({ [SLA]: () => [200, { items: TARGETS }] });
    await waitFor(() =>
      expect(within(screen.getByTestId('sla-current')).getAllByTestId('sla-target')).toHaveLength(3),
    );
    expect(within(row('first_response')).getByTestId('sla-state').textContent).toBe('Met');
    expect(row('first_response').textContent).toContain('business hours');
    expect(within(row('next_response')).getByTestId('sla-state').textContent).toBe('Due soon');
    expect(within(row('next_response')).getByTestId('sla-detail').textContent).toBe('10 minutes left');
    expect(within(row('resolution')).getByTestId('sla-state').textContent).toBe('Running');
    expect(within(row('resolution')).getByTestId('sla-detail').textContent).toBe('1 day 2 hours left');
    expect(row('resolution').textContent).toContain('calendar time');
    // Every target of the conversation, the met wait of before included, on request.
    expect(screen.getByText('All deadlines (4)')).toBeTruthy();
    expect(within(screen.getByTestId('sla-all')).getAllByTestId('sla-target')).toHaveLength(4);
  });

  it('says how long ago a deadline passed, and that a paused one waits', async () => {
    await renderTargets(
      {
        [SLA]: () => [
          200,
          {
            items: [
              target({ dueAt: '2026-12-05T06:45:00.000Z', breachedAt: '2026-12-05T06:45:00.000Z' }),
              target({ kind: 'resolution', paused: true, dueAt: null }),
            ],
          },
        ],
      },
      'fa',
    );
    await waitFor(() => expect(screen.getAllByTestId('sla-target').length).toBeGreaterThan(0));
    expect(within(row('first_response')).getByTestId('sla-state').textContent).toBe('از مهلت گذشت');
    expect(within(row('first_response')).getByTestId('sla-detail').textContent).toBe(
      '۱ ساعت و ۱۵ دقیقه گذشته از مهلت',
    );
    expect(within(row('resolution')).getByTestId('sla-state').textContent).toBe(
      'متوقف تا پاسخ مشتری یا پایان تعویق',
    );
    expect(within(row('resolution')).queryByTestId('sla-detail')).toBeNull();
  });

  it('says when no deadline applies', async () => {
    await renderTargets({ [SLA]: () => [200, { items: [] }] });
    expect((await screen.findByTestId('sla-none')).textContent).toBe(
      'No deadlines apply to this conversation.',
    );
  });

  it('shows a refusal in words', async () => {
    server({ [SLA]: () => error(404, 'conversation/not_found', 'Conversation not found.') });
    // A refusal is shown at once, as in the app (which does not retry a 4xx).
    const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    await renderWithServices(
      <QueryClientProvider client={queries}>
        <SlaTargets conversationId={TICKET} version={1} />
      </QueryClientProvider>,
      { lang: 'en', tokens: signedIn('agent', ME) },
    );
    expect(await screen.findByText('Conversation not found.')).toBeTruthy();
  });

  it('reads the deadlines again when the ticket changes', async () => {
    const srv = server({ [SLA]: () => [200, { items: TARGETS }] });
    const queries = new QueryClient();
    const ui = (version: number) => (
      <QueryClientProvider client={queries}>
        <SlaTargets conversationId={TICKET} version={version} />
      </QueryClientProvider>
    );
    const i18n = await createI18n('en');
    const api = new ApiClient(() => 'en');
    const session = new Session(api.refresh);
    api.attach(session);
    session.signIn(signedIn('agent', ME));
    const wrap = (version: number) => (
      <ServicesProvider value={{ api, session, i18n }}>
        <I18nextProvider i18n={i18n}>{ui(version)}</I18nextProvider>
      </ServicesProvider>
    );
    const { rerender } = render(wrap(3));
    await waitFor(() => expect(srv.gets(SLA)).toBe(1));
    await screen.findAllByTestId('sla-target');
    rerender(wrap(4));
    await waitFor(() => expect(srv.gets(SLA)).toBe(2));
    // The last answer stays on screen meanwhile.
    expect(screen.getAllByTestId('sla-target').length).toBeGreaterThan(0);
  });
});

describe(SlaAlerts.name, () => {
  async function renderAlerts(role: 'supervisor' | 'agent') {
    const i18n = await createI18n('en');
    const api = new ApiClient(() => 'en');
    const session = new Session(api.refresh);
    api.attach(session);
    session.signIn(signedIn(role, role === 'agent' ? ME : REZA));
    const alerts = new Store<DeskAlert | null>(null);
    const engine = { desk: { alerts } } as unknown as ChatEngine;
    render(
      <ServicesProvider value={{ api, session, i18n }}>
        <I18nextProvider i18n={i18n}>
          <EngineProvider value={engine}>
            <SlaAlerts />
          </EngineProvider>
        </I18nextProvider>
      </ServicesProvider>,
    );
    const fire = (state: 'warning' | 'breached', kind: 'first_response' | 'resolution' = 'first_response') =>
      act(() =>
        alerts.set({
          kind: 'sla',
          conversationId: TICKET,
          sla: { conversationId: TICKET, kind, cycle: 0, state, dueAt: '2026-12-05T08:00:00.000Z' },
          at: Date.now(),
        }),
      );
    return { fire, alerts, user: userEvent.setup() };
  }

  it('shows supervisors each deadline near or missed, linking to the conversation, until dismissed', async () => {
    const { fire, alerts, user } = await renderAlerts('supervisor');
    fire('warning');
    expect(screen.getByTestId('sla-alert').textContent).toContain('First response deadline is near');
    // The same deadline, now missed: one line, updated.
    fire('breached');
    fire('breached', 'resolution');
    act(() => alerts.set({ kind: 'assigned', conversationId: TICKET, at: Date.now() }));
    const shown = screen.getAllByTestId('sla-alert');
    expect(shown.map((a) => [a.dataset.state, a.querySelector('a')?.textContent])).toEqual([
      ['breached', 'Resolution deadline missed'],
      ['breached', 'First response deadline missed'],
    ]);
    expect(shown[0]!.querySelector('a')!.getAttribute('href')).toBe(`/support/all/${TICKET}`);
    await user.click(within(shown[0]!).getByRole('button', { name: 'Dismiss the alert' }));
    expect(screen.getAllByTestId('sla-alert')).toHaveLength(1);
  });

  it('shows agents nothing (their deadlines are in the side panel)', async () => {
    const { fire } = await renderAlerts('agent');
    fire('breached');
    expect(screen.queryByTestId('sla-alerts')).toBeNull();
  });
});
