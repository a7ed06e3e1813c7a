import type {
  Ack,
  EventPayloadInput,
  EventReply,
  ServerEvent,
  WidgetAttributes,
  WidgetSession,
  WidgetStarted,
  WidgetState,
} from '@abrik/protocol';

/**
 * What the chat frame talks to: the visitor API (HTTP, same origin) and the socket. Interfaces of
 * our own so the UI and its logic run on fakes in tests; the real ones are api.ts and realtime.ts.
 * Types only from the protocol: its schemas (zod) would not fit the frame's 60 kB budget.
 */

export interface CreateSessionBody {
  widgetId: string;
  /** The site's identity token, from `AbrikWidget('identify')`. */
  token?: string;
  /** The previous session token, to stay the same visitor. */
  visitorToken?: string;
  /** The host page's origin: the server checks it against the widget's origins. */
  hostOrigin: string;
}

export interface StartBody {
  clientMsgId: string;
  body: string;
  form?: Record<string, string>;
  attributes?: WidgetAttributes;
  offline?: boolean;
}

export interface CsatReply {
  cycle: number;
  rating: number;
  comment: string | null;
  editableUntil: string | null;
}

export interface WidgetApi {
  createSession(body: CreateSessionBody): Promise<WidgetSession>;
  /** Clears what the server keeps for this frame (its partitioned cookie) on sign-out. */
  forgetSession(widgetId: string): Promise<void>;
  state(token: string): Promise<WidgetState>;
  startConversation(token: string, body: StartBody): Promise<WidgetStarted>;
  setAttributes(token: string, attributes: WidgetAttributes): Promise<{ attributes: WidgetAttributes }>;
  rate(token: string, conversationId: string, body: { rating: number; comment?: string }): Promise<CsatReply>;
}

/** An HTTP error as the server words it (`{error: {code, message}}`); status 0: no answer at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server events the frame listens to. */
export const LISTENED = [
  'message:new',
  'message:updated',
  'message:deleted',
  'typing',
  'read',
  'support:status',
  'support:queue',
  'support:csat',
  'resync',
  'auth:expired',
] as const;
export type ListenedEvent = (typeof LISTENED)[number];

export type SocketEvent =
  | { [E in ListenedEvent]: { type: E; payload: ServerEvent<E> } }[ListenedEvent]
  | { type: 'connect' }
  /** The server refused the connection (its code, e.g. `widget/origin_not_allowed`); no retry by itself. */
  | { type: 'refused'; code: string };

/** The acknowledged events a visitor sends, and their successful replies. */
export interface Replies {
  'message:send': EventReply<'message:send'>;
  sync: EventReply<'sync'>;
  read: EventReply<'read'>;
}
export type RequestEvent = keyof Replies;

export interface SocketHandle {
  /** An acknowledged event; rejects when no answer comes in time. */
  request<E extends RequestEvent>(event: E, payload: EventPayloadInput<E>): Promise<Ack<Replies[E]>>;
  typing(conversationId: string): void;
  /** Connects again with another session token (a new session, or after it expired). */
  reconnect(token: string): void;
  close(): void;
}

export interface ConnectOptions {
  token: string;
  lang: string;
  onEvent: (event: SocketEvent) => void;
}

export interface Transport {
  api: WidgetApi;
  /** Loads the realtime chunk (socket.io-client) on first use. */
  connect(options: ConnectOptions): Promise<SocketHandle>;
}
