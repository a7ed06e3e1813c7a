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
import { Link, useSearch } from 'wouter';
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
  othersReadSeq as othersReadSeqOf,
  viewMessages,
} from '../../chat/messages.js';
import { conversationTitle, memberNames, peerOf } from '../../chat/names.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { Icon } from '../../components/Icon.js';
import { dayKey, formatDay, formatListTime, formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { useOpenCreated } from '../conversations/useOpenCreated.js';
import { SearchButton } from '../search/SearchButton.js';
import { CsatCard } from '../support/CsatCard.js';
import { OpeningBanner } from '../support/OpeningBanner.js';
import { supportStatusText } from '../support/status.js';
import { AttachmentDraftBar, useAttachmentDraft } from './AttachmentDraft.js';
import { Composer, type Editing } from './Composer.js';
import { MembersPanel } from './MembersPanel.js';
import { useMessageActions } from './MessageActions.js';
import { type BubbleAction, MessageBubble } from './MessageBubble.js';
import { continuesGroup, firstUnreadSeq, JumpContext, ReadMarker, unseenCount } from './reading.js';

/** Within this many pixels of the bottom, new messages keep the view at the bottom. */
const STICK_PX = 80;
/** Within this many pixels of the top, older history is fetched. */
const LOAD_OLDER_PX = 200;
/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2_000;

/** Where the view is asked to go: a message (`?at=`, a reply, a search result) or the first unread. */
interface Jump {
  seq: number;
  mode: 'at' | 'unread';
  resolve?: (found: boolean) => void;
}

/** `?at=<seq>` of the page's address: open the conversation at that message. */
function atSeqOf(search: string): number | null {
  const at = Number(new URLSearchParams(search).get('at'));
  return Number.isSafeInteger(at) && at > 0 ? at : null;
}

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
  const membersToggle = useRef<HTMLButtonElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const { confirm, dialog } = useConfirm();
  // Removed from this group: what is held stays readable; nothing is asked of the server.
  const removed = useStore(engine.removed).has(conversationId);
  const connection = useStore(engine.connection);
  const atSeq = atSeqOf(useSearch());

  const detail = useQuery({
    queryKey: conversationKey(conversationId),
    queryFn: () => api.conversation(conversationId),
    enabled: !removed,
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
    enabled: !removed,
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
  // Former members' receipts count too: ✓✓ stays when a reader leaves.
  const othersReadSeq = useMemo(() => othersReadSeqOf(conversation, meId), [conversation, meId]);
  const storedNotes = useMemo(() => flatten(notes.data), [notes.data]);
  const rows = useMemo(() => {
    const main = viewMessages(stored, pending, meId, othersReadSeq);
    if (!staffView) return main;
    const noteRows = viewMessages(storedNotes, pendingNotes, meId, 0).map((r) => ({ ...r, note: true }));
    return mergeByTime(main, noteRows);
  }, [stored, pending, meId, othersReadSeq, staffView, storedNotes, pendingNotes]);
  // Former members keep their names on their messages.
  const names = useMemo(() => memberNames(conversation, t, lang), [conversation, t, lang]);
  // Members' profile photos, beside their bubbles in groups (`user:avatar` changes them in place).
  const avatarIds = useMemo(
    () => new Map(conversation?.members.map((m) => [m.userId, m.avatarId]) ?? []),
    [conversation],
  );
  const upload = useAttachmentDraft(conversationId);
  const chat = useMessageActions({
    conversationId,
    conversation,
    meId,
    names,
    readOnly: removed,
    held: stored,
    onEdit: (message) => setEditing({ messageId: message.id, body: message.body ?? '' }),
  });
  // A voice note goes as soon as it is stored: there is no caption to wait for.
  useEffect(() => {
    if (upload.draft?.status !== 'stored' || !upload.draft.options.autoSend) return;
    const file = upload.take();
    if (file) engine.send(conversationId, '', { attachmentId: file.id, ...chat.takeReply() });
  }, [upload, engine, conversationId, chat]);

  // ---- focus (no push for what is on screen), read markers ---------------------------------
  useEffect(() => {
    engine.setFocus(conversationId);
    return () => engine.setFocus(null);
  }, [engine, conversationId]);

  // What I had read, and how far the conversation went, when it was opened: the unread divider
  // sits at the first message between the two, and stays there while the conversation is open.
  const [opened, setOpened] = useState<{ readSeq: number; lastSeq: number } | null>(null);
  const known = listed.data ?? detail.data;
  if (opened === null && known) setOpened({ readSeq: known.lastReadSeq, lastSeq: known.lastSeq });
  const dividerSeq = useMemo(
    () => (opened ? firstUnreadSeq(rows, opened.readSeq, opened.lastSeq) : null),
    [rows, opened],
  );

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
  const [scrolledUp, setScrolledUp] = useState(false);
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
    setScrolledUp(!atBottom.current);
    if (el.scrollTop < LOAD_OLDER_PX) loadOlder();
  };

  // ---- opening at a message: `?at=`, the first unread, `jumpTo` (reply quotes, search) ------
  const [jump, setJump] = useState<Jump | null>(null);
  /** The view stands where it should (at the first unread, a message or the end): reading counts. */
  const [positioned, setPositioned] = useState(false);
  const [highlightSeq, setHighlightSeq] = useState<number | null>(null);
  const jumpTo = useCallback(
    (seq: number) => new Promise<boolean>((resolve) => setJump({ seq, mode: 'at', resolve })),
    [],
  );

  useEffect(() => {
    if (positioned || jump || !opened || !history.data) return;
    if (atSeq !== null) setJump({ seq: atSeq, mode: 'at' });
    else if (opened.lastSeq > opened.readSeq) setJump({ seq: opened.readSeq + 1, mode: 'unread' });
    else setPositioned(true);
  }, [positioned, jump, opened, history.data, atSeq]);

  // A new `?at=` while the conversation is open (a search result in it).
  const lastAt = useRef(atSeq);
  useEffect(() => {
    if (atSeq === lastAt.current) return;
    lastAt.current = atSeq;
    if (atSeq !== null) void jumpTo(atSeq);
  }, [atSeq, jumpTo]);

  useEffect(() => {
    if (!jump) return;
    const done = (found: boolean) => {
      jump.resolve?.(found);
      setJump(null);
      setPositioned(true);
    };
    if (history.error) return done(false);
    if (!history.data) return;
    const oldest = stored[0]?.seq;
    if (oldest !== undefined && oldest > jump.seq && history.hasPreviousPage) {
      // Not held yet: older history, a page at a time, until it is.
      if (!history.isFetchingPreviousPage) void history.fetchPreviousPage();
      return;
    }
    const el = list.current;
    const held = [...(el?.querySelectorAll<HTMLElement>('li[data-seq]:not([data-note])') ?? [])];
    if (jump.mode === 'unread') {
      // Only my own messages after the marker: nothing unread, the end as usual.
      const target = el?.querySelector<HTMLElement>('[data-testid="unread-divider"]');
      if (target) target.scrollIntoView({ block: 'start' });
      else if (el) el.scrollTop = el.scrollHeight;
      done(Boolean(target));
      return;
    }
    const target = held.find((b) => Number(b.dataset.seq) === jump.seq);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      setHighlightSeq(jump.seq);
    }
    done(Boolean(target));
  }, [jump, history, stored]);

  useEffect(() => {
    if (highlightSeq === null) return;
    const timer = setTimeout(() => setHighlightSeq(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlightSeq]);

  useEffect(() => {
    // Where the jump left the view: at the end or not.
    const el = list.current;
    if (!positioned || !el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    setScrolledUp(!atBottom.current);
  }, [positioned]);

  // ---- reading: the read marker moves as bubbles are actually seen ---------------------------
  const [seenSeq, setSeenSeq] = useState(0);
  const seen = useRef(0);
  const marker = useRef<ReadMarker | null>(null);
  if (opened && !marker.current) {
    seen.current = opened.readSeq;
    marker.current = new ReadMarker(opened.readSeq, (seq) => engine.markRead(conversationId, seq));
  }
  useEffect(() => () => marker.current?.flush(), []);
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    const el = list.current;
    if (!positioned || removed || !el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (document.visibilityState === 'hidden') return;
        let top = 0;
        for (const entry of entries) {
          const height = entry.rootBounds?.height ?? Number.POSITIVE_INFINITY;
          const shown = entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= height / 2;
          if (!entry.isIntersecting || !shown) continue;
          top = Math.max(top, Number((entry.target as HTMLElement).dataset.seq) || 0);
        }
        if (top <= seen.current) return;
        seen.current = top;
        setSeenSeq(top);
        marker.current?.seen(top);
      },
      { root: el, threshold: [0.1, 0.5, 1] },
    );
    observer.current = io;
    const observeAll = () => {
      for (const b of el.querySelectorAll('li[data-seq]:not([data-note])')) io.observe(b);
    };
    // Back on the page: what is on screen now counts (nothing counted while it was hidden).
    const visible = () => {
      if (document.visibilityState === 'hidden') return;
      io.disconnect();
      observeAll();
    };
    observeAll();
    document.addEventListener('visibilitychange', visible);
    return () => {
      document.removeEventListener('visibilitychange', visible);
      io.disconnect();
      observer.current = null;
    };
  }, [positioned, removed]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: new bubbles are watched as they come
  useEffect(() => {
    const el = list.current;
    const io = observer.current;
    if (!el || !io) return;
    for (const b of el.querySelectorAll('li[data-seq]:not([data-note])')) io.observe(b);
  }, [rows]);

  const mainRows = useMemo(() => rows.filter((r) => !('note' in r)), [rows]);
  const readFloor = Math.max(seenSeq, opened?.readSeq ?? 0);
  const unseen = positioned ? unseenCount(mainRows, readFloor) : 0;
  function toNewMessages() {
    const el = list.current;
    if (!el) return;
    const first = mainRows.find((r) => r.seq !== null && r.seq > readFloor && !r.mine);
    const target = first
      ? el.querySelector<HTMLElement>(`li[data-seq="${first.seq}"]:not([data-note])`)
      : null;
    if (target) target.scrollIntoView({ block: 'start' });
    else el.scrollTop = el.scrollHeight;
    el.focus();
  }

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
    const yes = await confirm({
      title: t('conv.deleteConfirm'),
      confirm: t('conv.deleteYes'),
      testId: 'delete-confirm',
    });
    if (!yes) return;
    setActionError(null);
    try {
      await api.deleteMessage(conversationId, message.id);
      queryClient.setQueryData<MessagesData>(messagesKey(conversationId), (data) =>
        data ? markDeleted(data, { id: message.id, deletedAt: new Date().toISOString() }) : data,
      );
      if (editing?.messageId === message.id) setEditing(null);
      // Its delete button went with it: keep the keyboard in the history.
      if (!document.activeElement || document.activeElement === document.body) list.current?.focus();
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
  // Offline, what the server last said about others is not news: unknown, not "online".
  const presenceKnown = connection === 'online';
  const peerPresence = peer && presenceKnown ? presence.get(peer.userId) : undefined;
  const support = conversation?.kind === 'support' ? conversation.support : null;
  const subtitle = support
    ? supportStatusText(support, t, lang)
    : conversation?.kind === 'group'
      ? t('group.count', { count: conversation.memberCount, n: formatNumber(conversation.memberCount, lang) })
      : peer && !presenceKnown
        ? t('conv.presenceUnknown')
        : peerPresence?.status === 'online'
          ? t('conv.online')
          : peerPresence?.lastSeenAt
            ? t('conv.lastSeen', { when: formatListTime(peerPresence.lastSeenAt, lang) })
            : '';

  const notFound =
    !removed && detail.error instanceof ApiError && detail.error.code === 'conversation/not_found';

  /**
   * Edit and delete as buttons on the bubble: only for staff notes, which have no message menu
   * (everything else reaches them through the menu, MessageActions.tsx, with "delete for me").
   */
  function actionsOf(row: (typeof rows)[number]): BubbleAction[] {
    const message = row.message;
    if (
      !row.mine ||
      !message ||
      message.deletedAt ||
      message.kind === 'system' ||
      !('note' in row) ||
      removed
    )
      return [];
    return [
      {
        id: 'edit',
        icon: 'edit',
        label: t('conv.edit'),
        testId: 'message-edit',
        run: () => setEditing({ messageId: message.id, body: message.body ?? '' }),
      },
      {
        id: 'delete',
        icon: 'trash',
        label: t('conv.delete'),
        testId: 'message-delete',
        run: () => void remove(message),
      },
    ];
  }
  const dayLabels = { today: t('conv.today'), yesterday: t('conv.yesterday') };

  return (
    <JumpContext.Provider value={jumpTo}>
      <section className="conversation" aria-label={title}>
        {dialog}
        {chat.overlay}
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
          <SearchButton conversationId={conversationId} />
          {conversation?.kind === 'group' && !removed && (
            <button
              ref={membersToggle}
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
        {chat.topBar}
        {showMembers && conversation?.kind === 'group' && detail.data && !removed && (
          <MembersPanel
            conversation={detail.data}
            meId={meId}
            onClose={() => {
              setShowMembers(false);
              membersToggle.current?.focus();
            }}
          />
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
            {history.isPending && !removed && <p className="muted center">{t('common.loading')}</p>}
            {history.error && (
              <p className="error" role="alert">
                {errorText(history.error, t)}
              </p>
            )}
            <ol className="messages">
              {rows.map((row, i) => {
                const previous = rows[i - 1];
                const newDay = !previous || dayKey(previous.createdAt) !== dayKey(row.createdAt);
                const divider = row.seq !== null && row.seq === dividerSeq && !('note' in row);
                const grouped = !divider && continuesGroup(previous, row, !newDay);
                return (
                  <Fragment key={row.key}>
                    {newDay && (
                      <li className="date-separator" data-testid="date-separator">
                        <span>{formatDay(row.createdAt, lang, dayLabels)}</span>
                      </li>
                    )}
                    {divider && (
                      <li className="unread-divider" data-testid="unread-divider">
                        <span>{t('conv.unreadDivider')}</span>
                      </li>
                    )}
                    <MessageBubble
                      row={row}
                      note={'note' in row && row.note === true}
                      grouped={grouped}
                      highlighted={row.seq !== null && row.seq === highlightSeq && !('note' in row)}
                      senderName={
                        // Groups name every sender; support names who answers (the agent, on their replies).
                        (conversation?.kind === 'group' || (support && row.senderId !== meId)) &&
                        row.senderId &&
                        !grouped
                          ? (names.get(row.senderId) ?? t('names.unnamed'))
                          : null
                      }
                      sender={
                        conversation?.kind === 'group' && row.senderId
                          ? {
                              userId: row.senderId,
                              name: names.get(row.senderId) ?? t('names.unnamed'),
                              avatarId: avatarIds.get(row.senderId),
                            }
                          : null
                      }
                      actions={actionsOf(row)}
                      chat={'note' in row ? null : chat.context}
                      onRetry={() => row.clientMsgId && engine.outbox.retry(row.clientMsgId)}
                      onDiscard={() => row.clientMsgId && engine.outbox.discard(row.clientMsgId)}
                    />
                  </Fragment>
                );
              })}
            </ol>
          </div>
        )}
        {scrolledUp && unseen > 0 && (
          <button
            type="button"
            className="new-messages"
            data-testid="new-messages"
            data-count={unseen}
            aria-label={t('conv.newMessagesLabel', { count: unseen, n: formatNumber(unseen, lang) })}
            onClick={toNewMessages}
          >
            {t('conv.newMessages')} <span aria-hidden="true">↓</span>{' '}
            <span className="new-messages-count">({formatNumber(unseen, lang)})</span>
          </button>
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
        {support &&
          me?.role === 'customer' &&
          support.status !== 'resolved' &&
          support.status !== 'closed' && <OpeningBanner />}
        {support?.status === 'resolved' && (
          <p className="muted small pad" data-testid="support-resolved-hint">
            {t('support.resolvedHint')}
          </p>
        )}
        {!removed && !notFound && chat.replyBar}
        {removed ? (
          <p className="composer closed-notice muted" role="status" data-testid="removed-notice">
            {t('conv.removed')}
          </p>
        ) : support?.status === 'closed' ? (
          <SupportClosed subject={conversation?.subject ?? null} />
        ) : (
          !notFound && (
            <Composer
              editing={editing}
              onSend={(body) => {
                atBottom.current = true;
                const file = noteMode && staffView ? null : upload.take();
                engine.send(conversationId, body, {
                  internal: staffView && noteMode,
                  ...chat.takeReply(),
                  ...(file ? { attachmentId: file.id } : {}),
                });
              }}
              attachment={{
                draft: upload.draft,
                onPick: upload.choose,
                bar: upload.draft && (
                  <AttachmentDraftBar draft={upload.draft} onCancel={upload.cancel} onRetry={upload.retry} />
                ),
              }}
              staff={
                staffView
                  ? { conversationId, note: noteMode, onNote: (note) => setNoteMode(note) }
                  : undefined
              }
              onEdit={(id, body) => void edit(id, body)}
              onCancelEdit={() => setEditing(null)}
              onTyping={() => engine.sendTyping(conversationId)}
            />
          )
        )}
      </section>
    </JumpContext.Provider>
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
