import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useEngine, useServices } from '../../app/context.js';
import { useStore } from '../../lib/store.js';
import { agentsKey, useAgents } from './queries.js';

const CHOICES = ['online', 'busy', 'away'] as const;
type Choice = (typeof CHOICES)[number];

/**
 * Online (takes new conversations), busy (keeps what they have) or away: always in sight in the
 * console's header. The server keeps the choice; it is read back from the agents list.
 */
export function AvailabilitySwitch() {
  const { t } = useTranslation();
  const { session } = useServices();
  const engine = useEngine();
  const queryClient = useQueryClient();
  const meId = useStore(session.store)?.user.id;
  const agents = useAgents();
  const connection = useStore(engine.connection);
  const [chosen, setChosen] = useState<Choice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const held = agents.data?.items.find((a) => a.id === meId)?.availability;
  // `offline` means no live connection of mine when the list was read: nothing to show as chosen.
  const current: Choice | null = chosen ?? (held && held !== 'offline' ? held : null);
  // Connected (again): the server has my availability as it stands now.
  useEffect(() => {
    if (connection === 'online') void queryClient.invalidateQueries({ queryKey: agentsKey });
  }, [connection, queryClient]);

  async function choose(next: Choice) {
    setError(null);
    const before = chosen;
    setChosen(next);
    try {
      await engine.setAvailability(next);
      void queryClient.invalidateQueries({ queryKey: agentsKey });
    } catch (e) {
      setChosen(before);
      setError(errorText(e, t));
    }
  }

  return (
    <div className="availability" data-testid="availability" data-current={current ?? undefined}>
      <fieldset className="segmented">
        <legend className="visually-hidden">{t('console.availability.label')}</legend>
        {CHOICES.map((choice) => (
          <label
            key={choice}
            className={`dot-${choice}`}
            data-checked={String(current === choice)}
            data-testid="availability-choice"
            data-value={choice}
          >
            <input
              type="radio"
              name="availability"
              value={choice}
              checked={current === choice}
              disabled={connection !== 'online'}
              onChange={() => void choose(choice)}
            />
            {t(`console.availability.${choice}`)}
          </label>
        ))}
      </fieldset>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
