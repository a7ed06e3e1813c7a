/** @jsxImportSource preact */
import type { Message } from '@abrik/protocol';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ChatView, WidgetChat } from '../chat';
import { formatTime, type Locale, type Texts } from '../i18n';

const URL_PATTERN = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** A message's text with its web links as links (opened in a new tab: the frame allows popups). */
function Linked({ text }: { text: string }) {
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(at, match.index));
    parts.push(
      <a href={match[0]} target="_blank" rel="noopener noreferrer">
        {match[0]}
      </a>,
    );
    at = match.index + match[0].length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

function Bubble({
  message,
  own,
  read,
  t,
  locale,
}: {
  message: Message;
  own: boolean;
  read: boolean;
  t: Texts;
  locale: Locale;
}) {
  const deleted = message.deletedAt !== null;
  return (
    <div class={own ? 'msg own' : 'msg'} data-testid="widget-message" data-own={String(own)}>
      <span class="sr">{own ? t.you : t.agent}: </span>
      <p class={deleted ? 'body deleted' : 'body'} dir="auto">
        {deleted ? t.deleted : <Linked text={message.body ?? ''} />}
      </p>
      <span class="meta">
        <time dateTime={message.createdAt}>{formatTime(locale, message.createdAt)}</time>
        {message.editedAt && !deleted && <span> · {t.edited}</span>}
        {own && (
          <span class="tick" data-read={String(read)} role="img" aria-label={read ? t.read : t.sent}>
            {read ? '✓✓' : '✓'}
          </span>
        )}
      </span>
    </div>
  );
}

/** The conversation: the greeting, its messages (own and the agents'), those on their way. */
export function MessageLog({
  chat,
  view,
  t,
  locale,
  greeting,
  children,
}: {
  chat: WidgetChat;
  view: ChatView;
  t: Texts;
  locale: Locale;
  greeting: string;
  children?: ComponentChildren;
}) {
  const log = useRef<HTMLDivElement>(null);
  const agentReadSeq = view.conversation?.agentReadSeq ?? 0;
  // New messages in view (the log is read from the bottom).
  const count = view.messages.length + view.pending.length;
  useEffect(() => {
    const element = log.current;
    if (element && count >= 0) element.scrollTop = element.scrollHeight;
  }, [count]);
  return (
    <div class="log" ref={log} role="log" aria-live="polite" aria-label={t.title}>
      <p class="greeting" dir="auto">
        {greeting}
      </p>
      {view.messages.map((message) =>
        message.kind === 'text' ? (
          <Bubble
            key={message.id}
            message={message}
            own={chat.isOwn(message)}
            read={agentReadSeq >= message.seq}
            t={t}
            locale={locale}
          />
        ) : (
          <p key={message.id} class="system" dir="auto">
            {message.body}
          </p>
        ),
      )}
      {view.pending.map((item) => (
        <div key={item.clientMsgId} class="msg own pending" data-testid="widget-message" data-own="true">
          <p class="body" dir="auto">
            {item.body}
          </p>
          <span class="meta">
            {item.failed ? (
              <>
                <span>{t.failed}</span>{' '}
                <button type="button" class="link" onClick={() => void chat.retry(item.clientMsgId)}>
                  {t.retry}
                </button>
              </>
            ) : (
              t.sending
            )}
          </span>
        </div>
      ))}
      {children}
    </div>
  );
}
