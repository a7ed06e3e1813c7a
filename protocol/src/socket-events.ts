import { z } from 'zod';
import {
  ConversationPinsEventSchema,
  ConversationRefEventSchema,
  MessageDeletedEventSchema,
  MessageHiddenEventSchema,
  MessageReactionsEventSchema,
  MessageSchema,
  MessageSendAckSchema,
  MessageSendPayloadSchema,
  ReactionsReplySchema,
  ReactPayloadSchema,
  ReadAckSchema,
  ReadPayloadSchema,
  ReadReceiptEventSchema,
  ResyncEventSchema,
  SyncAckSchema,
  SyncPayloadSchema,
  TypingEventSchema,
  TypingPayloadSchema,
} from './chat.js';
import { CsatEventSchema } from './csat.js';
import type { ErrorBody } from './errors.js';
import {
  AuthExpiredEventSchema,
  AuthRefreshAckSchema,
  AuthRefreshPayloadSchema,
  SessionChangedEventSchema,
  UserAvatarEventSchema,
} from './identity.js';
import {
  FocusPayloadSchema,
  PresenceQueryAckSchema,
  PresenceQueryPayloadSchema,
  PresenceSchema,
  PresenceSetPayloadSchema,
} from './presence.js';
import { SupportSlaEventSchema } from './sla.js';
import {
  AssignmentSchema,
  SupportConversationEventSchema,
  SupportQueueChangedEventSchema,
  SupportQueueEventSchema,
  SupportStatusEventSchema,
} from './support.js';

/**
 * Every event a client may send: its payload and, for acknowledged events, the reply. Client and
 * server types derive from this table; `optionalAck` events may also be sent without a callback.
 */
export const CLIENT_EVENTS = {
  'message:send': { payload: MessageSendPayloadSchema, ack: MessageSendAckSchema },
  read: { payload: ReadPayloadSchema, ack: ReadAckSchema, optionalAck: true },
  /** React to a message (one reaction per person; null takes it back). */
  'message:react': { payload: ReactPayloadSchema, ack: ReactionsReplySchema, optionalAck: true },
  sync: { payload: SyncPayloadSchema, ack: SyncAckSchema },
  typing: { payload: TypingPayloadSchema },
  /** The conversation on screen in this connection (null when none is): no web push for it. */
  focus: { payload: FocusPayloadSchema },
  'auth:refresh': { payload: AuthRefreshPayloadSchema, ack: AuthRefreshAckSchema, optionalAck: true },
  /** Staff: take support work (online), keep what they have (busy), step away, or go offline. */
  'presence:set': { payload: PresenceSetPayloadSchema, ack: z.object({}), optionalAck: true },
  'presence:query': { payload: PresenceQueryPayloadSchema, ack: PresenceQueryAckSchema },
} as const satisfies Record<string, { payload: z.ZodType; ack?: z.ZodType; optionalAck?: true }>;

/** Every event the server sends, with its payload. */
export const SERVER_EVENTS = {
  'message:new': MessageSchema,
  'message:updated': MessageSchema,
  'message:deleted': MessageDeletedEventSchema,
  /** A message's reactions changed. */
  'message:reactions': MessageReactionsEventSchema,
  /** To the reader's own connections: they deleted a message for themselves. */
  'message:hidden': MessageHiddenEventSchema,
  /** The pinned messages of a conversation changed. */
  'conversation:pins': ConversationPinsEventSchema,
  /** A conversation's title, description or members' roles changed: fetch it again. */
  'conversation:updated': ConversationRefEventSchema,
  typing: TypingEventSchema,
  read: ReadReceiptEventSchema,
  presence: PresenceSchema,
  /** The access token has expired: send `auth:refresh` within the grace period or be disconnected. */
  'auth:expired': AuthExpiredEventSchema,
  /** Something may have been missed (e.g. this instance lost Redis for a while): send `sync`. */
  resync: ResyncEventSchema,
  /** Your role changed (an admin set it): refresh the session to carry it, and reconnect. */
  'session:changed': SessionChangedEventSchema,
  /**
   * To everyone who shares a conversation with the user, and the user's own connections: they set
   * or removed their profile photo (null: back to initials).
   */
  'user:avatar': UserAvatarEventSchema,
  'conversation:joined': ConversationRefEventSchema,
  'conversation:left': ConversationRefEventSchema,
  /** To a customer waiting for an agent: their place in the queue and the estimated wait. */
  'support:queue': SupportQueueEventSchema,
  /** To the customer: their support conversation's status or assignee changed. */
  'support:status': SupportStatusEventSchema,
  /** To the staff concerned: a support conversation changed (drop events older than your version). */
  'support:conversation': SupportConversationEventSchema,
  /** To the staff concerned: who a support conversation is assigned to now, and why. */
  'support:assignment': AssignmentSchema,
  /** To the staff of an inbox: how many conversations wait in its queue. */
  'support:queue:changed': SupportQueueChangedEventSchema,
  /** To the staff concerned: an SLA deadline is near or was missed. */
  'support:sla': SupportSlaEventSchema,
  /** To the customer: their resolved conversation asks for a rating, or its rating changed. */
  'support:csat': CsatEventSchema,
} as const satisfies Record<string, z.ZodType>;

type ClientTable = typeof CLIENT_EVENTS;
export type ClientEventName = keyof ClientTable;
/** Events answered with an acknowledgement. */
export type AckedEventName = {
  [E in ClientEventName]: ClientTable[E] extends { ack: z.ZodType } ? E : never;
}[ClientEventName];
/** Events sent without one (typing, focus). */
export type UnackedEventName = Exclude<ClientEventName, AckedEventName>;
/** What a client sends for event E (before the server's parsing). */
export type EventPayloadInput<E extends ClientEventName> = z.input<ClientTable[E]['payload']>;
/** What the server's handler of event E receives (after parsing). */
export type EventPayload<E extends ClientEventName> = z.output<ClientTable[E]['payload']>;
/** The successful reply to event E, without `ok`. */
export type EventReply<E extends AckedEventName> = ClientTable[E] extends { ack: infer A extends z.ZodType }
  ? z.infer<A>
  : never;
export type ServerEventName = keyof typeof SERVER_EVENTS;
export type ServerEvent<E extends ServerEventName> = z.infer<(typeof SERVER_EVENTS)[E]>;

/** Every socket acknowledgement: `{ok: true, …}` or `{ok: false, error: {code, message}}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | ({ ok: false } & ErrorBody);
export type AckFn<T extends object = object> = (reply: Ack<T>) => void;

/** Events a client sends, as Socket.IO's typed client wants them. */
export type ClientToServerEvents = {
  [E in ClientEventName]: ClientTable[E] extends { ack: infer A extends z.ZodType<object>; optionalAck: true }
    ? (payload: EventPayloadInput<E>, ack?: AckFn<z.infer<A>>) => void
    : ClientTable[E] extends { ack: infer A extends z.ZodType<object> }
      ? (payload: EventPayloadInput<E>, ack: AckFn<z.infer<A>>) => void
      : (payload: EventPayloadInput<E>) => void;
};

/** Events the server sends, as Socket.IO's typed server and client want them. */
export type ServerToClientEvents = {
  [E in ServerEventName]: (event: ServerEvent<E>) => void;
};

export const CLIENT_EVENT_NAMES = Object.keys(CLIENT_EVENTS) as ClientEventName[];
