import type { Ack, Message, WidgetConversation, WidgetSession, WidgetState } from '@abrik/protocol';
import type { Attributes } from '../messages';
import type { FormValues } from './forms';
import type { Locale } from './i18n';
import type { SessionStore, StoredSession } from './storage';
import {
  ApiError,
  type Replies,
  type SocketEvent,
  type SocketHandle,
  type StartBody,
  type Transport,
} from './transport';

/**
 * The chat frame's logic, without any UI: the visitor's session (kept in the frame's storage,
 * renewed before it expires), the widget's state, the live conversation over the socket, and the
 * unread count. The UI renders `snapshot` and calls the methods; tests drive it with fake transports.
 */

/** The unread count shared across tabs (shell.ts). */
export interface UnreadCounter {
  readonly count: number;
  set(count: number): void;
  add(by: number): void;
}

/** A message of the visitor's on its way (or refused: `failed`, to send again). */
export interface PendingMessage {
  clientMsgId: string;
  body: string;
  failed: boolean;
}

export interface ChatView {
  /** `blocked`: the visitor cannot chat here (widget refused, or the site must sign them in). */
  status: 'idle' | 'loading' | 'ready' | 'blocked';
  /** The widget's name, look and words: from the session at first, then from the state. */
  widget: WidgetSession['widget'] | null;
  state: WidgetState | null;
  /** The conversation on screen; null before the first message and after "new conversation". */
  conversation: WidgetConversation | null;
  messages: Message[];
  pending: PendingMessage[];
  ownUserId: string | null;
  agentTyping: boolean;
  /** The code of the last error, for the UI to word. */
  error: string | null;
  prechatDone: boolean;
  /** Waited longer than the widget's waitOfferSeconds: offer to leave a message. */
  waitOffer: boolean;
  /** The visitor took the offer: the offline form is shown. */
  leavingMessage: boolean;
  offlineSent: boolean;
  /** The panel is open on a visible tab. */
  visible: boolean;
}

export type Mode = 'loading' | 'blocked' | 'prechat' | 'offline' | 'chat' | 'closed';

/** What the panel shows. */
export function modeOf(view: ChatView): Mode {
  if (view.status === 'blocked') return 'blocked';
  const { state, conversation } = view;
  if (!state) return 'loading';
  if (view.leavingMessage) return 'offline';
  if (conversation) return conversation.writable ? 'chat' : 'closed';
  if (!state.opening.open || !state.agentsAvailable) return 'offline';
  const prechat = state.widget.prechat;
  if (prechat.enabled && prechat.fields.length && !state.verified && !view.prechatDone) return 'prechat';
  return 'chat';
}

export interface ChatOptions {
  widgetId: string;
  locale: Locale;
  /** The host page's origin: sent when a session is opened. */
  hostOrigin: string;
  transport: Transport;
  sessions: SessionStore;
  unread: UnreadCounter;
  /** This tab made a session another tab should pick up (a conversation started, an identity). */
  onSessionChanged?: () => void;
  now?: () => number;
  newId?: () => string;
}

/** A session is renewed this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
const TYPING_EVERY_MS = 3_000;
const TYPING_SHOWN_MS = 6_000;
const RETRY_CONNECT_MS = 10_000;
const SYNC_PAGE = 200;
/** Errors after which the visitor cannot chat at all here. */
const BLOCKING = [
  'widget/not_found',
  'widget/disabled',
  'widget/origin_not_allowed',
  'widget/identity_required',
];

/** Thrown inside a task that a reset made pointless. */
class Outdated extends Error {}

const initialView = (visible = false): ChatView => ({
  status: 'idle',
  widget: null,
  state: null,
  conversation: null,
  messages: [],
  pending: [],
  ownUserId: null,
  agentTyping: false,
  error: null,
  prechatDone: false,
  waitOffer: false,
  leavingMessage: false,
  offlineSent: false,
  visible,
});

const lastSeqOf = (messages: Message[]) => messages.reduce((seq, message) => Math.max(seq, message.seq), 0);

/** Messages by id in seq order, `incoming` replacing what they update. */
function upsert(messages: Message[], incoming: Message[]): Message[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

function defaultId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class WidgetChat {
  private view: ChatView = initialView();
  private readonly listeners = new Set<() => void>();
  private session: StoredSession | null;
  private socket: SocketHandle | null = null;
  /** The socket while the realtime chunk loads. */
  private connecting: Promise<SocketHandle | null> | null = null;
  /** Bumped by reset: a task begun before it must not write its result. */
  private epoch = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** clientMsgIds this frame sent: its own messages before the user id is known. */
  private readonly sent = new Set<string>();
  private readonly synced = new Set<string>();
  /** A conversation the visitor left with "new conversation" (not writable). */
  private dismissedId: string | null = null;
  private prechatAnswers: FormValues | null = null;
  private pendingAttributes: Attributes | null = null;
  private identityToken: string | null = null;
  private lastTypingAt = 0;
  private refusals = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: ChatOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? defaultId;
    this.session = options.sessions.load();
    this.view.ownUserId = this.session?.ownUserId ?? null;
  }

  get snapshot(): ChatView {
    return this.view;
  }

  /** Whether a session was kept from an earlier visit. */
  get hasSession(): boolean {
    return this.session !== null;
  }

  /**
   * A kept session of a contact: their conversation, unread count and socket are loaded with the
   * page. A visitor who only looked (no contact) costs no request until they open the chat.
   */
  get resumable(): boolean {
    return this.session?.contact === true;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- what the shell calls --------------------------------------------------------------------

  /** Loads the widget's state (opening a session when needed), and connects when there is a contact. */
  load(): Promise<void> {
    return this.serial(() => this.loadNow());
  }

  /** The panel was shown (on a visible tab) or hidden. */
  setVisible(visible: boolean): void {
    this.update({ visible });
    if (!visible) return;
    // Without a socket nothing told this tab what changed (opening hours, agents): ask again.
    if (this.view.status !== 'loading' && !this.socket) void this.load();
    else this.markRead();
  }

  /** The site vouches for the visitor: a new session with its token (used once: it has a jti). */
  identify(token: string): Promise<void> {
    if (token === this.identityToken) return Promise.resolve();
    this.identityToken = token;
    return this.serial(async () => {
      try {
        await this.openSession(token);
      } catch (error) {
        // The same page handing the same token again: the session it made is still good.
        if (error instanceof ApiError && error.code === 'widget/identity_replayed' && this.session?.verified)
          return;
        return this.fail(error);
      }
      this.options.onSessionChanged?.();
      if (this.view.status === 'blocked') this.update({ status: 'idle', error: null });
      if (this.socket && this.session) this.socket.reconnect(this.session.sessionToken);
      await this.loadNow();
    });
  }

  /** Details from the site: saved on the contact, or kept for the first message until there is one. */
  setAttributes(attributes: Attributes): Promise<void> {
    this.pendingAttributes = { ...this.pendingAttributes, ...attributes };
    if (!this.view.state?.contact) return Promise.resolve();
    return this.serial(() => this.flushAttributes());
  }

  /** The visitor signed out of the site: forget the session, the socket and what was waiting. */
  reset(): void {
    this.epoch += 1;
    this.socket?.close();
    this.socket = null;
    this.connecting = null;
    this.session = null;
    this.options.sessions.clear();
    // Best effort: a failure leaves a cookie that only resumes an anonymous visitor id.
    this.options.transport.api.forgetSession(this.options.widgetId).catch(() => undefined);
    this.identityToken = null;
    this.pendingAttributes = null;
    this.prechatAnswers = null;
    this.dismissedId = null;
    this.sent.clear();
    this.synced.clear();
    clearTimeout(this.typingTimer);
    clearTimeout(this.waitTimer);
    this.options.unread.set(0);
    const { visible } = this.view;
    this.view = initialView(visible);
    this.notify();
    if (visible) void this.load();
  }

  /** Another tab saved a session (a conversation started there): use it. */
  adoptStoredSession(): void {
    const stored = this.options.sessions.load();
    if (!stored || stored.sessionToken === this.session?.sessionToken) return;
    this.session = stored;
    if (this.socket) this.socket.reconnect(stored.sessionToken);
    if (this.view.status !== 'idle') void this.load();
  }

  // ---- what the UI calls -----------------------------------------------------------------------

  /** Sends a message: into the conversation on screen, or as the first one of a new conversation. */
  send(text: string, clientMsgId = this.newId()): Promise<void> {
    const body = text.trim();
    if (!body) return Promise.resolve();
    this.sent.add(clientMsgId);
    this.update({
      pending: [...this.view.pending, { clientMsgId, body, failed: false }],
      error: null,
    });
    const conversation = this.view.conversation;
    if (conversation?.writable) return this.sendLive(conversation.id, clientMsgId, body);
    return this.serial(() => this.start(clientMsgId, body, {}));
  }

  /** Sends a refused message again, with its clientMsgId (the server answers a duplicate once). */
  retry(clientMsgId: string): Promise<void> {
    const failed = this.view.pending.find((item) => item.clientMsgId === clientMsgId && item.failed);
    if (!failed) return Promise.resolve();
    this.update({ pending: this.view.pending.filter((item) => item !== failed) });
    return this.send(failed.body, clientMsgId);
  }

  submitPrechat(values: FormValues): void {
    this.prechatAnswers = values;
    this.update({ prechatDone: true });
  }

  /** The offline form (closed, nobody available, or the wait offer taken): a pending conversation. */
  submitOffline(values: FormValues): Promise<void> {
    const { message = '', ...form } = values;
    return this.serial(() => this.start(this.newId(), message.trim(), { form, offline: true }));
  }

  acceptWaitOffer(): void {
    this.update({ leavingMessage: true, waitOffer: false });
  }

  /** The visitor's rating of the resolved conversation (again with a comment, within the day). */
  rate(rating: number, comment?: string): Promise<void> {
    return this.serial(async () => {
      const conversation = this.view.conversation;
      if (!conversation) return;
      try {
        const reply = await this.authed((token) =>
          this.options.transport.api.rate(token, conversation.id, comment ? { rating, comment } : { rating }),
        );
        const current = this.view.conversation;
        if (current?.id !== conversation.id) return;
        this.update({ conversation: { ...current, csat: reply }, error: null });
      } catch (error) {
        this.fail(error);
      }
    });
  }

  /** Leaves a conversation that cannot be written into: the next message starts a new one. */
  startNew(): void {
    this.dismissedId = this.view.conversation?.id ?? this.dismissedId;
    clearTimeout(this.waitTimer);
    this.update({
      conversation: null,
      messages: [],
      pending: [],
      prechatDone: false,
      offlineSent: false,
      waitOffer: false,
      leavingMessage: false,
      agentTyping: false,
      error: null,
    });
  }

  /** The visitor is typing: the agent is told at most once every 3 seconds. */
  typing(): void {
    const conversation = this.view.conversation;
    if (!conversation?.writable || !this.socket) return;
    if (this.now() - this.lastTypingAt < TYPING_EVERY_MS) return;
    this.lastTypingAt = this.now();
    this.socket.typing(conversation.id);
  }

  dismissError(): void {
    this.update({ error: null });
  }

  // ---- sessions --------------------------------------------------------------------------------

  /** One session change or load at a time, in order (identify, refresh and load would race). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async openSession(identityToken?: string): Promise<StoredSession> {
    const epoch = this.epoch;
    const previous = this.session;
    const created = await this.options.transport.api.createSession({
      widgetId: this.options.widgetId,
      hostOrigin: this.options.hostOrigin,
      ...(identityToken ? { token: identityToken } : {}),
      ...(previous ? { visitorToken: previous.sessionToken } : {}),
    });
    if (epoch !== this.epoch) throw new Outdated();
    // A new identity may be another person: their own user id comes with the next state.
    const ownUserId = identityToken ? null : (previous?.ownUserId ?? null);
    // A vouched-for visitor is a contact at once; otherwise the same visitor stays what they were.
    const contact = created.verified || (!identityToken && previous?.contact === true);
    this.saveSession({ ...this.sessionOf(created), ownUserId, contact });
    this.update({
      widget: created.widget,
      ownUserId: ownUserId ?? (identityToken ? null : this.view.ownUserId),
    });
    return this.session!;
  }

  private sessionOf(created: WidgetSession): StoredSession {
    return {
      sessionToken: created.sessionToken,
      expiresAt: created.expiresAt,
      visitorId: created.visitorId,
      verified: created.verified,
    };
  }

  private saveSession(session: StoredSession): void {
    this.session = session;
    this.options.sessions.save(session);
  }

  private async validSession(): Promise<StoredSession> {
    const session = this.session;
    if (session && Date.parse(session.expiresAt) - this.now() > RENEW_BEFORE_MS) return session;
    return this.openSession();
  }

  /** A call with a valid session; once more with a renewed one when the server says it expired. */
  private async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    const session = await this.validSession();
    try {
      return await call(session.sessionToken);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401 && !error.code.startsWith('widget/')))
        throw error;
      return call((await this.openSession()).sessionToken);
    }
  }

  // ---- state -----------------------------------------------------------------------------------

  private async loadNow(): Promise<void> {
    const epoch = this.epoch;
    if (this.view.status !== 'ready') this.update({ status: 'loading' });
    try {
      const state = await this.authed((token) => this.options.transport.api.state(token));
      if (epoch !== this.epoch) return;
      this.applyState(state);
    } catch (error) {
      this.fail(error);
    }
  }

  private applyState(state: WidgetState): void {
    const contact = state.contact;
    const ownUserId = contact?.userId ?? this.view.ownUserId;
    const session = this.session;
    if (session && (session.ownUserId !== ownUserId || session.contact !== (contact !== null)))
      this.saveSession({ ...session, ownUserId, contact: contact !== null });
    const shown = state.conversation?.id === this.dismissedId ? null : state.conversation;
    const previous = this.view.conversation;
    const same = shown !== null && previous?.id === shown.id;
    const conversation =
      shown && same
        ? {
            ...shown,
            readSeq: Math.max(shown.readSeq, previous.readSeq),
            agentReadSeq: Math.max(shown.agentReadSeq, previous.agentReadSeq),
            lastSeq: Math.max(shown.lastSeq, previous.lastSeq),
          }
        : shown;
    this.update({
      status: 'ready',
      state,
      widget: state.widget,
      conversation,
      messages: same ? this.view.messages : [],
      pending: same || !shown ? this.view.pending : [],
      ownUserId,
      error: this.view.status === 'ready' ? this.view.error : null,
    });
    if (this.view.visible) this.markRead();
    else this.options.unread.set(state.unread);
    this.scheduleWaitOffer();
    if (contact) {
      if (this.pendingAttributes) void this.serial(() => this.flushAttributes());
      if (!this.socket) this.connect();
      else if (!same) void this.sync();
    }
  }

  private async flushAttributes(): Promise<void> {
    const attributes = this.pendingAttributes;
    if (!attributes || !this.view.state?.contact) return;
    try {
      await this.authed((token) => this.options.transport.api.setAttributes(token, attributes));
      if (this.pendingAttributes === attributes) this.pendingAttributes = null;
    } catch (error) {
      // The site's details are not the visitor's business: no error on their screen.
      console.warn('[AbrikWidget] attributes were not saved', error);
    }
  }

  /** The first message of a conversation (or the offline form's): the session it returns has the contact. */
  private async start(
    clientMsgId: string,
    body: string,
    extra: { form?: FormValues; offline?: boolean },
  ): Promise<void> {
    const epoch = this.epoch;
    const form = extra.form ?? this.prechatAnswers ?? undefined;
    const attributes = this.pendingAttributes;
    const request: StartBody = {
      clientMsgId,
      body,
      ...(form && Object.keys(form).length ? { form } : {}),
      ...(attributes ? { attributes } : {}),
      ...(extra.offline ? { offline: true } : {}),
    };
    try {
      const started = await this.authed((token) =>
        this.options.transport.api.startConversation(token, request),
      );
      if (epoch !== this.epoch) return;
      if (this.pendingAttributes === attributes) this.pendingAttributes = null;
      this.dismissedId = null;
      this.saveSession({ ...this.sessionOf(started.session), ownUserId: this.view.ownUserId, contact: true });
      const own: Message = {
        id: started.message.id,
        conversationId: started.conversation.id,
        seq: started.message.seq,
        senderId: this.view.ownUserId,
        clientMsgId,
        kind: 'text',
        body,
        createdAt: started.message.createdAt,
        editedAt: null,
        deletedAt: null,
      };
      this.update({
        widget: started.session.widget,
        conversation: started.conversation,
        messages: [own],
        pending: this.view.pending.filter((item) => item.clientMsgId !== clientMsgId),
        leavingMessage: false,
        offlineSent: extra.offline === true,
        error: null,
      });
      this.options.onSessionChanged?.();
      if (this.socket) this.socket.reconnect(started.session.sessionToken);
      await this.loadNow(); // the contact (own user id), the queue, the agent
    } catch (error) {
      this.markFailed(clientMsgId);
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (error instanceof Outdated) return;
    const code = error instanceof ApiError ? error.code : 'network';
    if (BLOCKING.includes(code)) this.update({ status: 'blocked', error: code });
    else this.update({ status: this.view.state ? 'ready' : 'idle', error: code });
  }

  // ---- the live conversation -------------------------------------------------------------------

  private connect(): void {
    if (this.socket || this.connecting || !this.session) return;
    const epoch = this.epoch;
    this.connecting = this.options.transport
      .connect({
        token: this.session.sessionToken,
        lang: this.options.locale,
        onEvent: (event) => {
          if (epoch === this.epoch) this.onEvent(event);
        },
      })
      .then((socket) => {
        if (epoch !== this.epoch) {
          socket.close();
          return null;
        }
        this.socket = socket;
        this.connecting = null;
        return socket;
      })
      .catch((error: unknown) => {
        // The realtime chunk did not load: try again on the next state.
        if (epoch === this.epoch) this.connecting = null;
        this.fail(error);
        return null;
      });
  }

  private async sendLive(conversationId: string, clientMsgId: string, body: string): Promise<void> {
    try {
      const socket = this.socket ?? (await this.connecting);
      if (!socket) throw new ApiError(0, 'network', 'not connected');
      const ack = await socket.request('message:send', { conversationId, clientMsgId, body });
      if (!ack.ok) throw new ApiError(0, ack.error.code, ack.error.message);
      this.learnOwnUserId(ack.message.senderId);
      this.merge([ack.message]);
    } catch (error) {
      this.markFailed(clientMsgId);
      this.fail(error);
      // Refused (closed meanwhile, say): the state says what the visitor may do now.
      if (error instanceof ApiError && error.code !== 'network') void this.load();
    }
  }

  private markFailed(clientMsgId: string): void {
    this.update({
      pending: this.view.pending.map((item) =>
        item.clientMsgId === clientMsgId ? { ...item, failed: true } : item,
      ),
    });
  }

  private learnOwnUserId(senderId: string | null): void {
    if (!senderId || this.view.ownUserId === senderId) return;
    this.update({ ownUserId: senderId });
    if (this.session) this.saveSession({ ...this.session, ownUserId: senderId });
  }

  isOwn(message: Message): boolean {
    const own = this.view.ownUserId;
    if (own !== null && message.senderId !== null) return message.senderId === own;
    return message.clientMsgId !== null && this.sent.has(message.clientMsgId);
  }

  private onEvent(event: SocketEvent): void {
    switch (event.type) {
      case 'connect':
        this.refusals = 0;
        void this.sync();
        return;
      case 'refused':
        this.onRefused(event.code);
        return;
      case 'auth:expired':
        void this.serial(async () => {
          const session = await this.openSession();
          this.socket?.reconnect(session.sessionToken);
        }).catch((error: unknown) => this.fail(error));
        return;
      case 'message:new':
        this.receive(event.payload);
        return;
      case 'message:updated':
        if (event.payload.conversationId === this.view.conversation?.id) this.merge([event.payload]);
        return;
      case 'message:deleted': {
        const { id, deletedAt } = event.payload;
        this.update({
          messages: this.view.messages.map((message) =>
            message.id === id ? { ...message, body: null, deletedAt } : message,
          ),
        });
        return;
      }
      case 'typing':
        if (event.payload.conversationId !== this.view.conversation?.id) return;
        if (event.payload.userId === this.view.ownUserId) return;
        clearTimeout(this.typingTimer);
        this.update({ agentTyping: true });
        this.typingTimer = setTimeout(() => this.update({ agentTyping: false }), TYPING_SHOWN_MS);
        return;
      case 'read': {
        const conversation = this.view.conversation;
        const { conversationId, userId, seq } = event.payload;
        if (conversation?.id !== conversationId) return;
        if (userId === this.view.ownUserId) {
          // Read in another tab of the visitor's.
          this.update({ conversation: { ...conversation, readSeq: Math.max(conversation.readSeq, seq) } });
          if (seq >= conversation.lastSeq) this.options.unread.set(0);
        } else {
          this.update({
            conversation: { ...conversation, agentReadSeq: Math.max(conversation.agentReadSeq, seq) },
          });
        }
        return;
      }
      case 'support:queue': {
        const conversation = this.view.conversation;
        if (conversation?.id !== event.payload.conversationId) return;
        this.update({
          conversation: {
            ...conversation,
            queuePosition: event.payload.position,
            etaSeconds: event.payload.etaSeconds,
          },
        });
        return;
      }
      case 'support:status':
      case 'support:csat':
        // The agent's name, writability and the survey come with the state.
        void this.load();
        return;
      case 'resync':
        void this.sync();
        return;
    }
  }

  private onRefused(code: string): void {
    if (BLOCKING.includes(code)) {
      this.fail(new ApiError(403, code, code));
      return;
    }
    this.refusals += 1;
    if (code.startsWith('auth/') && this.refusals <= 2) {
      // The session expired meanwhile: a new one, and connect with it.
      void this.serial(async () => {
        const session = await this.openSession();
        this.socket?.reconnect(session.sessionToken);
      }).catch((error: unknown) => this.fail(error));
      return;
    }
    // Busy, shutting down, or still refused: try again a little later.
    setTimeout(() => {
      if (this.socket && this.session) this.socket.reconnect(this.session.sessionToken);
    }, RETRY_CONNECT_MS * Math.min(this.refusals, 6));
  }

  private receive(message: Message): void {
    const conversation = this.view.conversation;
    const own = this.isOwn(message);
    if (conversation?.id !== message.conversationId) {
      // Another conversation of the visitor's (started in another tab, say): the state knows it.
      if (!own && message.kind === 'text' && !this.view.visible) this.options.unread.add(1);
      void this.load();
      return;
    }
    if (own) this.learnOwnUserId(message.senderId);
    const known = this.view.messages.some((item) => item.id === message.id);
    this.merge([message]);
    if (own || known) return;
    clearTimeout(this.typingTimer);
    this.update({ agentTyping: false });
    if (this.view.visible) this.markRead();
    else if (message.kind === 'text') this.options.unread.add(1);
  }

  private merge(incoming: Message[]): void {
    const conversation = this.view.conversation;
    if (!conversation || !incoming.length) return;
    const messages = upsert(this.view.messages, incoming);
    const arrived = new Set(incoming.map((message) => message.clientMsgId));
    this.update({
      messages,
      pending: this.view.pending.filter((item) => !arrived.has(item.clientMsgId)),
      conversation: { ...conversation, lastSeq: Math.max(conversation.lastSeq, lastSeqOf(messages)) },
    });
  }

  /** What was missed (all of it, the first time a conversation is shown here). */
  private async sync(): Promise<void> {
    const socket = this.socket;
    const conversation = this.view.conversation;
    if (!socket) return;
    const since: Record<string, number> = {};
    // Earlier conversations are not shown: asking from their last seq returns nothing of them.
    for (const earlier of this.view.state?.history ?? []) since[earlier.id] = earlier.lastSeq;
    const left = this.view.state?.conversation;
    if (left && left.id === this.dismissedId) since[left.id] = left.lastSeq;
    if (conversation)
      since[conversation.id] = this.synced.has(conversation.id) ? lastSeqOf(this.view.messages) : 0;
    for (let page = 0; page < 50; page++) {
      let ack: Ack<Replies['sync']>;
      try {
        ack = await socket.request('sync', { since, limit: SYNC_PAGE });
      } catch {
        return; // no answer: the next connect syncs again
      }
      if (!ack.ok) return;
      const current = this.view.conversation;
      if (!current || current.id !== conversation?.id) return;
      if (ack.removed.includes(current.id)) return void this.load();
      const mine = ack.conversations.find((item) => item.conversationId === current.id);
      this.synced.add(current.id);
      if (mine) {
        this.merge(mine.messages);
        const now = this.view.conversation!;
        this.update({ conversation: { ...now, readSeq: Math.max(now.readSeq, mine.lastReadSeq) } });
        since[current.id] = lastSeqOf(this.view.messages);
      }
      if (!mine?.hasMore) break;
    }
    if (this.view.visible) return this.markRead();
    const readSeq = this.view.conversation?.readSeq ?? 0;
    const unread = this.view.messages.filter(
      (message) => message.seq > readSeq && message.kind === 'text' && !this.isOwn(message),
    ).length;
    if (unread > this.options.unread.count) this.options.unread.set(unread);
  }

  /** The visitor sees the conversation: it is read up to its last message. */
  private markRead(): void {
    if (this.options.unread.count) this.options.unread.set(0);
    const conversation = this.view.conversation;
    const seq = lastSeqOf(this.view.messages);
    if (!conversation || !this.socket || seq <= conversation.readSeq) return;
    this.update({ conversation: { ...conversation, readSeq: seq } });
    this.socket.request('read', { conversationId: conversation.id, seq }).catch(() => undefined);
  }

  private scheduleWaitOffer(): void {
    clearTimeout(this.waitTimer);
    const conversation = this.view.conversation;
    const seconds = this.view.state?.widget.waitOfferSeconds ?? 0;
    const since = conversation?.waitingSince;
    if (!conversation?.writable || conversation.assignee || !since || seconds <= 0 || this.view.offlineSent) {
      if (this.view.waitOffer) this.update({ waitOffer: false });
      return;
    }
    const due = Date.parse(since) + seconds * 1000 - this.now();
    if (due <= 0) {
      if (!this.view.leavingMessage) this.update({ waitOffer: true });
    } else this.waitTimer = setTimeout(() => this.scheduleWaitOffer(), due);
  }

  private update(patch: Partial<ChatView>): void {
    this.view = { ...this.view, ...patch };
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
