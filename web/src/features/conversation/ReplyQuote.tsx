import type { Message, ReplyPreview } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon.js';
import './actions.css';
import type { ChatActions } from './actionsContext.js';
import { useJumpTo } from './reading.js';

/** How much of a quoted text shows. */
const QUOTE_CHARS = 90;

function clip(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join('')}…` : chars.join('');
}

/** The start of a quoted message's text, or what it was (a file, deleted). */
export function quoteText(
  quoted: Pick<ReplyPreview, 'body' | 'deleted' | 'attachmentKind'>,
  t: TFunction,
): string {
  if (quoted.deleted) return t('actions.quoteDeleted');
  if (quoted.body) return clip(quoted.body);
  if (quoted.attachmentKind === 'image') return t('files.photo');
  if (quoted.attachmentKind === 'voice') return t('files.voice');
  if (quoted.attachmentKind) return t('actions.quoteAttachment');
  return '';
}

/** Above a bubble's text: "Forwarded from …" and the quote of the message it answers (a tap jumps there). */
export function BubbleTop({
  message,
  pendingReplyTo,
  actions,
}: {
  message: Message | null;
  /** A queued reply's quote (ViewMessage.replyTo): shown before the server has the message. */
  pendingReplyTo?: ReplyPreview | undefined;
  actions?: ChatActions | null;
}) {
  const { t } = useTranslation();
  const jumpTo = useJumpTo();
  if (message && (message.deletedAt || message.kind === 'system')) return null;
  const forwarded = message?.forwarded;
  const replyTo = message ? message.replyTo : pendingReplyTo;
  if (!forwarded && !replyTo) return null;
  const senderName = (id: string | null) =>
    (id && (id === actions?.meId ? t('names.you') : actions?.names.get(id))) || t('names.someone');
  return (
    <>
      {forwarded && (
        <span className="forwarded-label" data-testid="forwarded-label" dir="auto">
          {forwarded.name || forwarded.senderId
            ? t('actions.forwardedFrom', {
                name: forwarded.name ?? actions?.names.get(forwarded.senderId ?? '') ?? t('names.someone'),
              })
            : t('actions.forwarded')}
        </span>
      )}
      {replyTo && (
        <button
          type="button"
          className="reply-quote"
          data-testid="reply-quote"
          data-reply-seq={replyTo.seq}
          aria-label={t('actions.quoteLabel', {
            name: senderName(replyTo.senderId),
            text: quoteText(replyTo, t),
          })}
          onClick={() => void jumpTo(replyTo.seq)}
        >
          <span className="quote-name" dir="auto">
            {senderName(replyTo.senderId)}
          </span>
          <span className="quote-text" dir="auto">
            {quoteText(replyTo, t)}
          </span>
        </button>
      )}
    </>
  );
}

/**
 * Above the composer while replying: whom and what is answered; ✕ or Escape (in the composer)
 * stops replying. The composer takes the focus when it shows.
 */
export function ReplyBar({ name, text, onCancel }: { name: string; text: string; onCancel: () => void }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')?.focus();
  }, []);
  useEffect(() => {
    const key = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const target = event.target instanceof Element ? event.target : null;
      if (!target?.closest('form.composer, .reply-bar')) return;
      event.preventDefault();
      onCancel();
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, [onCancel]);
  return (
    <div className="reply-bar" data-testid="reply-bar" role="status">
      <div className="reply-bar-text">
        <span className="quote-name" dir="auto">
          {t('actions.replyingTo', { name })}
        </span>
        <span className="quote-text" dir="auto">
          {clip(text)}
        </span>
      </div>
      <button
        type="button"
        className="icon-button small"
        data-testid="reply-cancel"
        aria-label={t('actions.cancelReply')}
        onClick={() => {
          onCancel();
          document.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')?.focus();
        }}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
