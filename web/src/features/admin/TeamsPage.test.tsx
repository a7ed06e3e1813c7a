import type { Team } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { ADMIN, agent, error, NEDA, REZA, SALES, SARA, server, signedIn, TECH, team } from './fixtures.js';
import { TeamsPage } from './TeamsPage.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const TEAMS = '/api/v1/support/teams';
const STAFF = [
  agent(ADMIN, 'Mina', { role: 'admin' }),
  agent(SARA, 'Sara'),
  agent(REZA, 'Reza', { role: 'supervisor' }),
  agent(NEDA, null),
];

function desk(routes: Record<string, (body: unknown, method: string) => [number, unknown]> = {}) {
  let teams: Team[] = [team(SALES, 'Sales', { agentIds: [SARA, NEDA], supervisorIds: [REZA] })];
  return server({
    '/api/v1/support/agents': () => [200, { items: STAFF }],
    [TEAMS]: (body, method) => {
      if (method === 'GET') return [200, { items: teams }];
      const created = team(TECH, (body as Team).name, body as Partial<Team>);
      teams = [...teams, created];
      return [201, created];
    },
    [`${TEAMS}/${SALES}`]: (body) => {
      teams = teams.map((t) => (t.id === SALES ? { ...t, ...(body as Partial<Team>) } : t));
      return [200, teams[0]];
    },
    ...routes,
  });
}

const names = (row: HTMLElement, testId: string) => within(row).getByTestId(testId).textContent;

describe(TeamsPage.name, () => {
  it('lists teams with their agents and supervisors by name', async () => {
    desk();
    await renderWithServices(<TeamsPage />, { tokens: signedIn('admin') });
    const [row] = await screen.findAllByTestId('team-row');
    expect(within(row!).getByTestId('team-name-label').textContent).toBe('Sales');
    await waitFor(() => expect(names(row!, 'team-agents')).toBe('Sara، بی‌نام'));
    expect(names(row!, 'team-supervisors')).toBe('Reza');
  });

  it('creates a team with the members picked, and lists it', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<TeamsPage />, { lang: 'en', tokens: signedIn('admin') });
    await screen.findAllByTestId('team-row');
    await user.click(screen.getByTestId('team-new'));
    const form = screen.getByTestId('team-form');
    await user.type(within(form).getByTestId('team-name'), '  Tech support ');
    const agents = within(form).getAllByTestId('team-agent') as HTMLInputElement[];
    await waitFor(() => expect(agents.length).toBe(4));
    await user.click(agents.find((b) => b.value === SARA)!);
    await user.click(agents.find((b) => b.value === NEDA)!);
    const supervisors = within(form).getAllByTestId('team-supervisor') as HTMLInputElement[];
    await user.click(supervisors.find((b) => b.value === REZA)!);
    await user.click(within(form).getByTestId('team-save'));
    await waitFor(() => expect(screen.getAllByTestId('team-row')).toHaveLength(2));
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: TEAMS,
        body: { name: 'Tech support', agentIds: [SARA, NEDA], supervisorIds: [REZA] },
      },
    ]);
    expect(screen.queryByTestId('team-form')).toBeNull();
    const created = screen.getAllByTestId('team-row')[1]!;
    expect(names(created, 'team-agents')).toBe('Sara, Unnamed');
  });

  it("shows the server's team_name_taken and keeps the form", async () => {
    desk({
      [TEAMS]: (_body, method) =>
        method === 'GET'
          ? [200, { items: [] }]
          : error(409, 'support/team_name_taken', 'A team with this name exists.'),
    });
    const { user } = await renderWithServices(<TeamsPage />, { lang: 'en', tokens: signedIn('admin') });
    await screen.findByText('No teams yet.');
    await user.click(screen.getByTestId('team-new'));
    await user.type(screen.getByTestId('team-name'), 'Sales');
    await user.click(screen.getByTestId('team-save'));
    expect((await screen.findByRole('alert')).textContent).toBe('A team with this name exists.');
    expect((screen.getByTestId('team-name') as HTMLInputElement).value).toBe('Sales');
    expect((screen.getByTestId('team-save') as HTMLButtonElement).disabled).toBe(false);
  });

  it('refuses a blank name by the field, sending nothing', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<TeamsPage />, { lang: 'en', tokens: signedIn('admin') });
    await screen.findAllByTestId('team-row');
    await user.click(screen.getByTestId('team-new'));
    await user.type(screen.getByTestId('team-name'), '   ');
    await user.click(screen.getByTestId('team-save'));
    const input = screen.getByTestId('team-name');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(input.getAttribute('aria-describedby')!)?.textContent).toBe(
      'The name must be 1 to 64 characters.',
    );
    expect(srv.changes()).toEqual([]);
  });

  it('renames a team and changes its members, sending only what changed', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<TeamsPage />, { lang: 'en', tokens: signedIn('admin') });
    const [row] = await screen.findAllByTestId('team-row');
    await waitFor(() => expect(names(row!, 'team-agents')).toBe('Sara, Unnamed'));
    await user.click(within(row!).getByTestId('team-edit'));
    const form = within(row!).getByTestId('team-form');
    const name = within(form).getByTestId('team-name') as HTMLInputElement;
    expect(name.value).toBe('Sales');
    await user.clear(name);
    await user.type(name, 'Sales and billing');
    const agents = within(form).getAllByTestId('team-agent') as HTMLInputElement[];
    expect(agents.filter((b) => b.checked).map((b) => b.value)).toEqual([SARA, NEDA]);
    await user.click(agents.find((b) => b.value === NEDA)!);
    await user.click(within(form).getByTestId('team-save'));
    await waitFor(() => expect(screen.queryByTestId('team-form')).toBeNull());
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${TEAMS}/${SALES}`, body: { name: 'Sales and billing', agentIds: [SARA] } },
    ]);
    const updated = screen.getAllByTestId('team-row')[0]!;
    await waitFor(() =>
      expect(within(updated).getByTestId('team-name-label').textContent).toBe('Sales and billing'),
    );
    expect(names(updated, 'team-agents')).toBe('Sara');
  });

  it('shows supervisors the teams without controls', async () => {
    const srv = desk();
    await renderWithServices(<TeamsPage />, { lang: 'en', tokens: signedIn('supervisor', REZA) });
    await screen.findAllByTestId('team-row');
    expect(screen.queryByTestId('team-new')).toBeNull();
    expect(screen.queryByTestId('team-edit')).toBeNull();
    expect(srv.changes()).toEqual([]);
  });
});
