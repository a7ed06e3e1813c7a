import type { PlatformRole, SupportTicket } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Route, renderWithServices } from '../../test/services.js';
import { agent, error, server, signedIn, team } from '../admin/fixtures.js';
import { ME, NEDA, REZA, SALES, SARA, TECH, TICKET, ticket } from './fixtures.js';
import { TicketActions } from './TicketActions.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const BASE = `/api/v1/support/conversations/${TICKET}`;
const AGENTS = '/api/v1/support/agents';
const TEAMS = '/api/v1/support/teams';

const STAFF = [
  agent(REZA, 'Reza', { availability: 'offline' }),
  agent(SARA, 'Sara', { availability: 'busy', load: 2 }),
  agent(NEDA, 'Neda', { availability: 'online', load: 1, maxConversations: 3 }),
  agent(ME, 'Mina', { availability: 'online' }),
];

async function renderActions(
  current: SupportTicket,
  {
    role = 'agent',
    routes = {},
    onToggleSide,
  }: { role?: PlatformRole; routes?: Record<string, Route>; onToggleSide?: () => void } = {},
) {
  const srv = server({
    [AGENTS]: () => [200, { items: STAFF }],
    [TEAMS]: () => [200, { items: [team(SALES, 'Sales'), team(TECH, 'Tech')] }],
    [`${BASE}/claim`]: () => [200, { ...current, assigneeId: ME, version: current.version + 1 }],
    [`${BASE}/status`]: (body) => [
      200,
      { ...current, status: (body as { status: string }).status, version: current.version + 1 },
    ],
    [`${BASE}/assign`]: () => [200, current],
    [`${BASE}/transfer`]: () => [200, current],
    [`${BASE}/labels`]: (body) => [200, { ...current, labels: (body as { labels: string[] }).labels }],
    [`${BASE}/priority`]: () => [200, current],
    ...routes,
  });
  const { user } = await renderWithServices(
    <TicketActions ticket={current} sideOpen={false} onToggleSide={onToggleSide} />,
    {
      lang: 'en',
      tokens: signedIn(role, ME),
    },
  );
  return { srv, user };
}

/** The assign form has read the agents. */
const agentsListed = () =>
  waitFor(() =>
    expect(screen.getByTestId<HTMLSelectElement>('assign-agent').options.length).toBeGreaterThan(1),
  );

const button = (testId: string) => screen.getByTestId<HTMLButtonElement>(testId);

describe(TicketActions.name, () => {
  it('offers Claim for an unassigned conversation and POSTs /claim', async () => {
    const { srv, user } = await renderActions(ticket());
    await user.click(button('ticket-claim'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([{ method: 'POST', url: `${BASE}/claim`, body: undefined }]),
    );
    expect(screen.queryByTestId('ticket-error')).toBeNull();
  });

  it('offers no Claim once someone has it; its agent may send it back to the queue', async () => {
    const { srv, user } = await renderActions(ticket({ assigneeId: ME }));
    expect(screen.queryByTestId('ticket-claim')).toBeNull();
    await user.click(button('ticket-unassign'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([{ method: 'POST', url: `${BASE}/assign`, body: { agentId: null } }]),
    );
  });

  it('shows no Claim nor Back to queue on a colleague’s conversation', async () => {
    await renderActions(ticket({ assigneeId: SARA }));
    expect(screen.getByTestId('ticket-resolve')).toBeTruthy();
    expect(screen.queryByTestId('ticket-claim')).toBeNull();
    expect(screen.queryByTestId('ticket-unassign')).toBeNull();
  });

  it('resolves with the version it saw', async () => {
    const { srv, user } = await renderActions(ticket({ assigneeId: ME, version: 7 }));
    await user.click(button('ticket-resolve'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'POST', url: `${BASE}/status`, body: { status: 'resolved', version: 7 } },
      ]),
    );
  });

  it('resolves on `e`, from any keyboard layout, but not while typing', async () => {
    const { srv, user } = await renderActions(ticket({ version: 7 }));
    await user.click(button('ticket-labels'));
    await user.type(screen.getByTestId('labels-input'), 'e');
    await new Promise((r) => setTimeout(r, 50)); // time for a request, had one gone
    expect(srv.changes()).toEqual([]);
    expect(screen.getByTestId<HTMLInputElement>('labels-input').value).toBe('e');
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ث', code: 'KeyE', bubbles: true }));
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'POST', url: `${BASE}/status`, body: { status: 'resolved', version: 7 } },
      ]),
    );
  });

  it('offers Reopen for a resolved conversation, and no Resolve, Claim or Assign', async () => {
    const { srv, user } = await renderActions(ticket({ status: 'resolved', version: 9 }));
    expect(screen.queryByTestId('ticket-resolve')).toBeNull();
    expect(screen.queryByTestId('ticket-claim')).toBeNull();
    expect(screen.queryByTestId('ticket-assign')).toBeNull();
    await user.click(button('ticket-reopen'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'POST', url: `${BASE}/status`, body: { status: 'open', version: 9 } },
      ]),
    );
  });

  it('shows the server’s refusal', async () => {
    const { user } = await renderActions(ticket(), {
      routes: {
        [`${BASE}/status`]: () =>
          error(409, 'support/version_conflict', 'Someone changed this conversation; look again.'),
      },
    });
    await user.click(button('ticket-resolve'));
    expect((await screen.findByTestId('ticket-error')).textContent).toBe(
      'Someone changed this conversation; look again.',
    );
    expect(button('ticket-resolve').disabled).toBe(false);
  });

  it('lists the agents to hand it to, online first, without its assignee', async () => {
    const { srv, user } = await renderActions(ticket({ assigneeId: SARA }), { role: 'supervisor' });
    await user.click(button('ticket-assign'));
    const select = screen.getByTestId<HTMLSelectElement>('assign-agent');
    await waitFor(() => expect(select.options).toHaveLength(4));
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['', '— pick an agent —'],
      [ME, 'Mina (Online, 0 of 5)'],
      [NEDA, 'Neda (Online, 1 of 3)'],
      [REZA, 'Reza (Offline, 0 of 5)'],
    ]);
    const teams = await screen.findByTestId<HTMLSelectElement>('assign-team');
    expect([...teams.options].map((o) => o.textContent)).toEqual(['— same team —', 'Sales', 'Tech']);
    expect(button('assign-submit').disabled).toBe(true);
    expect(srv.gets(AGENTS)).toBe(1);
  });

  it('transfers with a note to the agent picked', async () => {
    const { srv, user } = await renderActions(ticket({ assigneeId: ME }), { role: 'supervisor' });
    await user.click(button('ticket-assign'));
    await agentsListed();
    await user.selectOptions(screen.getByTestId('assign-agent'), SARA);
    expect(button('assign-submit').textContent).toBe('Assign');
    await user.type(screen.getByTestId('assign-note'), '  Wants a refund  ');
    expect(button('assign-submit').textContent).toBe('Transfer');
    await user.click(button('assign-submit'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'POST', url: `${BASE}/transfer`, body: { agentId: SARA, note: 'Wants a refund' } },
      ]),
    );
    await waitFor(() => expect(screen.queryByTestId('assign-form')).toBeNull());
  });

  it('lets a supervisor assign straight to an agent, without note or team', async () => {
    const { srv, user } = await renderActions(ticket(), { role: 'supervisor' });
    await user.click(button('ticket-assign'));
    await agentsListed();
    await user.selectOptions(screen.getByTestId('assign-agent'), NEDA);
    await user.click(button('assign-submit'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([{ method: 'POST', url: `${BASE}/assign`, body: { agentId: NEDA } }]),
    );
  });

  it('transfers to a team’s queue', async () => {
    const { srv, user } = await renderActions(ticket(), { role: 'supervisor' });
    await user.click(button('ticket-assign'));
    await user.selectOptions(await screen.findByTestId('assign-team'), TECH);
    await user.click(button('assign-submit'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([{ method: 'POST', url: `${BASE}/transfer`, body: { teamId: TECH } }]),
    );
  });

  it('has an agent transfer even without a note (agents may not assign)', async () => {
    const { srv, user } = await renderActions(ticket({ assigneeId: ME }), { role: 'agent' });
    await user.click(button('ticket-assign'));
    await agentsListed();
    await user.selectOptions(screen.getByTestId('assign-agent'), NEDA);
    await user.click(button('assign-submit'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([{ method: 'POST', url: `${BASE}/transfer`, body: { agentId: NEDA } }]),
    );
  });

  it('closes the assign panel on Esc and puts focus back on its button', async () => {
    const { user } = await renderActions(ticket());
    await user.click(button('ticket-assign'));
    expect(button('ticket-assign').getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('assign-agent'));
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('assign-form')).toBeNull();
    expect(button('ticket-assign').getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(button('ticket-assign'));
  });

  it('opens the assign panel on `a`', async () => {
    await renderActions(ticket());
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ش', code: 'KeyA', bubbles: true }));
    expect(await screen.findByTestId('assign-form')).toBeTruthy();
  });

  it('saves the labels: kept, added with Enter, removed, and the one still typed', async () => {
    const { srv, user } = await renderActions(ticket({ labels: ['vip', 'old'] }));
    await user.click(button('ticket-labels'));
    const form = screen.getByTestId('labels-form');
    await user.type(screen.getByTestId('labels-input'), 'refund{Enter}');
    expect(
      within(form)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('bdi')?.textContent),
    ).toEqual(['vip', 'old', 'refund']);
    await user.click(screen.getByRole('button', { name: 'Remove label old' }));
    await user.type(screen.getByTestId('labels-input'), 'la,te');
    await user.click(button('labels-save'));
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'PUT', url: `${BASE}/labels`, body: { labels: ['vip', 'refund', 'late'] } },
      ]),
    );
    await waitFor(() => expect(screen.queryByTestId('labels-form')).toBeNull());
    expect(document.activeElement).toBe(button('ticket-labels'));
  });

  it('sets the priority', async () => {
    const { srv, user } = await renderActions(ticket());
    await user.selectOptions(screen.getByTestId('ticket-priority'), 'urgent');
    await waitFor(() =>
      expect(srv.changes()).toEqual([
        { method: 'PUT', url: `${BASE}/priority`, body: { priority: 'urgent' } },
      ]),
    );
  });

  it('offers the customer panel only where the console asks for it', async () => {
    const onToggleSide = vi.fn();
    const { user, srv } = await renderActions(ticket(), { onToggleSide });
    const toggle = button('side-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(onToggleSide).toHaveBeenCalledTimes(1);
    expect(srv.changes()).toEqual([]);
  });

  it('shows no customer panel button without a handler', async () => {
    await renderActions(ticket());
    expect(screen.queryByTestId('side-toggle')).toBeNull();
  });
});
