import { PRIORITIES, type Priority, type SupportStatus, type Team } from '@abrik/protocol';
import { useTranslation } from 'react-i18next';
import { activeFilters, type Filters, NO_FILTERS, statusChoices, type View } from './filters.js';

function toggle<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

/** Narrowing a view: status, team, label, priority and words (subject or customer's name). */
export function FiltersPanel({
  view,
  filters,
  teams,
  onChange,
}: {
  view: View;
  filters: Filters;
  teams: readonly Team[];
  onChange: (filters: Filters) => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  return (
    <fieldset className="console-filters" data-testid="console-filters">
      <legend className="visually-hidden">{t('console.filters.title')}</legend>
      <input
        type="search"
        dir="auto"
        data-testid="filter-text"
        aria-label={t('console.filters.text')}
        placeholder={t('console.filters.text')}
        maxLength={100}
        value={filters.text}
        onChange={(e) => set({ text: e.target.value })}
      />
      <fieldset className="chips">
        <legend className="visually-hidden">{t('console.filters.status')}</legend>
        {statusChoices(view).map((status: SupportStatus) => (
          <label key={status} className="chip">
            <input
              type="checkbox"
              data-testid="filter-status"
              value={status}
              checked={filters.statuses.includes(status)}
              onChange={() => set({ statuses: toggle(filters.statuses, status) })}
            />
            {t(`console.status.${status}`)}
          </label>
        ))}
      </fieldset>
      <fieldset className="chips">
        <legend className="visually-hidden">{t('console.filters.priority')}</legend>
        {PRIORITIES.filter((p) => p !== 'none').map((priority: Priority) => (
          <label key={priority} className="chip">
            <input
              type="checkbox"
              data-testid="filter-priority"
              value={priority}
              checked={filters.priorities.includes(priority)}
              onChange={() => set({ priorities: toggle(filters.priorities, priority) })}
            />
            {t(`console.priority.${priority}`)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        {teams.length > 0 && (
          <select
            data-testid="filter-team"
            aria-label={t('console.filters.team')}
            value={filters.teamId}
            onChange={(e) => set({ teamId: e.target.value })}
          >
            <option value="">{t('console.filters.anyTeam')}</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        )}
        <input
          dir="auto"
          data-testid="filter-label"
          aria-label={t('console.filters.label')}
          placeholder={t('console.filters.label')}
          maxLength={40}
          value={filters.label}
          onChange={(e) => set({ label: e.target.value.replace(/,/g, '') })}
        />
        {activeFilters(filters) > 0 && (
          <button
            type="button"
            className="link-button"
            data-testid="filter-clear"
            onClick={() => onChange(NO_FILTERS)}
          >
            {t('console.filters.clear')}
          </button>
        )}
      </div>
    </fieldset>
  );
}
