import { useTranslation } from 'react-i18next';
import type { ViewMessage } from '../../chat/messages.js';
import { Icon, type IconName } from '../../components/Icon.js';
import { MessageText } from '../../components/MessageText.js';
import { formatTime } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';

const STATUS_ICON = { sending: 'clock', sent: 'check', read: 'checks', failed: 'alert' } as const;

/** An action on my own message: an icon, its name for screen readers and on hover. */
function ActionButton({
  icon,
  label,
  testId,
  onClick,
}: {
  icon: IconName;
  label: string;
  testId: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="icon-button small"
      data-testid={testId}
      aria-label={label}
      title={label}
      onClick={onClick}
    >
      <Icon name={icon} />
    </button>
  );
}

export function MessageBubble({
  row,
  note = false,
  senderName,
  onRetry,
  onDiscard,
  onEdit,
  onDelete,
}: {
  row: ViewMessage;
  /** A private note (staff only): set apart in colour and words. */
  note?: boolean;
  /** Shown above others' messages in groups. */
  senderName: string | null;
  onRetry: () => void;
  onDiscard: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const message = row.message;
  const deleted = Boolean(message?.deletedAt);
  const system = message?.kind === 'system';
  return (
    <li
      className={`message ${row.mine ? 'mine' : 'theirs'}${system ? ' system' : ''}${note ? ' note' : ''}`}
      data-testid="message"
      data-note={note ? 'true' : undefined}
      data-seq={row.seq ?? undefined}
      data-client-msg-id={row.clientMsgId ?? undefined}
      data-mine={String(row.mine)}
      data-status={row.status ?? undefined}
    >
      <div className="bubble">
        {note && (
          <span className="note-label" data-testid="note-label">
            {t('console.note.label')}
          </span>
        )}
        {senderName && !row.mine && (
          <span className="sender" dir="auto">
            {senderName}
          </span>
        )}
        <p className="body" data-testid="message-body" dir="auto">
          {deleted ? <em className="muted">{t('conv.deleted')}</em> : <MessageText text={row.body ?? ''} />}
        </p>
        <span className="meta">
          {message?.editedAt && !deleted && <span>{t('conv.edited')}</span>}
          <time dateTime={row.createdAt}>{formatTime(row.createdAt, lang)}</time>
          {row.status && (
            <span className={`status status-${row.status}`} title={t(`conv.status.${row.status}`)}>
              <Icon name={STATUS_ICON[row.status]} />
              <span className="visually-hidden">{t(`conv.status.${row.status}`)}</span>
            </span>
          )}
          {row.mine && message && !deleted && !system && !note && (
            <span className="actions inline">
              <ActionButton icon="edit" label={t('conv.edit')} testId="message-edit" onClick={onEdit} />
              <ActionButton
                icon="trash"
                label={t('conv.delete')}
                testId="message-delete"
                onClick={onDelete}
              />
            </span>
          )}
        </span>
        {row.mine && row.status === 'failed' && row.error && (
          <span className="error small" data-testid="message-error">
            {row.error}
          </span>
        )}
        {row.mine && row.status === 'failed' && (
          <span className="actions">
            <button type="button" className="link-button" data-testid="message-retry" onClick={onRetry}>
              {t('conv.retry')}
            </button>
            <button type="button" className="link-button" data-testid="message-discard" onClick={onDiscard}>
              {t('conv.discard')}
            </button>
          </span>
        )}
      </div>
    </li>
  );
}
