/** @jsxImportSource preact */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ChatView, modeOf, type WidgetChat } from '../chat';
import { type FormField, offlineFields } from '../forms';
import { errorText, formatNumber, formatOpening, type Locale, type Texts, texts } from '../i18n';
import { Csat } from './Csat';
import { FieldsForm } from './Forms';
import { focusStart, trapFocus, useChat, useTheme } from './hooks';
import { MessageLog } from './Messages';

interface Props {
  chat: WidgetChat;
  locale: Locale;
  /** The visitor closed the panel (its button): the loader hides it. */
  onClose: () => void;
}

/** The chat panel inside the frame: header, conversation, and the form or composer below. */
export function App({ chat, locale, onClose }: Props) {
  const view = useChat(chat);
  const t = texts(locale);
  const panel = useRef<HTMLDivElement>(null);
  const theme = view.widget?.theme;
  useTheme(theme?.primaryColor, theme?.textColor);
  const mode = modeOf(view);

  useEffect(() => {
    // On opening, and when a form gives way to the composer (the focused button is gone).
    if (view.visible && mode !== 'loading') focusStart(panel.current);
  }, [view.visible, mode]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => trapFocus(event, panel.current);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const agent = view.conversation?.assignee?.name;
  return (
    <div class="panel" ref={panel} role="dialog" aria-modal="true" aria-labelledby="abrik-title">
      <header class="head">
        <div class="head-text">
          <h1 id="abrik-title">{view.widget?.name || t.title}</h1>
          {agent && (
            <p class="agent">
              <span data-testid="widget-agent-name">{agent}</span> {t.servedBy}
            </p>
          )}
        </div>
        <button type="button" class="close" data-testid="widget-close" aria-label={t.close} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {view.error && (
        <p class="error" role="alert" data-testid="widget-error">
          {errorText(t, view.error)}
        </p>
      )}
      <Body chat={chat} view={view} t={t} locale={locale} />
    </div>
  );
}

function Body({ chat, view, t, locale }: { chat: WidgetChat; view: ChatView; t: Texts; locale: Locale }) {
  const mode = modeOf(view);
  if (mode === 'blocked') return null; // the alert says why
  if (mode === 'loading') {
    return (
      <div class="notice">
        {view.status === 'idle' && view.error ? (
          <button type="button" class="primary" onClick={() => void chat.load()}>
            {t.tryAgain}
          </button>
        ) : (
          <p>{t.loading}</p>
        )}
      </div>
    );
  }
  const state = view.state!;
  const widget = view.widget ?? state.widget;
  const conversation = view.conversation;
  const greeting = widget.greeting[locale] ?? t.greeting;
  const waiting = conversation && !conversation.assignee && conversation.writable;

  return (
    <>
      <MessageLog chat={chat} view={view} t={t} locale={locale} greeting={greeting}>
        {view.offlineSent && <p class="note">{t.offlineSent}</p>}
        {waiting && conversation.queuePosition !== null && (
          <p class="note" data-testid="widget-queue">
            {t.queue(formatNumber(locale, conversation.queuePosition))}
            {conversation.etaSeconds !== null &&
              ` ${t.eta(formatNumber(locale, Math.max(1, Math.round(conversation.etaSeconds / 60))))}`}
          </p>
        )}
        {waiting && conversation.queuePosition === null && conversation.waitingSince && (
          <p class="note">{t.waiting}</p>
        )}
        {view.agentTyping && (
          <p class="typing" data-testid="widget-typing">
            {conversation?.assignee?.name ?? t.agent} {t.typing}
          </p>
        )}
        {view.waitOffer && (
          <div class="note">
            <p>{t.waitOffer}</p>
            <button
              type="button"
              class="secondary"
              data-testid="widget-wait-offer"
              onClick={() => chat.acceptWaitOffer()}
            >
              {t.leaveMessage}
            </button>
          </div>
        )}
        {conversation?.csat && <Csat chat={chat} csat={conversation.csat} t={t} locale={locale} />}
        {mode === 'closed' && (
          <div class="note">
            <p>{t.closed}</p>
            <button
              type="button"
              class="primary"
              data-testid="widget-new-conversation"
              onClick={() => chat.startNew()}
            >
              {t.newConversation}
            </button>
          </div>
        )}
      </MessageLog>
      {mode === 'chat' && <Composer chat={chat} t={t} />}
      {mode === 'prechat' && (
        <FieldsForm
          testId="widget-prechat"
          title={t.prechatTitle}
          fields={state.widget.prechat.fields.map(
            (field): FormField => ({ ...field, label: field.label[locale] }),
          )}
          t={t}
          submitLabel={t.prechatSubmit}
          onSubmit={(values) => chat.submitPrechat(values)}
        />
      )}
      {mode === 'offline' && (
        <FieldsForm
          testId="widget-offline"
          title={t.offlineTitle}
          fields={offlineFields(state.verified)}
          t={t}
          submitLabel={t.offlineSubmit}
          contactRequired={!state.verified}
          onSubmit={(values) => chat.submitOffline(values)}
        >
          <p dir="auto">
            {view.leavingMessage ? t.leaveIntro : (widget.offlineText[locale] ?? t.offlineText)}
          </p>
          {state.opening.nextOpenAt && (
            <p data-testid="widget-next-opening">
              {t.nextOpening(formatOpening(locale, state.opening.nextOpenAt, state.opening.timeZone))}
            </p>
          )}
        </FieldsForm>
      )}
    </>
  );
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
function Composer({ chat, t }: { chat: WidgetChat; t: Texts }) {
  const [text, setText] = useState('');
  const send = () => {
    if (!text.trim()) return;
    void chat.send(text);
    setText('');
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label class="sr" htmlFor="abrik-composer">
        {t.composer}
      </label>
      <textarea
        id="abrik-composer"
        data-testid="widget-composer"
        rows={2}
        maxLength={4000}
        dir="auto"
        placeholder={t.placeholder}
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          chat.typing();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" class="primary" data-testid="widget-send">
        {t.send}
      </button>
    </form>
  );
}
