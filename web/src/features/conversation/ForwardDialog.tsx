import type { Conversation } from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import type { ConversationPage } from '../../chat/engine.js';
import { conversationsKey } from '../../chat/messages.js';
import { conversationTitle } from '../../chat/names.js';
import { Icon } from '../../components/Icon.js';
import { useLang } from '../../lib/hooks.js';
import './actions.css';

const FOCUSABLE = 'button:not([disabled]), input:not([disabled])';

/** Case- and form-insensitive enough for names: NFC, lower case, Arabic ي/ك as Persian ی/ک. */
function fold(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/ي/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/\u200c/g, '');
}

/**
 * Where to forward a message: my conversations, searchable by name. Escape or Cancel closes;
 * focus starts in the search box and goes back to `returnFocus` on closing.
 */
export function ForwardDialog({
  meId,
  returnFocus,
  onPick,
  onCancel,
}: {
  meId: string;
  returnFocus: HTMLElement | null;
  onPick: (conversation: Conversation) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const back = useRef(returnFocus);
  const [query, setQuery] = useState('');
  const list = useQuery({ queryKey: conversationsKey, queryFn: () => api.conversations() });

  useEffect(() => {
    const opener =
      back.current ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    const root = document.getElementById('root');
    const inert = root && dialog.current && !root.contains(dialog.current) ? root : null;
    if (inert) inert.inert = true;
    search.current?.focus();
    return () => {
      if (inert) inert.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const targets = useMemo(() => {
    const wanted = fold(query.trim());
    return ((list.data as ConversationPage | undefined)?.items ?? [])
      .filter((c) => c.kind !== 'notes')
      .map((c) => ({ conversation: c, title: conversationTitle(c, meId, t, lang) }))
      .filter((c) => !wanted || fold(c.title).includes(wanted));
  }, [list.data, query, meId, t, lang]);

  function keyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Tab') {
      const items = [...(dialog.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const first = items[0];
      const last = items.at(-1);
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        className="dialog forward-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="forward-dialog"
        onKeyDown={keyDown}
      >
        <div className="row between">
          <h2 id={`${id}-title`} className="dialog-title">
            {t('actions.forwardTitle')}
          </h2>
          <button type="button" className="icon-button" aria-label={t('common.close')} onClick={onCancel}>
            <Icon name="close" />
          </button>
        </div>
        <input
          ref={search}
          type="search"
          dir="auto"
          data-testid="forward-search"
          aria-label={t('actions.forwardSearch')}
          placeholder={t('actions.forwardSearch')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <ul className="forward-list">
          {targets.map(({ conversation, title }) => (
            <li key={conversation.id}>
              <button
                type="button"
                className="forward-target"
                data-testid="forward-target"
                data-conversation-id={conversation.id}
                onClick={() => onPick(conversation)}
              >
                <bdi>{title}</bdi>
              </button>
            </li>
          ))}
        </ul>
        {list.data && targets.length === 0 && <p className="muted small">{t('actions.forwardNone')}</p>}
        {list.isPending && <p className="muted small">{t('common.loading')}</p>}
      </div>
    </div>,
    document.body,
  );
}
