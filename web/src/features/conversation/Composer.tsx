import { BodySchema } from '@abrik/protocol';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Editing {
  messageId: string;
  body: string;
}

/** The message box: Enter sends, Shift+Enter adds a line; also where an own message is edited. */
export function Composer({
  editing,
  onSend,
  onEdit,
  onCancelEdit,
  onTyping,
}: {
  editing: Editing | null;
  onSend: (body: string) => void;
  onEdit: (messageId: string, body: string) => void;
  onCancelEdit: () => void;
  onTyping: () => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [draft, setDraft] = useState('');
  const [shown, setShown] = useState<Editing | null>(editing);
  const input = useRef<HTMLTextAreaElement>(null);

  // Editing starts: keep the draft aside and show the message; editing ends: the draft comes back.
  if (editing !== shown) {
    setShown(editing);
    if (editing) {
      if (!shown) setDraft(text);
      setText(editing.body);
    } else {
      setText(draft);
      setDraft('');
    }
  }
  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);

  const valid = BodySchema.safeParse(text).success;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const parsed = BodySchema.safeParse(text);
    if (!parsed.success) return;
    if (editing) {
      if (parsed.data !== editing.body) onEdit(editing.messageId, parsed.data);
      else onCancelEdit();
    } else {
      onSend(parsed.data);
      setText('');
    }
    input.current?.focus();
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && editing) {
      onCancelEdit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      {editing && (
        <div className="editing-bar" role="status">
          <span>{t('conv.editing')}</span>
          <button type="button" className="link-button" data-testid="edit-cancel" onClick={onCancelEdit}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <div className="composer-row">
        <textarea
          ref={input}
          data-testid="composer"
          dir="auto"
          rows={1}
          aria-label={t('conv.composer')}
          placeholder={t('conv.composer')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (!editing && e.target.value) onTyping();
          }}
          onKeyDown={keyDown}
        />
        <button type="submit" className="primary send" data-testid="send" disabled={!valid}>
          {editing ? t('common.save') : t('conv.send')}
        </button>
      </div>
    </form>
  );
}
