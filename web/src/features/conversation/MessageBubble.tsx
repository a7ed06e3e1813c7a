import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ViewMessage } from '../../chat/messages.js';
import { Icon, type IconName } from '../../components/Icon.js';
import { MessageText } from '../../components/MessageText.js';
import { PhotoAvatar } from '../../components/PhotoAvatar.js';
import { formatTime } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { Attachment } from './Attachment.js';
import type { ChatActions } from './actionsContext.js';
import { MessageMenuButton } from './MessageMenu.js';
import { Reactions } from './Reactions.js';
import { BubbleTop } from './ReplyQuote.js';
import { SystemLine } from './SystemLine.js';

const STATUS_ICON = { sending: 'clock', sent: 'check', read: 'checks', failed: 'alert' } as const;
/** A touch held this long shows the message's actions. */
const LONG_PRESS_MS = 500;

/** Something one can do with a message (edit, delete…): a button now, a menu item later. */
export interface BubbleAction {
  id: string;
  icon: IconName;
  label: string;
  testId: string;
  run: () => void;
}

/**
 * On touch screens the actions hide behind a long press (there is no hover); `open` says they show,
 * and a touch elsewhere hides them again.
 */
function useLongPress() {
  const [open, setOpen] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const item = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (event: PointerEvent) => {
      if (!item.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const cancel = () => clearTimeout(timer.current);
  return {
    open,
    close: () => setOpen(false),
    handlers: {
      ref: item,
      onPointerDown: (event: { pointerType: string }) => {
        if (event.pointerType !== 'touch') return;
        cancel();
        timer.current = setTimeout(() => setOpen(true), LONG_PRESS_MS);
      },
      onPointerUp: cancel,
      onPointerCancel: cancel,
      onPointerMove: cancel,
    },
  };
}

/** Whose picture stands beside a bubble (others' messages in groups). */
export interface BubbleSender {
  userId: string;
  name: string;
  avatarId?: string | undefined;
}

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
  sender = null,
  grouped = false,
  highlighted = false,
  actions = [],
  chat = null,
  onRetry,
  onDiscard,
}: {
  row: ViewMessage;
  /** A private note (staff only): set apart in colour and words. */
  note?: boolean;
  /** Shown above others' messages in groups. */
  senderName: string | null;
  /**
   * Others' messages in groups: their avatar beside the first bubble of a group; the bubbles that
   * continue it keep its place empty, so they stay in one column.
   */
  sender?: BubbleSender | null;
  /** Continues the previous bubble's group (same sender, within a minute): set closer. */
  grouped?: boolean;
  /** Just jumped to: highlighted for a moment. */
  highlighted?: boolean;
  actions?: readonly BubbleAction[];
  /** The open conversation's message menu, quotes, reactions and names (MessageActions.tsx). */
  chat?: ChatActions | null;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const press = useLongPress();
  const message = row.message;
  const deleted = Boolean(message?.deletedAt);
  const system = message?.kind === 'system';
  const pictured = sender && !row.mine && !system ? sender : null;
  return (
    <li
      // The long press that shows the buttons, where there are buttons (staff notes); everything
      // else has its long press open the message menu (MessageMenu.tsx).
      {...(actions.length > 0 ? press.handlers : {})}
      className={`message ${row.mine ? 'mine' : 'theirs'}${system ? ' system' : ''}${note ? ' note' : ''}${grouped ? ' grouped' : ''}${pictured ? ' with-avatar' : ''}${highlighted ? ' highlighted' : ''}`}
      data-actions-open={press.open ? 'true' : undefined}
      data-highlighted={highlighted ? 'true' : undefined}
      data-testid="message"
      data-note={note ? 'true' : undefined}
      data-seq={row.seq ?? undefined}
      data-client-msg-id={row.clientMsgId ?? undefined}
      data-mine={String(row.mine)}
      data-status={row.status ?? undefined}
    >
      {pictured &&
        (grouped ? (
          <span className="avatar-space" aria-hidden="true" />
        ) : (
          // Decorative (Avatar is aria-hidden): the sender's name is written in the bubble.
          <PhotoAvatar id={pictured.userId} name={pictured.name} avatarId={pictured.avatarId} />
        ))}
      <div className="bubble">
        {note && (
          <span className="note-label" data-testid="note-label">
            {t('console.note.label')}
          </span>
        )}
        {senderName && !row.mine && !system && (
          <span className="sender" dir="auto">
            {senderName}
          </span>
        )}
        <BubbleTop message={message} pendingReplyTo={row.replyTo} actions={chat} />
        {message?.attachment && !deleted && <Attachment attachment={message.attachment} />}
        {/* A photo sent without a caption has no text to show. */}
        {(system || deleted || !message?.attachment || row.body) && (
          <p className="body" data-testid="message-body" dir="auto">
            {system && message ? (
              <SystemLine message={message} actions={chat} />
            ) : deleted ? (
              <em className="muted">{t('conv.deleted')}</em>
            ) : (
              <MessageText text={row.body ?? ''} />
            )}
          </p>
        )}
        <span className="meta">
          {message?.editedAt && !deleted && <span>{t('conv.edited')}</span>}
          <time dateTime={row.createdAt}>{formatTime(row.createdAt, lang)}</time>
          {row.status && (
            <span className={`status status-${row.status}`} title={t(`conv.status.${row.status}`)}>
              <Icon name={STATUS_ICON[row.status]} />
              <span className="visually-hidden">{t(`conv.status.${row.status}`)}</span>
            </span>
          )}
          <MessageMenuButton row={row} actions={chat} />
          {actions.length > 0 && (
            <span className="actions inline">
              {actions.map((action) => (
                <ActionButton
                  key={action.id}
                  icon={action.icon}
                  label={action.label}
                  testId={action.testId}
                  onClick={() => {
                    press.close();
                    action.run();
                  }}
                />
              ))}
            </span>
          )}
        </span>
        <Reactions message={message} actions={chat} />
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
