import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { AgentsPage } from './AgentsPage.js';
import {
  ADMIN,
  type AgentView,
  agent,
  error,
  NEDA,
  REZA,
  SALES,
  SARA,
  server,
  signedIn,
  TECH,
  team,
} from './fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const AGENTS = '/api/v1/support/agents';
const TEAMS = '/api/v1/support/teams';

/** A server holding a staff list that role changes and agent updates really change. */
function desk(overrides: Record<string, (body: unknown, method: string) => [number, unknown]> = {}) {
  let staff: AgentView[] = [
    agent(ADMIN, 'Mina', { role: 'admin' }),
    agent(SARA, 'Sara', { load: 2, availability: 'busy', teamIds: [SALES, TECH] }),
    agent(REZA, 'Reza', { role: 'supervisor', availability: 'offline' }),
  ];
  const teams = [team(SALES, 'Sales', { agentIds: [SARA] }), team(TECH, 'Tech', { supervisorIds: [SARA] })];
  const srv = server({
    [AGENTS]: () => [200, { items: staff }],
    [TEAMS]: () => [200, { items: teams }],
    [`/api/v1/users/${SARA}/role`]: (body) => {
      const { role } = body as { role: string };
      staff = staff.map((a) => (a.id === SARA ? { ...a, role } : a));
      return [200, { id: SARA, name: 'Sara', role, lastSeenAt: null }];
    },
    [`${AGENTS}/${SARA}`]: (body) => {
      const b = body as { maxConversations?: number | null };
      staff = staff.map((a) =>
        a.id === SARA && b.maxConversations !== undefined
          ? { ...a, maxConversations: b.maxConversations ?? 5 }
          : a,
      );
      return [200, staff.find((a) => a.id === SARA)];
    },
    '/api/v1/users': (body) => {
      const b = body as { role: string; name?: string };
      staff = [...staff, agent(NEDA, b.name ?? null, { role: b.role })];
      return [200, { id: NEDA, name: b.name ?? null, role: b.role, lastSeenAt: null }];
    },
    ...overrides,
  });
  return srv;
}

async function rowOf(name: string) {
  const rows = await screen.findAllByTestId('agent-row');
  const row = rows.find((r) => within(r).getByTestId('agent-name').textContent === name);
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

describe(AgentsPage.name, () => {
  it('lists every staff member with role, availability, load and teams, in Persian digits', async () => {
    desk();
    await renderWithServices(<AgentsPage />, { tokens: signedIn('supervisor', REZA) });
    const sara = await rowOf('Sara');
    expect(within(sara).getByTestId('agent-role-label').textContent).toBe('پشتیبان');
    expect(sara.textContent).toContain('مشغول');
    expect(within(sara).getByTestId('agent-load').textContent).toContain('۲ از ۵');
    await waitFor(() =>
      expect(within(sara).getByTestId('agent-teams').textContent).toBe('Sales، Tech (سرپرست)'),
    );
    expect((await rowOf('Reza')).textContent).toContain('آفلاین');
  });

  it('shows supervisors no controls', async () => {
    const srv = desk();
    await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('supervisor', REZA) });
    await rowOf('Sara');
    expect(screen.queryByTestId('agent-edit')).toBeNull();
    expect(screen.queryByTestId('staff-phone')).toBeNull();
    expect(screen.getByText('You can view this section; only admins can change it.')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });

  it('changes a role with PUT /users/:id/role and shows the refreshed list', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    const sara = await rowOf('Sara');
    expect(within(sara).getByTestId('agent-role-label').textContent).toBe('Agent');
    const before = srv.gets(AGENTS);
    await user.click(within(sara).getByTestId('agent-edit'));
    await user.selectOptions(within(sara).getByTestId('agent-role'), 'supervisor');
    await user.click(within(sara).getByTestId('agent-role-save'));
    await waitFor(async () =>
      expect(within(await rowOf('Sara')).getByTestId('agent-role-label').textContent).toBe('Supervisor'),
    );
    expect(srv.changes()).toEqual([
      { method: 'PUT', url: `/api/v1/users/${SARA}/role`, body: { role: 'supervisor' } },
    ]);
    expect(srv.gets(AGENTS)).toBeGreaterThan(before);
  });

  it("shows the server's refusal when an admin changes their own role", async () => {
    const srv = desk({
      [`/api/v1/users/${ADMIN}/role`]: () =>
        error(400, 'user/own_role', 'You cannot change your own role; ask another admin.'),
    });
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    const mina = await rowOf('Mina');
    await user.click(within(mina).getByTestId('agent-edit'));
    await user.selectOptions(within(mina).getByTestId('agent-role'), 'agent');
    await user.click(within(mina).getByTestId('agent-role-save'));
    expect((await within(mina).findByRole('alert')).textContent).toBe(
      'You cannot change your own role; ask another admin.',
    );
    expect(within(mina).getByTestId('agent-role-label').textContent).toBe('Admin');
    expect((within(mina).getByTestId('agent-role-save') as HTMLButtonElement).disabled).toBe(false);
    expect(srv.changes()).toEqual([
      { method: 'PUT', url: `/api/v1/users/${ADMIN}/role`, body: { role: 'agent' } },
    ]);
  });

  it('saves a capacity typed in Persian digits as a Latin number, and only what changed', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<AgentsPage />, { tokens: signedIn('admin') });
    const sara = await rowOf('Sara');
    await user.click(within(sara).getByTestId('agent-edit'));
    const capacity = within(sara).getByTestId('agent-capacity') as HTMLInputElement;
    expect(capacity.value).toBe('۵');
    await user.clear(capacity);
    await user.type(capacity, '۱۲');
    await user.click(within(sara).getByTestId('agent-save'));
    await waitFor(() => expect(screen.queryByTestId('agent-capacity')).toBeNull());
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${AGENTS}/${SARA}`, body: { maxConversations: 12 } },
    ]);
    await waitFor(async () =>
      expect(within(await rowOf('Sara')).getByTestId('agent-load').textContent).toContain('۲ از ۱۲'),
    );
  });

  it('sends null for an emptied capacity (the configured default), and the teams they answer in', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    const sara = await rowOf('Sara');
    await user.click(within(sara).getByTestId('agent-edit'));
    await user.clear(within(sara).getByTestId('agent-capacity'));
    const boxes = within(sara).getAllByTestId('agent-team') as HTMLInputElement[];
    // Sales: she answers there; Tech: she supervises it, which PATCH teamIds does not touch.
    expect(boxes.map((b) => [b.value, b.checked])).toEqual([
      [SALES, true],
      [TECH, false],
    ]);
    await user.click(boxes[1]!);
    await user.click(within(sara).getByTestId('agent-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]).toEqual({
      method: 'PATCH',
      url: `${AGENTS}/${SARA}`,
      body: { maxConversations: null, teamIds: [SALES, TECH] },
    });
  });

  it('refuses a capacity out of range with a message by the field, sending nothing', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<AgentsPage />, { tokens: signedIn('admin') });
    const sara = await rowOf('Sara');
    await user.click(within(sara).getByTestId('agent-edit'));
    const capacity = within(sara).getByTestId('agent-capacity');
    await user.clear(capacity);
    await user.type(capacity, '۱۰۰۱');
    await user.click(within(sara).getByTestId('agent-save'));
    const message = within(sara).getByTestId('field-error');
    expect(message.textContent).toBe('ظرفیت باید عددی صحیح از ۰ تا ۱۰۰۰ باشد.');
    expect(capacity.getAttribute('aria-invalid')).toBe('true');
    expect(capacity.getAttribute('aria-describedby')).toBe(message.id);
    await user.clear(capacity);
    await user.type(capacity, '2.5');
    await user.click(within(sara).getByTestId('agent-save'));
    expect(within(sara).getByTestId('field-error')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });

  it("shows the server's error when saving an agent fails", async () => {
    desk({
      [`${AGENTS}/${SARA}`]: () => error(404, 'support/team_not_found', 'No such team.'),
    });
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    const sara = await rowOf('Sara');
    await user.click(within(sara).getByTestId('agent-edit'));
    await user.click(within(sara).getAllByTestId('agent-team')[1]!);
    await user.click(within(sara).getByTestId('agent-save'));
    expect((await within(sara).findByRole('alert')).textContent).toBe('No such team.');
    expect((within(sara).getByTestId('agent-save') as HTMLButtonElement).disabled).toBe(false);
  });

  it('adds staff by a phone typed in Persian digits, then lists them', async () => {
    const srv = desk();
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    await rowOf('Sara');
    await user.type(screen.getByTestId('staff-phone'), '۰۹۱۲ ۳۴۵ ۶۷۸۹');
    await user.selectOptions(screen.getByTestId('staff-role'), 'supervisor');
    await user.type(screen.getByTestId('staff-name'), '  Neda ');
    await user.click(screen.getByTestId('staff-submit'));
    expect((await screen.findByTestId('staff-done')).textContent).toBe('Neda now has the role “Supervisor”.');
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: '/api/v1/users',
        body: { phone: '+989123456789', role: 'supervisor', name: 'Neda' },
      },
    ]);
    const neda = await rowOf('Neda');
    expect(within(neda).getByTestId('agent-role-label').textContent).toBe('Supervisor');
    expect((screen.getByTestId('staff-phone') as HTMLInputElement).value).toBe('');
  });

  it('refuses a phone that is not a mobile number, and shows the server error of a failed add', async () => {
    const srv = desk({
      '/api/v1/users': () => error(403, 'auth/forbidden', 'Your role may not do this.'),
    });
    const { user } = await renderWithServices(<AgentsPage />, { lang: 'en', tokens: signedIn('admin') });
    await rowOf('Sara');
    const phone = screen.getByTestId('staff-phone');
    await user.type(phone, '12345');
    await user.click(screen.getByTestId('staff-submit'));
    expect(screen.getByTestId('field-error').textContent).toBe('This mobile number is not valid.');
    expect(phone.getAttribute('aria-invalid')).toBe('true');
    expect(srv.changes()).toEqual([]);
    await user.clear(phone);
    await user.type(phone, '09123456789');
    await user.click(screen.getByTestId('staff-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('Your role may not do this.');
    expect(screen.queryByTestId('field-error')).toBeNull();
    expect(srv.changes()).toEqual([
      { method: 'POST', url: '/api/v1/users', body: { phone: '+989123456789', role: 'agent' } },
    ]);
  });
});
