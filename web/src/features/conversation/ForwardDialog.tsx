import { type Conversation, normalizeForSearch } from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import type { ConversationPage } from '../../chat/engine.js';
import { conversationsKey } from '../../chat/messages.js';
import { conversationTitle } from '../../chat/names.js';
import { Icon } from '../../components/Icon.js';
import { ModalDialog } from '../../components/ModalDialog.js';
import { useLang } from '../../lib/hooks.js';
import './actions.css';

/** Names compared as search compares words: ي/ی, ك/ک, digits, ZWNJ and case set aside. */
const fold = (text: string) => normalizeForSearch(text.normalize('NFC'));

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
  const search = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const list = useQuery({ queryKey: conversationsKey, queryFn: () => api.conversations() });

  const targets = useMemo(() => {
    const wanted = fold(query.trim());
    return ((list.data as ConversationPage | undefined)?.items ?? [])
      .filter((c) => c.kind !== 'notes')
      .map((c) => ({ conversation: c, title: conversationTitle(c, meId, t, lang) }))
      .filter((c) => !wanted || fold(c.title).includes(wanted));
  }, [list.data, query, meId, t, lang]);

  return (
    <ModalDialog
      role="dialog"
      className="dialog forward-dialog"
      labelledBy={`${id}-title`}
      testId="forward-dialog"
      initialFocus={search}
      returnFocus={returnFocus}
      onCancel={onCancel}
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
    </ModalDialog>
  );
}
