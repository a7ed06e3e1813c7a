import type { Team } from '@abrik/protocol';
import { screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { FiltersPanel } from './Filters.js';
import { activeFilters, type Filters, NO_FILTERS, secondsSince, type View, viewQuery } from './filters.js';
import { AT, SALES, TECH } from './fixtures.js';

const with_ = (patch: Partial<Filters>): Filters => ({ ...NO_FILTERS, ...patch });

describe(viewQuery.name, () => {
  it('asks each view for its own conversations', () => {
    expect(viewQuery('mine', NO_FILTERS)).toEqual({ status: 'open,pending', assignee: 'me', limit: 100 });
    expect(viewQuery('unassigned', NO_FILTERS)).toEqual({
      status: 'open,pending',
      assignee: 'none',
      limit: 100,
    });
    expect(viewQuery('teams', NO_FILTERS)).toEqual({ status: 'open,pending', scope: 'teams', limit: 100 });
    expect(viewQuery('all', NO_FILTERS)).toEqual({ status: 'open,pending', limit: 100 });
    expect(viewQuery('done', NO_FILTERS)).toEqual({ status: 'resolved,snoozed', limit: 100 });
  });

  it('uses the chosen statuses instead of the view’s', () => {
    expect(viewQuery('mine', with_({ statuses: ['snoozed'] }))).toEqual({
      status: 'snoozed',
      assignee: 'me',
      limit: 100,
    });
    expect(viewQuery('done', with_({ statuses: ['closed', 'resolved'] })).status).toBe('closed,resolved');
  });

  it('adds team, label, priorities and words', () => {
    const query = viewQuery(
      'all',
      with_({ teamId: SALES, label: '  vip ', priorities: ['high', 'urgent'], text: ' سفارش ۱۲۳۴ ' }),
    );
    expect(query).toEqual({
      status: 'open,pending',
      teamId: SALES,
      label: 'vip',
      priority: 'high,urgent',
      q: 'سفارش 1234',
      limit: 100,
    });
  });

  it('leaves out blank words and labels, and cuts words at 100 characters', () => {
    const query = viewQuery('all', with_({ label: '   ', text: '   ' }));
    expect(query).not.toHaveProperty('label');
    expect(query).not.toHaveProperty('q');
    expect(viewQuery('all', with_({ text: 'x'.repeat(150) })).q).toHaveLength(100);
  });
});

describe(activeFilters.name, () => {
  it('counts each kind of filter set once', () => {
    expect(activeFilters(NO_FILTERS)).toBe(0);
    expect(activeFilters(with_({ statuses: ['open', 'pending'] }))).toBe(1);
    expect(activeFilters(with_({ label: '  ', text: ' ' }))).toBe(0);
    expect(
      activeFilters({ statuses: ['open'], teamId: TECH, label: 'vip', priorities: ['low'], text: 'x' }),
    ).toBe(5);
  });
});

describe(secondsSince.name, () => {
  it('counts whole seconds, never below zero, and nothing without a time', () => {
    const now = Date.parse(AT);
    expect(secondsSince('2026-12-01T09:58:29.600Z', now)).toBe(90);
    expect(secondsSince(AT, now)).toBe(0);
    expect(secondsSince('2026-12-01T10:00:05.000Z', now)).toBe(0);
    expect(secondsSince(null, now)).toBeNull();
  });
});

const TEAMS: Team[] = [
  { id: SALES, name: 'Sales', agentIds: [], supervisorIds: [], createdAt: AT },
  { id: TECH, name: 'Tech', agentIds: [], supervisorIds: [], createdAt: AT },
];

/** The panel with its filters kept in state, as the console does. */
function StatefulPanel({
  view,
  teams,
  initial,
  onChange,
}: {
  view: View;
  teams: Team[];
  initial: Filters;
  onChange: (filters: Filters) => void;
}) {
  const [filters, setFilters] = useState(initial);
  return (
    <FiltersPanel
      view={view}
      filters={filters}
      teams={teams}
      onChange={(next) => {
        onChange(next);
        setFilters(next);
      }}
    />
  );
}

/** The panel, every change recorded. */
async function renderPanel({
  view = 'mine',
  teams = TEAMS,
  initial = NO_FILTERS,
}: {
  view?: View;
  teams?: Team[];
  initial?: Filters;
} = {}) {
  const onChange = vi.fn();
  const { user } = await renderWithServices(
    <StatefulPanel view={view} teams={teams} initial={initial} onChange={onChange} />,
    { lang: 'en' },
  );
  const last = (): Filters => onChange.mock.lastCall?.[0];
  return { user, onChange, last };
}

const chip = (testId: string, value: string) => {
  const box = screen.getAllByTestId<HTMLInputElement>(testId).find((b) => b.value === value);
  if (!box) throw new Error(`no ${testId} ${value}`);
  return box;
};

describe(FiltersPanel.name, () => {
  it('offers the statuses of the view', async () => {
    await renderPanel({ view: 'done' });
    expect(screen.getAllByTestId<HTMLInputElement>('filter-status').map((b) => b.value)).toEqual([
      'resolved',
      'snoozed',
      'closed',
    ]);
    expect(screen.getAllByTestId<HTMLInputElement>('filter-priority').map((b) => b.value)).toEqual([
      'low',
      'medium',
      'high',
      'urgent',
    ]);
  });

  it('toggles status and priority chips', async () => {
    const { user, last } = await renderPanel();
    await user.click(chip('filter-status', 'pending'));
    expect(last()).toEqual(with_({ statuses: ['pending'] }));
    await user.click(chip('filter-priority', 'urgent'));
    expect(last()).toEqual(with_({ statuses: ['pending'], priorities: ['urgent'] }));
    expect(chip('filter-status', 'pending').checked).toBe(true);
    await user.click(chip('filter-status', 'open'));
    expect(last().statuses).toEqual(['pending', 'open']);
    await user.click(chip('filter-status', 'pending'));
    expect(last()).toEqual(with_({ statuses: ['open'], priorities: ['urgent'] }));
    expect(chip('filter-status', 'pending').checked).toBe(false);
  });

  it('passes the words and label typed (no commas in a label)', async () => {
    const { user, last } = await renderPanel();
    await user.type(screen.getByTestId('filter-text'), 'سفارش');
    expect(last()).toEqual(with_({ text: 'سفارش' }));
    await user.type(screen.getByTestId('filter-label'), 'v,ip');
    expect(last()).toEqual(with_({ text: 'سفارش', label: 'vip' }));
  });

  it('lists the teams to narrow to', async () => {
    const { user, last } = await renderPanel();
    const select = screen.getByTestId<HTMLSelectElement>('filter-team');
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['', 'All teams'],
      [SALES, 'Sales'],
      [TECH, 'Tech'],
    ]);
    await user.selectOptions(select, TECH);
    expect(last()).toEqual(with_({ teamId: TECH }));
  });

  it('shows no team choice without teams', async () => {
    await renderPanel({ teams: [] });
    expect(screen.queryByTestId('filter-team')).toBeNull();
  });

  it('clears every filter, and offers to only while one is set', async () => {
    const { user, last } = await renderPanel();
    expect(screen.queryByTestId('filter-clear')).toBeNull();
    await user.click(chip('filter-priority', 'high'));
    await user.selectOptions(screen.getByTestId('filter-team'), SALES);
    await user.click(screen.getByTestId('filter-clear'));
    expect(last()).toEqual(NO_FILTERS);
    expect(chip('filter-priority', 'high').checked).toBe(false);
    expect(screen.getByTestId<HTMLSelectElement>('filter-team').value).toBe('');
    expect(screen.queryByTestId('filter-clear')).toBeNull();
  });
});
