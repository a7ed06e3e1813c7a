import { useTranslation } from 'react-i18next';
import { useEngine } from '../app/context.js';
import { useStore } from '../lib/store.js';

/** Says honestly whether messages go out now: connecting, online, or offline (queued). */
export function ConnectionState() {
  const { t } = useTranslation();
  const state = useStore(useEngine().connection);
  return (
    <div
      className={`connection connection-${state}`}
      data-testid="connection-state"
      data-state={state}
      role="status"
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className={state === 'online' ? 'visually-hidden' : undefined}>{t(`conn.${state}`)}</span>
    </div>
  );
}
