import type { Conversation, ErrorCode, Message, UserAvatarEvent } from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Session } from '../api/session.js';
import { Store } from '../lib/store.js';
import {
  applyAvatar,
  applyDeleted,
  applyMessages,
  applyRead,
  type ConversationPage,
  endTyping,
  expireTyping,
  forgetConversation,
  fromOthers,
  hasConversation,
  memberIds,
  mergePresence,
  type PresenceMap,
  sortByActivity,
  startTyping,
  type TypingHints,
  updateConversation,
  withLive,
} from './cache.js';
import {
  ACK_TIMEOUT_MS,
  type ChatSocket,
  Connection,
  type ConnectionState,
  type CreateSocket,
} from './connection.js';
import { DeskLive } from './desk.js';
import { listenExtras } from './extras.js';
import {
  conversationDetailsKey,
  conversationKey,
  conversationsKey,
  type MessagePage,
  type MessagesData,
  markDeleted,
  mergeMessages,
  messagesKey,
} from './messages.js';
import { indexedDbStore, type KeyValueStore, OfflineCache } from './offline.js';
import { Outbox, type OutboxItem, type SendResult } from './outbox.js';
import { Sync } from './sync.js';

export type { ConversationPage } from './cache.js';
export type { ConnectionState } from './connection.js';

/** How long a typing hint lasts without a new `typing` event. */
const TYPING_SHOWN_MS = 4_000;
/** Send `typing` at most this often while someone types. */
const TYPING_SEND_MS = 2_000;
/** Server errors worth retrying as they are; others need the person (retry button). */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['db/unavailable', 'server/shutting_down', 'rate_limited']);
const LIVE_BUFFER = 500;

/**
 * The realtime side of the client: connection, sync and outbox put together, live events written into
 * the query cache the screens read, and small stores for presence, typing and arrivals.
 */
export class ChatEngine {
  readonly connection: Store<ConnectionState>;
  readonly presence = new Store<PresenceMap>(new Map());
  /** conversationId → userId → until when the hint shows. */
  readonly typing = new Store<TypingHints>(new Map());
  /** Incoming messages of the conversation on screen, for the screen reader's live region. */
  readonly arrivals = new Store<Message | null>(null);
  /**
   * Conversations someone removed me from: the history held stays readable, with a notice instead
   * of the composer, until I am added back (`conversation:joined`).
   */
  readonly removed = new Store<ReadonlySet<string>>(new Set());
  readonly outbox: Outbox;
  /** The support desk, live (staff). */
  readonly desk: DeskLive;

  private readonly link: Connection;
  private readonly socket: ChatSocket;
  private readonly syncer: Sync;
  private focused: string | null = null;
  private lastTypingSent = new Map<string, number>();
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private askedPresence = new Set<string>();
  /** Read markers moved while offline: told to the server on the next connection. */
  private unsentReads = new Map<string, number>();
  /** Groups I am leaving myself: gone from this client entirely, no "you were removed". */
  private leavingIds = new Set<string>();
  /** Live messages per conversation, merged into a history page that was loading when they came. */
  private live = new Map<string, Message[]>();
  private readonly cleanups: (() => void)[] = [];
  private started = false;
  /** The list and recent history kept on this device for offline reading (none without IndexedDB). */
  private readonly offline: OfflineCache | null;

  constructor(
    private readonly api: ApiClient,
    private readonly session: Session,
    private readonly queries: QueryClient,
    private readonly meId: string,
    lang: () => string,
    options: {
      storage?: Storage;
      /** Tests give a fake; the app connects to the page's own origin. */
      createSocket?: CreateSocket;
      /** Where the offline copy is kept; default IndexedDB, one database per person. */
      offlineStore?: KeyValueStore | null;
    } = {},
  ) {
    const offlineStore =
      options.offlineStore === undefined ? indexedDbStore(`abrik.offline.${meId}`) : options.offlineStore;
    this.offline = offlineStore ? new OfflineCache(queries, offlineStore) : null;
    this.outbox = new Outbox(
      (item) => this.transmit(item),
      (item, message) => this.stored(item, message),
      options.storage ?? localStorage,
      `abrik.outbox.${meId}`,
    );
    this.desk = new DeskLive(queries, meId);
    this.link = new Connection(
      session,
      lang,
      {
        connected: () => this.onConnect(),
        disconnected: () => this.outbox.setOnline(false),
        visibilityChanged: () => this.emitFocus(),
      },
      options.createSocket,
    );
    this.connection = this.link.state;
    this.socket = this.link.socket;
    this.syncer = new Sync(this.socket, queries, api, {
      received: (messages) => this.received(messages, false),
      forget: (conversationId) => this.removedFrom(conversationId),
    });
    this.listen();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const storage = (event: StorageEvent) => {
      if (event.key === `abrik.outbox.${this.meId}`) this.outbox.reload();
    };
    window.addEventListener('storage', storage);
    this.typingTimer = setInterval(() => this.typing.set((prev) => expireTyping(prev, Date.now())), 1_000);
    this.cleanups.push(() => window.removeEventListener('storage', storage));
    void this.offline?.start();
    this.link.start();
  }

  stop(): void {
    this.started = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    clearInterval(this.typingTimer);
    this.desk.stop();
    this.offline?.stop();
    this.syncer.stop();
    this.outbox.setOnline(false);
    this.link.stop();
  }

  // ---- what the screens call ---------------------------------------------------------------

  /** `internal`: a private note beside a support conversation (staff); a reply or a forward (empty body). */
  send(
    conversationId: string,
    body: string,
    options: Pick<OutboxItem, 'internal' | 'replyToSeq' | 'forward' | 'attachmentId'> = {},
  ): OutboxItem {
    return this.outbox.enqueue(conversationId, body, options);
  }

  sendTyping(conversationId: string): void {
    const now = Date.now();
    if (!this.socket.connected || now - (this.lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_MS)
      return;
    this.lastTypingSent.set(conversationId, now);
    this.socket.emit('typing', { conversationId });
  }

  /** Moves my read marker; the list's unread count follows at once, the server when connected. */
  markRead(conversationId: string, seq: number): void {
    this.updateConversation(conversationId, (c) => applyRead(c, { userId: this.meId, seq }, this.meId));
    if (this.socket.connected) this.socket.emit('read', { conversationId, seq });
    else this.unsentReads.set(conversationId, Math.max(seq, this.unsentReads.get(conversationId) ?? 0));
  }

  /** Sign-out: the offline copy of this person's conversations is deleted from the device. */
  async forgetDevice(): Promise<void> {
    await this.offline?.destroy();
  }

  /** I leave a group myself (call before asking the server): it is forgotten, not shown as removed. */
  willLeave(conversationId: string): void {
    this.leavingIds.add(conversationId);
  }

  /** The conversation on screen: no Web Push for it while this page is visible. */
  setFocus(conversationId: string | null): void {
    this.focused = conversationId;
    this.emitFocus();
  }

  /** Ask the presence of people not asked about yet (new conversations). */
  watchPresence(userIds: readonly string[]): void {
    const fresh = userIds.filter((id) => id !== this.meId && !this.askedPresence.has(id));
    if (fresh.length === 0 || !this.socket.connected) return;
    for (const id of fresh) this.askedPresence.add(id);
    void this.queryPresence(fresh);
  }

  /** The first page of history, with live messages that came while it loaded. */
  async loadNewest(conversationId: string): Promise<MessagePage> {
    const page = await this.api.messages(conversationId);
    return withLive(page, this.live.get(conversationId) ?? []);
  }

  /** Staff: take new conversations (online), keep what I have (busy), or step away. */
  async setAvailability(availability: 'online' | 'busy' | 'away' | 'offline'): Promise<void> {
    if (!this.socket.connected) throw new ApiError(0, 'network', '');
    const reply = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('presence:set', { availability });
    if (!reply.ok) throw new ApiError(0, reply.error.code, reply.error.message);
  }

  /** Catches up with the server; concurrent calls share one run (and one more after it). */
  sync(): Promise<void> {
    return this.syncer.run();
  }

  // ---- socket --------------------------------------------------------------------------------

  private onConnect(): void {
    this.emitFocus();
    for (const [conversationId, seq] of this.unsentReads) this.socket.emit('read', { conversationId, seq });
    this.unsentReads.clear();
    this.outbox.setOnline(true);
    this.askedPresence.clear();
    void this.sync();
    const ids = memberIds(this.conversations(), this.meId);
    if (ids.length > 0) this.watchPresence(ids);
  }

  private listen(): void {
    const s = this.socket;
    s.on('message:new', (message) => this.received([message], true));
    s.on('message:updated', (message) => this.received([message], false));
    s.on('message:deleted', (event) => {
      this.queries.setQueryData<MessagesData>(messagesKey(event.conversationId), (data) =>
        data ? markDeleted(data, event) : data,
      );
      this.updateList((page) => applyDeleted(page, event));
    });
    s.on('read', (event) => {
      const update = (c: Conversation) => applyRead(c, event, this.meId);
      // Others' markers also reach the open conversation: the read ticks of my messages.
      if (event.userId !== this.meId) {
        this.queries.setQueryData<Conversation>(conversationKey(event.conversationId), (c) => c && update(c));
      }
      this.updateConversation(event.conversationId, update);
    });
    s.on('typing', ({ conversationId, userId }) => {
      if (userId === this.meId) return;
      this.typing.set((prev) => startTyping(prev, conversationId, userId, Date.now() + TYPING_SHOWN_MS));
    });
    s.on('presence', (presence) => this.presence.set((prev) => mergePresence(prev, [presence])));
    s.on('resync', () => this.syncer.resync());
    s.on('conversation:joined', ({ conversationId }) => {
      // Added (back): whatever was read while I was out (a 404, an old history) is read again.
      this.leavingIds.delete(conversationId);
      this.removed.set((prev) => without(prev, conversationId));
      void this.queries.invalidateQueries({ queryKey: conversationKey(conversationId) });
      void this.queries.invalidateQueries({ queryKey: messagesKey(conversationId) });
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
      void this.sync();
    });
    s.on('conversation:left', ({ conversationId }) => {
      if (this.leavingIds.delete(conversationId)) this.forget(conversationId);
      else this.removedFrom(conversationId);
    });
    s.on('support:queue', (event) => this.queueMoved(event));
    s.on('user:avatar', (event) => this.avatarChanged(event));
    s.on('session:changed', () => {
      // A new role: a fresh token carries it, and a new connection joins the rooms it brings.
      this.session.refresh().then(
        (fresh) => {
          if (fresh) this.link.reconnect();
        },
        () => {
          // Offline: the next connection refreshes anyway.
        },
      );
    });
    this.desk.listen(s);
    listenExtras(s, this.queries);
    // The customer's resolved conversation asks for a rating, or its rating changed: read it again.
    s.on('support:csat', ({ conversationId }) => {
      void this.queries.invalidateQueries({ queryKey: conversationKey(conversationId) });
    });
    s.on('support:status', ({ conversationId, version }) => {
      // Resolved, reopened, taken, handed on: read it again (once per newer version).
      const held = this.queries.getQueryData<Conversation>(conversationKey(conversationId))?.support?.version;
      if (held !== undefined && held >= version) return;
      void this.queries.invalidateQueries({ queryKey: conversationKey(conversationId) });
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
    });
  }

  /**
   * A waiting customer's place (and estimate) changed: the header shows it at once. Out of the
   * queue (an agent has it, or it was resolved), the conversation is read again for who answers.
   */
  private queueMoved(event: {
    conversationId: string;
    position: number | null;
    etaSeconds: number | null;
  }): void {
    const update = (c: Conversation): Conversation =>
      c.support
        ? { ...c, support: { ...c.support, queuePosition: event.position, etaSeconds: event.etaSeconds } }
        : c;
    this.queries.setQueryData<Conversation>(conversationKey(event.conversationId), (c) => c && update(c));
    this.updateConversation(event.conversationId, update);
    if (event.position === null) {
      void this.queries.invalidateQueries({ queryKey: conversationKey(event.conversationId) });
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
    }
  }

  /**
   * Someone set or removed their profile photo: every held conversation they are in shows the new
   * one in place (the list, the open conversation, its members); mine also updates my session.
   */
  private avatarChanged(event: UserAvatarEvent): void {
    this.updateList((page) => {
      const items = page.items.map((c) => applyAvatar(c, event));
      return items.every((c, i) => c === page.items[i]) ? page : { ...page, items };
    });
    this.queries.setQueriesData<Conversation>(
      { queryKey: conversationDetailsKey },
      (c) => c && applyAvatar(c, event),
    );
    const me = this.session.current?.user;
    if (event.userId === this.meId && me && (me.avatarId ?? null) !== event.avatarId) {
      const { avatarId: _old, ...rest } = me;
      this.session.updateUser(event.avatarId ? { ...rest, avatarId: event.avatarId } : rest);
    }
  }

  private emitFocus(): void {
    if (!this.socket.connected) return;
    const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
    this.socket.emit('focus', { conversationId: visible ? this.focused : null });
  }

  private async queryPresence(userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) {
      try {
        const reply = await this.socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('presence:query', { userIds: userIds.slice(i, i + 500) });
        if (reply.ok) this.presence.set((prev) => mergePresence(prev, reply.presences));
      } catch {
        for (const id of userIds) this.askedPresence.delete(id);
      }
    }
  }

  private async transmit(item: OutboxItem): Promise<SendResult> {
    if (!this.socket.connected) return { ok: false, retryable: true };
    try {
      const reply = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
        conversationId: item.conversationId,
        clientMsgId: item.clientMsgId,
        ...(item.forward ? { forward: item.forward } : item.body !== '' ? { body: item.body } : {}),
        ...(item.attachmentId ? { attachmentId: item.attachmentId } : {}),
        ...(item.replyToSeq ? { replyToSeq: item.replyToSeq } : {}),
        ...(item.internal ? { internal: true } : {}),
      });
      if (reply.ok) return { ok: true, message: reply.message };
      return { ok: false, retryable: TRANSIENT.has(reply.error.code), error: reply.error.message };
    } catch {
      return { ok: false, retryable: true }; // no ack in time: same clientMsgId next time
    }
  }

  private stored(_item: OutboxItem, message: Message): void {
    this.received([message], false);
  }

  /** Messages from the server (ack, live, sync) into the history and the list. */
  private received(messages: readonly Message[], live: boolean): void {
    if (messages.length === 0) return;
    const conversationId = messages[0]!.conversationId;
    const own = messages.filter((m) => m.senderId === this.meId && m.clientMsgId).map((m) => m.clientMsgId!);
    if (own.length > 0) this.outbox.settle(own);
    const buffer = [...(this.live.get(conversationId) ?? []), ...messages].slice(-LIVE_BUFFER);
    this.live.set(conversationId, buffer);
    this.queries.setQueryData<MessagesData>(messagesKey(conversationId), (data) =>
      data ? mergeMessages(data, messages) : data,
    );
    if (!hasConversation(this.conversations(), conversationId)) {
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
      return;
    }
    this.updateList((page) => applyMessages(page, messages, { meId: this.meId, live }));
    if (live) {
      const others = fromOthers(messages, this.meId);
      const senders = new Set(others.map((m) => m.senderId));
      if (senders.size > 0) this.typing.set((prev) => endTyping(prev, conversationId, senders));
      if (conversationId === this.focused) {
        for (const m of others) this.arrivals.set(m);
      }
      for (const m of others) this.desk.received(m);
    }
    this.updateList(sortByActivity);
  }

  /** Someone removed me: out of the list and the outbox; its history stays, read-only. */
  private removedFrom(conversationId: string): void {
    this.removed.set((prev) => (prev.has(conversationId) ? prev : new Set(prev).add(conversationId)));
    this.updateList((page) => forgetConversation(page, conversationId));
    this.outbox.dropConversation(conversationId);
  }

  private forget(conversationId: string): void {
    this.updateList((page) => forgetConversation(page, conversationId));
    this.queries.removeQueries({ queryKey: messagesKey(conversationId) });
    this.queries.removeQueries({ queryKey: conversationKey(conversationId) });
    this.outbox.dropConversation(conversationId);
  }

  private conversations(): ConversationPage | undefined {
    return this.queries.getQueryData<ConversationPage>(conversationsKey);
  }

  private updateList(update: (page: ConversationPage) => ConversationPage): void {
    this.queries.setQueryData<ConversationPage>(conversationsKey, (page) => page && update(page));
  }

  private updateConversation(conversationId: string, update: (c: Conversation) => Conversation): void {
    this.updateList((page) => updateConversation(page, conversationId, update));
  }
}

function without(set: ReadonlySet<string>, value: string): ReadonlySet<string> {
  if (!set.has(value)) return set;
  const next = new Set(set);
  next.delete(value);
  return next;
}
