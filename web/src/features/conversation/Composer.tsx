import { BodySchema } from '@abrik/protocol';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CANNED_LISTBOX_ID, CannedPicker, type CannedPickerHandle } from '../console/CannedPicker.js';
import { cannedQuery, unresolvedVariables } from '../console/canned.js';
import { useShortcut } from '../console/shortcuts.js';

/** Staff in a support conversation: private notes and canned replies. */
export interface StaffComposing {
  conversationId: string;
  note: boolean;
  onNote: (note: boolean) => void;
}

export interface Editing {
  messageId: string;
  body: string;
}

/**
 * The message box: Enter sends, Shift+Enter adds a line; also where an own message is edited.
 * For staff in a support conversation: a private-note switch, and `/` opens the canned replies.
 */
export function Composer({
  editing,
  onSend,
  onEdit,
  onCancelEdit,
  onTyping,
  staff,
}: {
  editing: Editing | null;
  onSend: (body: string) => void;
  onEdit: (messageId: string, body: string) => void;
  onCancelEdit: () => void;
  onTyping: () => void;
  staff?: StaffComposing | undefined;
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

  const picker = useRef<CannedPickerHandle>(null);
  const [pickerClosed, setPickerClosed] = useState(false);
  const [activeOption, setActiveOption] = useState<string | undefined>(undefined);
  const canned = staff && !editing && !pickerClosed ? cannedQuery(text) : null;
  // A reply to the customer may not carry a variable left unfilled; a note may.
  const unresolved = staff && !staff.note ? unresolvedVariables(text) : [];
  const valid = BodySchema.safeParse(text).success && unresolved.length === 0;
  useShortcut(
    '/',
    () => {
      // Into an empty composer only: a draft (or a message being edited) is never replaced.
      if (!editing && text === '') {
        setPickerClosed(false);
        setText('/');
      }
      input.current?.focus();
    },
    Boolean(staff),
  );

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const parsed = BodySchema.safeParse(text);
    if (!parsed.success) return;
    if (editing) {
      if (parsed.data !== editing.body) onEdit(editing.messageId, parsed.data);
      else onCancelEdit();
    } else {
      if (unresolved.length > 0) return;
      onSend(parsed.data);
      setText('');
      setPickerClosed(false);
    }
    input.current?.focus();
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (canned !== null && picker.current?.key(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && editing) {
      onCancelEdit();
    }
  }

  return (
    <form className={`composer${staff?.note ? ' note-mode' : ''}`} onSubmit={submit}>
      {canned !== null && staff && (
        <CannedPicker
          ref={picker}
          query={canned}
          conversationId={staff.conversationId}
          onActive={setActiveOption}
          onClose={() => setPickerClosed(true)}
          onPicked={(filled) => {
            setText(filled);
            setPickerClosed(true);
            input.current?.focus();
          }}
        />
      )}
      {unresolved.length > 0 && (
        <p className="error small" role="alert" data-testid="composer-unresolved">
          {t('console.canned.unresolved', { names: unresolved.map((v) => `{{${v}}}`).join('، ') })}
        </p>
      )}
      {staff && (
        <div className="row composer-modes">
          <button
            type="button"
            className={`chip${staff.note ? ' on' : ''}`}
            data-testid="note-toggle"
            aria-pressed={staff.note}
            onClick={() => {
              staff.onNote(!staff.note);
              input.current?.focus();
            }}
          >
            {t('console.note.toggle')}
          </button>
          {staff.note && <span className="muted small">{t('console.note.hint')}</span>}
        </div>
      )}
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
          {...(staff
            ? {
                // While `/` lists canned replies, the composer is the combobox that controls them.
                role: 'combobox',
                'aria-autocomplete': 'list' as const,
                'aria-expanded': canned !== null,
                'aria-controls': CANNED_LISTBOX_ID,
                'aria-activedescendant': canned !== null ? activeOption : undefined,
              }
            : {})}
          placeholder={staff?.note ? t('console.note.placeholder') : t('conv.composer')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            // A new `/` (or none) opens the picker again after it was closed or used.
            if (cannedQuery(e.target.value) === null || e.target.value === '/') setPickerClosed(false);
            if (!editing && e.target.value && !staff?.note) onTyping();
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
