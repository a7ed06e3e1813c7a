import type { Message } from '@abrik/protocol';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import './actions.css';
import type { ChatActions } from './actionsContext.js';

/** Under a bubble: each reaction with its count, mine marked; a tap takes mine back or makes it this one. */
export function Reactions({ message, actions }: { message: Message | null; actions?: ChatActions | null }) {
  const { t } = useTranslation();
  const lang = useLang();
  const reactions = message?.reactions ?? [];
  if (!message || !actions || reactions.length === 0 || message.deletedAt) return null;
  return (
    <ul className="reactions" data-testid="reactions" aria-label={t('actions.reactions')}>
      {reactions.map((r) => {
        const mine = r.userIds.includes(actions.meId);
        return (
          <li key={r.emoji}>
            <button
              type="button"
              className={`reaction${mine ? ' mine' : ''}`}
              data-testid="reaction"
              data-emoji={r.emoji}
              data-count={r.count}
              data-mine={mine ? 'true' : undefined}
              aria-pressed={mine}
              disabled={actions.readOnly}
              onClick={() => actions.react(message, r.emoji)}
            >
              <span className="reaction-emoji">{r.emoji}</span>{' '}
              <span className="reaction-count">{formatNumber(r.count, lang)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
