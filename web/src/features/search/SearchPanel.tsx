import { type Conversation, type SearchHit, searchWords } from '@abrik/protocol';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { errorText } from '../../api/errors.js';
import { searchMessages } from '../../api/search.js';
import { useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';
import { conversationTitle, personName } from '../../chat/names.js';
import { Icon } from '../../components/Icon.js';
import { dayKey, formatDate, formatTime } from '../../lib/format.js';
import { closeOnEscape, useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { snippetSegments } from './highlight.js';
import './search.css';
import { focusOnMount } from '../../lib/focus.js';

/** Typing pauses this long before the search is sent. */
const DEBOUNCE_MS = 300;
const PAGE = 20;

/** Where a result opens: its conversation, at the message. */
export const resultHref = (hit: Pick<SearchHit, 'conversationId' | 'seq'>) =>
  `/c/${hit.conversationId}?at=${hit.seq}`;

/** The search box and its results, newest first; a result opens its conversation at the message. */
export function SearchPanel({
  id,
  conversationId,
  onClose,
}: {
  id?: string;
  conversationId?: string | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const meId = useStore(session.store)?.user.id ?? '';
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const searchable = searchWords(q).length > 0;
  const results = useInfiniteQuery({
    queryKey: ['search', conversationId ?? null, q],
    queryFn: ({ pageParam }) =>
      searchMessages(api, { q, conversationId, cursor: pageParam ?? undefined, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: searchable,
    // New messages keep arriving: a search opened again asks again (the app's default keeps 30 s).
    staleTime: 0,
  });
  const conversations = useQuery({ queryKey: conversationsKey, queryFn: () => api.conversations() });
  const byId = useMemo(
    () => new Map<string, Conversation>((conversations.data?.items ?? []).map((c) => [c.id, c])),
    [conversations.data],
  );
  const hits = results.data?.pages.flatMap((p) => p.items) ?? [];
  const listId = `${id ?? 'search'}-results`;

  const open = (hit: SearchHit) => {
    onClose();
    navigate(resultHref(hit));
  };
  const onInputKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter opens the newest result; arrows go down into the list.
    if (event.key === 'Enter' && hits[0]) {
      event.preventDefault();
      open(hits[0]);
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      document.querySelector<HTMLElement>(`#${CSS.escape(listId)} a`)?.focus();
    }
  };

  return (
    <section
      id={id}
      className="panel search-panel"
      data-testid="search-panel"
      aria-label={conversationId ? t('search.openHere') : t('search.open')}
      onKeyDown={closeOnEscape(onClose)}
    >
      <div className="search-box">
        <input
          type="search"
          dir="auto"
          data-testid="search-input"
          aria-label={conversationId ? t('search.placeholderHere') : t('search.placeholder')}
          placeholder={conversationId ? t('search.placeholderHere') : t('search.placeholder')}
          aria-controls={listId}
          maxLength={100}
          // The panel was opened to type a search.
          ref={focusOnMount}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onInputKey}
        />
        <button
          type="button"
          className="icon-button"
          aria-label={t('search.close')}
          title={t('search.close')}
          data-testid="search-close"
          onClick={onClose}
        >
          <Icon name="close" />
        </button>
      </div>
      {searchable && results.isPending && <p className="muted small">{t('search.searching')}</p>}
      {results.error && (
        <p className="error" role="alert">
          {errorText(results.error, t)}
        </p>
      )}
      {searchable && results.data && hits.length === 0 && (
        <p className="muted small" data-testid="search-empty">
          {t('search.empty')}
        </p>
      )}
      <ul id={listId} className="search-results" aria-label={t('search.results')}>
        {hits.map((hit) => {
          const conversation = byId.get(hit.conversationId);
          const title = conversation
            ? conversationTitle(conversation, meId, t, lang)
            : t('search.unknownConversation');
          // In a direct conversation the title already names the other person.
          const sender =
            hit.senderId === meId
              ? t('search.you')
              : hit.senderId && (conversationId || conversation?.kind !== 'direct')
                ? personName(hit.senderId, hit.senderName, t, lang)
                : '';
          const when =
            dayKey(hit.createdAt) === dayKey(new Date())
              ? formatTime(hit.createdAt, lang)
              : formatDate(hit.createdAt, lang);
          return (
            <li key={hit.messageId}>
              <a
                href={resultHref(hit)}
                className="search-result"
                data-testid="search-result"
                data-conversation-id={hit.conversationId}
                data-seq={hit.seq}
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  open(hit);
                }}
                onKeyDown={(event) => moveFocus(event)}
              >
                <span className="search-result-head">
                  {!conversationId && (
                    <bdi className="search-result-title" data-testid="search-result-title">
                      {title}
                    </bdi>
                  )}
                  {sender && <bdi className="muted small">{sender}</bdi>}
                  <time className="muted small" dateTime={hit.createdAt}>
                    {when}
                  </time>
                </span>
                <span className="search-snippet" dir="auto" data-testid="search-snippet">
                  {snippetSegments(hit.body, hit.highlights).map((segment, i) =>
                    segment.mark ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one text, in order
                      <mark key={i}>{segment.text}</mark>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one text, in order
                      <span key={i}>{segment.text}</span>
                    ),
                  )}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {results.hasNextPage && (
        <button
          type="button"
          className="link-button"
          data-testid="search-more"
          disabled={results.isFetchingNextPage}
          onClick={() => void results.fetchNextPage()}
        >
          {t('search.more')}
        </button>
      )}
    </section>
  );
}

/** Up and down arrows move between results. */
function moveFocus(event: KeyboardEvent<HTMLAnchorElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const item = event.currentTarget.closest('li');
  const next = event.key === 'ArrowDown' ? item?.nextElementSibling : item?.previousElementSibling;
  const target = next?.querySelector('a');
  if (target) {
    event.preventDefault();
    target.focus();
  }
}

/** `value`, once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
