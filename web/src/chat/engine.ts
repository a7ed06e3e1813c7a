import type {
  ClientToServerEvents,
  Conversation,
  ErrorCode,
  Message,
  Presence,
  ServerToClientEvents,
} from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ApiClient } from '../api/client.js';
import type { Session } from '../api/session.js';
import { Store } from '../lib/store.js';
import {
  contiguousSeq,
  conversationKey,
  conversationsKey,
  flatten,
  type MessagePage,
  type MessagesData,
  markDeleted,
  mergeMessages,
  messagesKey,
} from './messages.js';
import { Outbox, type OutboxItem, type SendResult } from './outbox.js';

export type ConnectionState = 'connecting' | 'online' | 'offline';
export interface ConversationPage {
  items: Conversation[];
  nextCursor: string | null;
}
type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a typing hint lasts without a new `typing` event. */
const TYPING_SHOWN_MS = 4_000;
/** Send `typing` at most this often while someone types. */
const TYPING_SEND_MS = 2_000;
const ACK_TIMEOUT_MS = 10_000;
const SYNC_LIMIT = 200;
/** Server errors worth retrying as they are; others need the person (retry button). */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['db/unavailable', 'server/shutting_down', 'rate_limited']);
const LIVE_BUFFER = 500;

/**
 * The realtime side of the client: one Socket.IO connection with backoff, `sync` after every
 * (re)connect and `resync`, the outbox, and live events written into the query cache that the
 * screens read. Presence, typing and the connection state are small stores beside it.
 */
export class ChatEngine {
  readonly connection = new Store<ConnectionState>('connecting');
  readonly presence = new Store<ReadonlyMap<string, Presence>>(new Map());
  /** conversationId → userId → until when the hint shows. */
  readonly typing = new Store<ReadonlyMap<string, ReadonlyMap<string, number>>>(new Map());
  /** Incoming messages of the conversation on screen, for the screen reader's live region. */
  readonly arrivals = new Store<Message | null>(null);
  readonly outbox: Outbox;

  private readonly socket: ChatSocket;
  private focused: string | null = null;
  private failedAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSent = new Map<string, number>();
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private askedPresence = new Set<string>();
  /** Live messages per conversation, merged into a history page that was loading when they came. */
  private live = new Map<string, Message[]>();
  private readonly cleanups: (() => void)[] = [];
  private started = false;

  constructor(
    private readonly api: ApiClient,
    private readonly session: Session,
    private readonly queries: QueryClient,
    private readonly meId: string,
    private readonly lang: () => string,
    options: {
      storage?: Storage;
      /** Tests give a fake; the app connects to the page's own origin. */
      createSocket?: (options: Partial<ManagerOptions & SocketOptions>) => ChatSocket;
    } = {},
  ) {
    const storage = options.storage ?? localStorage;
    const createSocket = options.createSocket ?? ((o: Partial<ManagerOptions & SocketOptions>) => io(o));
    this.outbox = new Outbox(
      (item) => this.transmit(item),
      (item, message) => this.stored(item, message),
      storage,
      `abrik.outbox.${meId}`,
    );
    this.socket = createSocket({
      autoConnect: false,
      transports: ['websocket'],
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 15_000,
      randomizationFactor: 0.5,
      // A fresh token for every attempt, so a reconnect after a long sleep is not refused.
      auth: (cb) => {
        this.session.accessToken().then(
          (token) => cb({ token: token ?? '', lang: this.lang() }),
          () => cb({ token: this.session.current?.accessToken ?? '', lang: this.lang() }),
        );
      },
    });
    this.listen();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const online = () => {
      this.failedAttempts = 0;
      this.updateState();
      if (!this.socket.connected) this.socket.connect();
    };
    const offline = () => {
      // Say so at once and stop sending into a dead connection; the outbox keeps what is written.
      this.socket.disconnect();
      this.updateState();
    };
    const visibility = () => this.emitFocus();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visibility);
    const storage = (event: StorageEvent) => {
      if (event.key === `abrik.outbox.${this.meId}`) this.outbox.reload();
    };
    window.addEventListener('storage', storage);
    let token = this.session.current?.accessToken;
    const unsubscribe = this.session.store.subscribe(() => {
      const next = this.session.current?.accessToken;
      if (next && next !== token && this.socket.connected) this.socket.emit('auth:refresh', { token: next });
      token = next;
    });
    this.typingTimer = setInterval(() => this.expireTyping(), 1_000);
    this.cleanups.push(
      () => window.removeEventListener('online', online),
      () => window.removeEventListener('offline', offline),
      () => document.removeEventListener('visibilitychange', visibility),
      () => window.removeEventListener('storage', storage),
      unsubscribe,
    );
    if (navigator.onLine === false) this.updateState();
    else this.socket.connect();
  }

  stop(): void {
    this.started = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    clearInterval(this.typingTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.resyncTimer);
    this.outbox.setOnline(false);
    this.socket.disconnect();
  }

  // ---- what the screens call ---------------------------------------------------------------

  send(conversationId: string, body: string): OutboxItem {
    return this.outbox.enqueue(conversationId, body);
  }

  sendTyping(conversationId: string): void {
    const now = Date.now();
    if (!this.socket.connected || now - (this.lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_MS)
      return;
    this.lastTypingSent.set(conversationId, now);
    this.socket.emit('typing', { conversationId });
  }

  /** Moves my read marker; the list's unread count follows at once. */
  markRead(conversationId: string, seq: number): void {
    this.updateConversation(conversationId, (c) =>
      seq > c.lastReadSeq ? { ...c, lastReadSeq: seq, unreadCount: 0 } : c,
    );
    if (this.socket.connected) this.socket.emit('read', { conversationId, seq });
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
    const newest = page.items.at(-1)?.seq ?? 0;
    const missed = (this.live.get(conversationId) ?? []).filter((m) => m.seq > newest);
    if (missed.length === 0) return page;
    const ids = new Set(page.items.map((m) => m.id));
    return {
      ...page,
      items: [...page.items, ...missed.filter((m) => !ids.has(m.id))].sort((a, b) => a.seq - b.seq),
    };
  }

  // ---- socket --------------------------------------------------------------------------------

  private listen(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.failedAttempts = 0;
      this.updateState();
      this.emitFocus();
      this.outbox.setOnline(true);
      this.askedPresence.clear();
      void this.sync();
      const ids = this.knownUserIds();
      if (ids.length > 0) this.watchPresence(ids);
    });
    s.on('disconnect', (reason) => {
      this.outbox.setOnline(false);
      this.updateState();
      // The server closed us (e.g. draining): Socket.IO does not come back by itself then.
      if (reason === 'io server disconnect') this.reconnectLater();
    });
    s.on('connect_error', (error) => {
      this.failedAttempts++;
      this.updateState();
      if (s.active) return; // Socket.IO retries on its own, with backoff.
      const code = error.message;
      if (code === 'auth/token_expired' || code === 'auth/invalid_token' || code === 'auth/unauthenticated') {
        this.session.refresh().then(
          (fresh) => {
            if (fresh) this.reconnectLater(0);
          },
          () => this.reconnectLater(),
        );
      } else {
        this.reconnectLater();
      }
    });
    s.on('message:new', (message) => this.received([message], true));
    s.on('message:updated', (message) => this.received([message], false));
    s.on('message:deleted', (event) => {
      this.queries.setQueryData<MessagesData>(messagesKey(event.conversationId), (data) =>
        data ? markDeleted(data, event) : data,
      );
      this.updateConversation(event.conversationId, (c) =>
        c.lastMessage?.id === event.id
          ? { ...c, lastMessage: { ...c.lastMessage, body: null, deletedAt: event.deletedAt } }
          : c,
      );
    });
    s.on('read', (event) => {
      if (event.userId === this.meId) {
        this.updateConversation(event.conversationId, (c) =>
          event.seq > c.lastReadSeq ? { ...c, lastReadSeq: event.seq, unreadCount: 0 } : c,
        );
        return;
      }
      const update = (c: Conversation): Conversation => ({
        ...c,
        members: c.members.map((m) =>
          m.userId === event.userId && event.seq > m.lastReadSeq ? { ...m, lastReadSeq: event.seq } : m,
        ),
      });
      this.queries.setQueryData<Conversation>(conversationKey(event.conversationId), (c) => c && update(c));
      this.updateConversation(event.conversationId, update);
    });
    s.on('typing', ({ conversationId, userId }) => {
      if (userId === this.meId) return;
      this.typing.set((prev) => {
        const next = new Map(prev);
        next.set(conversationId, new Map(prev.get(conversationId)).set(userId, Date.now() + TYPING_SHOWN_MS));
        return next;
      });
    });
    s.on('presence', (presence) => {
      this.presence.set((prev) => new Map(prev).set(presence.userId, presence));
    });
    s.on('resync', () => {
      // Every instance may say so at once after a Redis outage: one sync for the burst.
      clearTimeout(this.resyncTimer);
      this.resyncTimer = setTimeout(() => void this.sync(), Math.random() * 2_000);
    });
    s.on('conversation:joined', () => {
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
      void this.sync();
    });
    s.on('conversation:left', ({ conversationId }) => this.forget(conversationId));
    s.on('auth:expired', () => {
      this.session.refresh().then(
        (fresh) => {
          if (fresh && this.socket.connected) this.socket.emit('auth:refresh', { token: fresh.accessToken });
        },
        () => {
          // Offline: the socket will be closed and reconnect with a fresh token.
        },
      );
    });
  }

  private updateState(): void {
    const state: ConnectionState = this.socket.connected
      ? 'online'
      : navigator.onLine === false || this.failedAttempts >= 2
        ? 'offline'
        : 'connecting';
    this.connection.set(state);
  }

  private reconnectLater(delayMs?: number): void {
    clearTimeout(this.reconnectTimer);
    if (!this.started || !this.session.current) return;
    const backoff =
      delayMs ?? Math.min(15_000, 1_000 * 2 ** Math.min(this.failedAttempts, 4)) * (0.5 + Math.random());
    this.reconnectTimer = setTimeout(() => {
      if (this.started && !this.socket.connected && navigator.onLine !== false) this.socket.connect();
    }, backoff);
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
        if (reply.ok) {
          this.presence.set((prev) => {
            const next = new Map(prev);
            for (const p of reply.presences) next.set(p.userId, p);
            return next;
          });
        }
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
        body: item.body,
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
    const newest = messages.reduce((a, b) => (b.seq > a.seq ? b : a));
    const known = this.conversations()?.items.some((c) => c.id === conversationId);
    if (!known) {
      void this.queries.invalidateQueries({ queryKey: conversationsKey });
      return;
    }
    const fromOthers = messages.filter((m) => m.senderId !== this.meId && m.kind === 'text');
    this.updateConversation(conversationId, (c) => {
      const isNewer = !c.lastMessage || newest.seq >= c.lastMessage.seq;
      const unseen = live ? fromOthers.filter((m) => m.seq > c.lastReadSeq && m.seq > c.lastSeq).length : 0;
      return {
        ...c,
        lastMessage: isNewer ? newest : c.lastMessage?.id === newest.id ? newest : c.lastMessage,
        lastSeq: Math.max(c.lastSeq, newest.seq),
        unreadCount: c.unreadCount + unseen,
      };
    });
    if (live) {
      // A message from someone ends their typing hint.
      const senders = new Set(fromOthers.map((m) => m.senderId));
      if (senders.size > 0) {
        this.typing.set((prev) => {
          const users = prev.get(conversationId);
          if (!users || ![...senders].some((id) => id && users.has(id))) return prev;
          const next = new Map(prev);
          next.set(conversationId, new Map([...users].filter(([id]) => !senders.has(id))));
          return next;
        });
      }
      if (conversationId === this.focused) {
        for (const m of fromOthers) this.arrivals.set(m);
      }
    }
    this.sortConversations();
  }

  /**
   * Catches up after a (re)connect or `resync`: asks, per conversation, everything after the seq up
   * to which we hold every message, and again while the server says there is more.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.runSync().finally(() => {
      this.syncing = null;
      if (this.syncAgain && this.socket.connected) {
        this.syncAgain = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    let list: ConversationPage;
    try {
      list = await this.queries.ensureQueryData({
        queryKey: conversationsKey,
        queryFn: () => this.api.conversations(),
      });
    } catch {
      return; // the list query shows the error; the next connect syncs again
    }
    const since: Record<string, number> = {};
    const loaded = new Set<string>();
    for (const c of list.items) {
      const data = this.queries.getQueryData<MessagesData>(messagesKey(c.id));
      if (data) {
        loaded.add(c.id);
        since[c.id] = contiguousSeq(flatten(data), c.lastSeq);
      } else {
        since[c.id] = c.lastSeq;
      }
    }
    for (let round = 0; round < 50 && this.socket.connected; round++) {
      let reply: Awaited<ReturnType<ChatSocket['emitWithAck']>>;
      try {
        reply = await this.socket
          .timeout(ACK_TIMEOUT_MS * 2)
          .emitWithAck('sync', { since, limit: SYNC_LIMIT });
      } catch {
        return; // disconnected meanwhile: the next connect syncs again
      }
      if (!reply.ok) return;
      let more = false;
      for (const c of reply.conversations) {
        this.received(c.messages, false);
        const last = c.messages.at(-1)?.seq;
        if (last !== undefined) since[c.conversationId] = last;
        if (c.hasMore) {
          if (loaded.has(c.conversationId)) more = true;
          // History not open here: the list (refetched below) is all that needs it, skip the rest.
          else since[c.conversationId] = Number.MAX_SAFE_INTEGER;
        }
      }
      for (const id of reply.removed) {
        this.forget(id);
        delete since[id];
      }
      if (!more) break;
    }
    await this.queries.invalidateQueries({ queryKey: conversationsKey });
  }

  private forget(conversationId: string): void {
    this.queries.setQueryData<ConversationPage>(conversationsKey, (page) =>
      page ? { ...page, items: page.items.filter((c) => c.id !== conversationId) } : page,
    );
    this.queries.removeQueries({ queryKey: messagesKey(conversationId) });
    this.queries.removeQueries({ queryKey: conversationKey(conversationId) });
    this.outbox.dropConversation(conversationId);
  }

  private expireTyping(): void {
    const now = Date.now();
    const current = this.typing.get();
    let changed = false;
    const next = new Map<string, ReadonlyMap<string, number>>();
    for (const [conversationId, users] of current) {
      const alive = new Map([...users].filter(([, until]) => until > now));
      if (alive.size !== users.size) changed = true;
      if (alive.size > 0) next.set(conversationId, alive);
      else if (users.size > 0) changed = true;
    }
    if (changed) this.typing.set(next);
  }

  private conversations(): ConversationPage | undefined {
    return this.queries.getQueryData<ConversationPage>(conversationsKey);
  }

  private knownUserIds(): string[] {
    const ids = new Set<string>();
    for (const c of this.conversations()?.items ?? []) for (const m of c.members) ids.add(m.userId);
    ids.delete(this.meId);
    return [...ids];
  }

  private updateConversation(conversationId: string, update: (c: Conversation) => Conversation): void {
    this.queries.setQueryData<ConversationPage>(conversationsKey, (page) =>
      page ? { ...page, items: page.items.map((c) => (c.id === conversationId ? update(c) : c)) } : page,
    );
  }

  private sortConversations(): void {
    this.queries.setQueryData<ConversationPage>(conversationsKey, (page) =>
      page
        ? { ...page, items: [...page.items].sort((a, b) => activity(b).localeCompare(activity(a))) }
        : page,
    );
  }
}

function activity(c: Conversation): string {
  return c.lastMessage?.createdAt ?? c.createdAt;
}
