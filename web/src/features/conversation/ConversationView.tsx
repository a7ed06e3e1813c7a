import type { Conversation, Message } from '@abrik/protocol';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Fragment,
  type ReactNode,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, errorText } from '../../api/errors.js';
import { useEngine, useServices } from '../../app/context.js';
import type { ConversationPage } from '../../chat/engine.js';
import {
  conversationKey,
  conversationsKey,
  flatten,
  type MessagesData,
  markDeleted,
  mergeMessages,
  messagesKey,
  viewMessages,
} from '../../chat/messages.js';
import { conversationTitle, peerOf, personName } from '../../chat/names.js';
import { Icon } from '../../components/Icon.js';
import { dayKey, formatDay, formatListTime, formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { useOpenCreated } from '../conversations/useOpenCreated.js';
import { CsatCard } from '../support/CsatCard.js';
import { OpeningBanner } from '../support/OpeningBanner.js';
import { supportStatusText } from '../support/status.js';
import { Composer, type Editing } from './Composer.js';
import { MembersPanel } from './MembersPanel.js';
import { MessageBubble } from './MessageBubble.js';

/** Within this many pixels of the bottom, new messages keep the view at the bottom. */
const STICK_PX = 80;
/** Within this many pixels of the top, older history is fetched. */
const LOAD_OLDER_PX = 200;

export function ConversationView({
  conversationId,
  backHref = '/',
  staffBar,
}: {
  conversationId: string;
  /** Where the back arrow goes (the console's list, for staff). */
  backHref?: string;
  /** Staff: the support actions, under the header. */
  staffBar?: ReactNode;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const engine = useEngine();
  const queryClient = useQueryClient();
  const me = useStore(session.store)?.user;
  const meId = me?.id ?? '';
  const [noteMode, setNoteMode] = useState(false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  const detail = useQuery({
    queryKey: conversationKey(conversationId),
    queryFn: () => api.conversation(conversationId),
  });
  const listed = useQuery({
    queryKey: conversationsKey,
    queryFn: () => api.conversations(),
    select: (page: ConversationPage) => page.items.find((c) => c.id === conversationId),
  });
  const conversation: Conversation | undefined = detail.data ?? listed.data;

  const history = useInfiniteQuery({
    queryKey: messagesKey(conversationId),
    queryFn: ({ pageParam }) =>
      pageParam === undefined ? engine.loadNewest(conversationId) : api.messages(conversationId, pageParam),
    initialPageParam: undefined as number | undefined,
    // Pages are prepended: the "previous" page holds older messages.
    getPreviousPageParam: (first) => first.nextCursor ?? undefined,
    getNextPageParam: () => undefined,
    // Live events and sync keep it current; a refetch would drop the older pages.
    staleTime: Number.POSITIVE_INFINITY,
  });

  // Staff beside a support conversation: its private notes, shown among the messages.
  const notesId = conversation?.support?.notesConversationId ?? null;
  const staffView = Boolean(notesId) && me?.role !== 'customer';
  const notes = useInfiniteQuery({
    queryKey: messagesKey(notesId ?? 'none'),
    queryFn: () => api.messages(notesId ?? ''),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: () => undefined,
    staleTime: Number.POSITIVE_INFINITY,
    enabled: staffView,
  });

  const outbox = useStore(engine.outbox.store);
  const pending = useMemo(
    () => outbox.filter((i) => i.conversationId === conversationId && !i.internal),
    [outbox, conversationId],
  );
  const pendingNotes = useMemo(
    () => outbox.filter((i) => i.conversationId === conversationId && i.internal),
    [outbox, conversationId],
  );
  const stored = useMemo(() => flatten(history.data), [history.data]);
  const othersReadSeq = useMemo(
    () =>
      Math.max(
        0,
        ...(conversation?.members ?? []).filter((m) => m.userId !== meId).map((m) => m.lastReadSeq),
      ),
    [conversation, meId],
  );
  const storedNotes = useMemo(() => flatten(notes.data), [notes.data]);
  const rows = useMemo(() => {
    const main = viewMessages(stored, pending, meId, othersReadSeq);
    if (!staffView) return main;
    const noteRows = viewMessages(storedNotes, pendingNotes, meId, 0).map((r) => ({ ...r, note: true }));
    return mergeByTime(main, noteRows);
  }, [stored, pending, meId, othersReadSeq, staffView, storedNotes, pendingNotes]);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of conversation?.members ?? []) map.set(m.userId, personName(m.userId, m.name, t, lang));
    return map;
  }, [conversation, t, lang]);

  // ---- focus (no push for what is on screen), read markers ---------------------------------
  useEffect(() => {
    engine.setFocus(conversationId);
    return () => engine.setFocus(null);
  }, [engine, conversationId]);

  const lastSeq = stored.at(-1)?.seq ?? 0;
  const myReadSeq = listed.data?.lastReadSeq ?? detail.data?.lastReadSeq ?? 0;
  useEffect(() => {
    const mark = () => {
      if (document.visibilityState !== 'hidden' && lastSeq > myReadSeq)
        engine.markRead(conversationId, lastSeq);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [engine, conversationId, lastSeq, myReadSeq]);

  // ---- the screen reader hears new messages of this conversation ----------------------------
  useEffect(
    () =>
      engine.arrivals.subscribe(() => {
        const m = engine.arrivals.get();
        if (m && m.conversationId === conversationId && m.body) {
          setAnnouncement(
            t('conv.newMessage', { name: names.get(m.senderId ?? '') ?? t('names.someone'), body: m.body }),
          );
        }
      }),
    [engine, conversationId, names, t],
  );

  // ---- scrolling: stick to the bottom, load older at the top, keep position when prepending --
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prependFrom = useRef<{ height: number; top: number } | null>(null);
  const firstKey = rows[0]?.key;
  const lastKey = rows.at(-1)?.key;
  const lastMine = rows.at(-1)?.mine;

  const loadOlder = useCallback(() => {
    const el = list.current;
    if (!el || !history.hasPreviousPage || history.isFetchingPreviousPage) return;
    prependFrom.current = { height: el.scrollHeight, top: el.scrollTop };
    void history.fetchPreviousPage();
  }, [history]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when older history was prepended
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (prependFrom.current) {
      el.scrollTop = prependFrom.current.top + (el.scrollHeight - prependFrom.current.height);
      prependFrom.current = null;
    }
  }, [firstKey]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a message was added at the end
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (atBottom.current || lastMine) el.scrollTop = el.scrollHeight;
  }, [lastKey, lastMine]);

  useEffect(() => {
    // A first page that does not fill the screen: there is no scrolling to ask for more.
    const el = list.current;
    if (el && history.data && el.scrollHeight <= el.clientHeight && history.hasPreviousPage) loadOlder();
  }, [history.data, history.hasPreviousPage, loadOlder]);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (el.scrollTop < LOAD_OLDER_PX) loadOlder();
  };

  // ---- actions --------------------------------------------------------------------------------
  const applyMessage = (message: Message) =>
    queryClient.setQueryData<MessagesData>(messagesKey(conversationId), (data) =>
      data ? mergeMessages(data, [message]) : data,
    );

  async function edit(messageId: string, body: string) {
    setActionError(null);
    try {
      applyMessage(await api.editMessage(conversationId, messageId, body));
      setEditing(null);
    } catch (e) {
      setActionError(errorText(e, t));
    }
  }

  async function remove(message: Message) {
    setActionError(null);
    try {
      await api.deleteMessage(conversationId, message.id);
      queryClient.setQueryData<MessagesData>(messagesKey(conversationId), (data) =>
        data ? markDeleted(data, { id: message.id, deletedAt: new Date().toISOString() }) : data,
      );
      if (editing?.messageId === message.id) setEditing(null);
    } catch (e) {
      setActionError(errorText(e, t));
    }
  }

  // ---- header ---------------------------------------------------------------------------------
  const presence = useStore(engine.presence);
  const typing = useStore(engine.typing).get(conversationId);
  const typists = [...(typing?.keys() ?? [])];
  const title = conversation ? conversationTitle(conversation, meId, t, lang) : '';
  const peer = conversation && conversation.kind !== 'group' ? peerOf(conversation, meId) : undefined;
  const peerPresence = peer ? presence.get(peer.userId) : undefined;
  const support = conversation?.kind === 'support' ? conversation.support : null;
  const subtitle = support
    ? supportStatusText(support, t, lang)
    : conversation?.kind === 'group'
      ? t('group.count', { count: conversation.memberCount, n: formatNumber(conversation.memberCount, lang) })
      : peerPresence?.status === 'online'
        ? t('conv.online')
        : peerPresence?.lastSeenAt
          ? t('conv.lastSeen', { when: formatListTime(peerPresence.lastSeenAt, lang) })
          : '';

  const notFound = detail.error instanceof ApiError && detail.error.code === 'conversation/not_found';
  const dayLabels = { today: t('conv.today'), yesterday: t('conv.yesterday') };

  return (
    <section className="conversation" aria-label={title}>
      <header className="conversation-header">
        <Link href={backHref} className="icon-button back" data-testid="back" aria-label={t('conv.back')}>
          <Icon name="back" className="flip-rtl" />
        </Link>
        <div className="conversation-heading">
          <h2>
            <bdi>{title}</bdi>
          </h2>
          <p className="muted small" data-testid="conversation-subtitle">
            {subtitle}
          </p>
        </div>
        {conversation?.kind === 'group' && (
          <button
            type="button"
            data-testid="members-toggle"
            aria-expanded={showMembers}
            onClick={() => setShowMembers((s) => !s)}
          >
            {t('group.members')}
          </button>
        )}
      </header>
      {staffBar}
      {showMembers && conversation?.kind === 'group' && detail.data && (
        <MembersPanel conversation={detail.data} meId={meId} onClose={() => setShowMembers(false)} />
      )}
      {notFound ? (
        <p className="error pad" role="alert">
          {errorText(detail.error, t)}
        </p>
      ) : (
        <div
          className="message-list"
          data-testid="message-list"
          ref={list}
          onScroll={onScroll}
          role="log"
          aria-label={t('conv.messages')}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the history scrolls with the keyboard
          tabIndex={0}
        >
          {history.isFetchingPreviousPage && <p className="muted center">{t('conv.olderLoading')}</p>}
          {history.data && !history.hasPreviousPage && (
            <p className="muted center small">{t('conv.start')}</p>
          )}
          {history.isPending && <p className="muted center">{t('common.loading')}</p>}
          {history.error && (
            <p className="error" role="alert">
              {errorText(history.error, t)}
            </p>
          )}
          <ol className="messages">
            {rows.map((row, i) => {
              const previous = rows[i - 1];
              const newDay = !previous || dayKey(previous.createdAt) !== dayKey(row.createdAt);
              return (
                <Fragment key={row.key}>
                  {newDay && (
                    <li className="date-separator" data-testid="date-separator">
                      <span>{formatDay(row.createdAt, lang, dayLabels)}</span>
                    </li>
                  )}
                  <MessageBubble
                    row={row}
                    note={'note' in row && row.note === true}
                    senderName={
                      // Groups name every sender; support names who answers (the agent, on their replies).
                      (conversation?.kind === 'group' || (support && row.senderId !== meId)) &&
                      row.senderId &&
                      previous?.senderId !== row.senderId
                        ? (names.get(row.senderId) ?? t('names.unnamed'))
                        : null
                    }
                    onRetry={() => row.clientMsgId && engine.outbox.retry(row.clientMsgId)}
                    onDiscard={() => row.clientMsgId && engine.outbox.discard(row.clientMsgId)}
                    onEdit={() =>
                      row.message && setEditing({ messageId: row.message.id, body: row.message.body ?? '' })
                    }
                    onDelete={() => row.message && void remove(row.message)}
                  />
                </Fragment>
              );
            })}
          </ol>
        </div>
      )}
      <div className="typing-line" aria-live="off">
        {typists.length > 0 && (
          <span data-testid="typing-indicator">
            {t('conv.typing', {
              name: conversation?.kind === 'group' ? (names.get(typists[0]!) ?? t('names.someone')) : title,
            })}
          </span>
        )}
      </div>
      <div className="visually-hidden" aria-live="polite" data-testid="live-region">
        {announcement}
      </div>
      {actionError && (
        <p className="error pad" role="alert">
          {actionError}
        </p>
      )}
      {support?.csat && me?.role === 'customer' && (
        <CsatCard conversationId={conversationId} csat={support.csat} />
      )}
      {support && me?.role === 'customer' && support.status !== 'resolved' && support.status !== 'closed' && (
        <OpeningBanner />
      )}
      {support?.status === 'resolved' && (
        <p className="muted small pad" data-testid="support-resolved-hint">
          {t('support.resolvedHint')}
        </p>
      )}
      {support?.status === 'closed' ? (
        <SupportClosed subject={conversation?.subject ?? null} />
      ) : (
        !notFound && (
          <Composer
            editing={editing}
            onSend={(body) => {
              atBottom.current = true;
              engine.send(conversationId, body, { internal: staffView && noteMode });
            }}
            staff={
              staffView ? { conversationId, note: noteMode, onNote: (note) => setNoteMode(note) } : undefined
            }
            onEdit={(id, body) => void edit(id, body)}
            onCancelEdit={() => setEditing(null)}
            onTyping={() => engine.sendTyping(conversationId)}
          />
        )
      )}
    </section>
  );
}

/** Two lists of rows, each in order, as one list in the order they were written. */
function mergeByTime<T extends { createdAt: string }>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.createdAt <= y.createdAt)) {
      out.push(x!);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** A closed support conversation is read-only: the customer starts a new one (same subject). */
function SupportClosed({ subject }: { subject: string | null }) {
  const { t } = useTranslation();
  const openCreated = useOpenCreated(() => {});
  const { busy, error, run } = useAction();
  async function start() {
    await run(async () => {
      await openCreated({ kind: 'support', ...(subject ? { subject } : {}) });
    });
  }
  return (
    <div className="composer closed-notice" data-testid="support-closed">
      <p className="muted">{t('support.closed')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        className="primary"
        data-testid="support-start-new"
        disabled={busy}
        onClick={() => void start()}
      >
        {t('support.startNew')}
      </button>
    </div>
  );
}
