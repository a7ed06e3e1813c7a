import { BodySchema, MAX_BODY_LENGTH } from '@abrik/protocol';
import {
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon.js';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { CANNED_LISTBOX_ID, CannedPicker, type CannedPickerHandle } from '../console/CannedPicker.js';
import { cannedQuery, unresolvedVariables } from '../console/canned.js';
import { useShortcut } from '../console/shortcuts.js';
import type { AttachmentDraft, PickOptions } from './AttachmentDraft.js';
import { canRecord, RecordingBar, useVoiceRecorder } from './VoiceRecorder.js';

/** Staff in a support conversation: private notes and canned replies. */
export interface StaffComposing {
  conversationId: string;
  note: boolean;
  onNote: (note: boolean) => void;
}

/** From this many characters on, the composer counts them (the limit is MAX_BODY_LENGTH). */
export const COUNTER_FROM = 3_500;

/** Characters as the server counts them (code points of the NFC form). */
export function bodyLength(text: string): number {
  return [...text.normalize('NFC')].length;
}

export interface Editing {
  messageId: string;
  body: string;
}

/** What the composer needs of an attachment being prepared (AttachmentDraft.tsx). */
export interface ComposerAttachment {
  draft: AttachmentDraft | null;
  onPick: (file: File, options?: PickOptions) => void;
  /** The draft's bar (progress, cancel, retry), shown above the box while there is one. */
  bar: ReactNode;
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
  attachment,
}: {
  editing: Editing | null;
  /** The text; '' when a stored attachment goes without a caption. */
  onSend: (body: string) => void;
  onEdit: (messageId: string, body: string) => void;
  onCancelEdit: () => void;
  onTyping: () => void;
  staff?: StaffComposing | undefined;
  /** Photos and files: the one being uploaded (shown above the box) and how to pick one. */
  attachment?: ComposerAttachment | undefined;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const tooLongId = useId();
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
  const pending = editing || staff?.note ? null : (attachment?.draft ?? null);
  // With a file, the text is its caption (may be empty); the message waits until the file is stored.
  const textValid = BodySchema.safeParse(text).success || (pending !== null && text.trim() === '');
  const valid = textValid && unresolved.length === 0 && (pending === null || pending.status === 'stored');
  const file = useRef<HTMLInputElement>(null);
  const voice = useVoiceRecorder((recorded, durationMs) =>
    attachment?.onPick(recorded, { kind: 'voice', durationMs, autoSend: true }),
  );
  const mayRecord =
    Boolean(attachment) && !editing && !staff?.note && pending === null && text === '' && canRecord();
  const length = text.length >= COUNTER_FROM ? bodyLength(text) : 0;
  const over = Math.max(0, length - MAX_BODY_LENGTH);
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
    if (!editing && pending) {
      if (!valid) return;
      const caption = BodySchema.safeParse(text);
      onSend(caption.success ? caption.data : '');
      setText('');
      input.current?.focus();
      return;
    }
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
      {length >= COUNTER_FROM && (
        <div className="composer-limit">
          <span
            className={`composer-counter${over > 0 ? ' over' : ''}`}
            data-testid="composer-counter"
            data-over={over > 0 ? 'true' : undefined}
          >
            {t('conv.counter', {
              used: formatNumber(length, lang),
              max: formatNumber(MAX_BODY_LENGTH, lang),
            })}
          </span>
          {over > 0 && (
            <span id={tooLongId} className="error small" role="status" data-testid="composer-too-long">
              {t('conv.tooLong', {
                max: formatNumber(MAX_BODY_LENGTH, lang),
                over: formatNumber(over, lang),
              })}
            </span>
          )}
        </div>
      )}
      {pending && attachment?.bar}
      {voice.state.status === 'idle' && voice.state.error && (
        <p className="error small" role="alert" data-testid="recording-error">
          {voice.state.error}
        </p>
      )}
      {voice.state.status === 'recording' ? (
        <RecordingBar startedAt={voice.state.startedAt} onStop={voice.stop} onCancel={voice.cancel} />
      ) : (
        <div className="composer-row">
          {attachment && !editing && !staff?.note && (
            <>
              <button
                type="button"
                className="icon-button attach"
                data-testid="attach"
                aria-label={t('files.attach')}
                title={t('files.attach')}
                onClick={() => file.current?.click()}
              >
                <Icon name="attach" />
              </button>
              <input
                ref={file}
                type="file"
                hidden
                data-testid="attach-input"
                onChange={(e) => {
                  const chosen = e.target.files?.[0];
                  e.target.value = '';
                  if (chosen) {
                    attachment.onPick(chosen);
                    input.current?.focus();
                  }
                }}
              />
            </>
          )}
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
            placeholder={
              staff?.note
                ? t('console.note.placeholder')
                : pending
                  ? t('files.captionHint')
                  : t('conv.composer')
            }
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              // A new `/` (or none) opens the picker again after it was closed or used.
              if (cannedQuery(e.target.value) === null || e.target.value === '/') setPickerClosed(false);
              if (!editing && e.target.value && !staff?.note) onTyping();
            }}
            onKeyDown={keyDown}
          />
          {mayRecord ? (
            <button
              type="button"
              className="primary send"
              data-testid="record"
              aria-label={t('files.record')}
              title={t('files.record')}
              disabled={voice.state.status !== 'idle'}
              onClick={() => void voice.start()}
            >
              <Icon name="mic" />
            </button>
          ) : (
            <button
              type="submit"
              className="primary send"
              data-testid="send"
              disabled={!valid}
              aria-describedby={over > 0 ? tooLongId : undefined}
            >
              {editing ? t('common.save') : t('conv.send')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}
