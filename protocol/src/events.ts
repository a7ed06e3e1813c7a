import type { z } from 'zod';
import type { ErrorBody } from './errors.js';
import type {
  AuthRefreshPayloadSchema,
  FocusPayloadSchema,
  Message,
  MessageSendPayload,
  Presence,
  PresenceQueryPayloadSchema,
  PresenceSetPayloadSchema,
  ReadPayloadSchema,
  SyncConversation,
  SyncPayloadSchema,
  TypingPayloadSchema,
} from './schemas.js';

/** Every socket acknowledgement: `{ok: true, …}` or `{ok: false, error: {code, message}}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | ({ ok: false } & ErrorBody);
export type AckFn<T extends object = object> = (reply: Ack<T>) => void;

export interface MessageDeletedEvent {
  conversationId: string;
  id: string;
  seq: number;
  deletedAt: string;
}
export interface ReadReceiptEvent {
  conversationId: string;
  userId: string;
  seq: number;
}
export interface TypingEvent {
  conversationId: string;
  userId: string;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  'message:updated': (message: Message) => void;
  'message:deleted': (event: MessageDeletedEvent) => void;
  typing: (event: TypingEvent) => void;
  read: (event: ReadReceiptEvent) => void;
  presence: (presence: Presence) => void;
  /** The access token has expired: send `auth:refresh` within the grace period or be disconnected. */
  'auth:expired': (event: { graceSeconds: number }) => void;
  /** Something may have been missed (e.g. this instance lost Redis for a while): send `sync`. */
  resync: (event: { reason: string }) => void;
  'conversation:joined': (event: { conversationId: string }) => void;
  'conversation:left': (event: { conversationId: string }) => void;
}

/** Events a client sends; each one with an acknowledgement answers with an `Ack`. */
export interface ClientToServerEvents {
  'message:send': (payload: MessageSendPayload, ack: AckFn<{ message: Message; duplicate: boolean }>) => void;
  typing: (payload: z.input<typeof TypingPayloadSchema>) => void;
  /** The conversation on screen in this connection (null when none is): no web push for it. */
  focus: (payload: z.input<typeof FocusPayloadSchema>) => void;
  read: (payload: z.input<typeof ReadPayloadSchema>, ack?: AckFn<{ seq: number }>) => void;
  sync: (
    payload: z.input<typeof SyncPayloadSchema>,
    ack: AckFn<{ conversations: SyncConversation[]; removed: string[] }>,
  ) => void;
  'auth:refresh': (
    payload: z.input<typeof AuthRefreshPayloadSchema>,
    ack?: AckFn<{ expiresAt: string }>,
  ) => void;
  /** Agents and admins: take support work or step away. */
  'presence:set': (payload: z.input<typeof PresenceSetPayloadSchema>, ack?: AckFn<object>) => void;
  'presence:query': (
    payload: z.input<typeof PresenceQueryPayloadSchema>,
    ack: AckFn<{ presences: Presence[] }>,
  ) => void;
}

export const CLIENT_EVENTS = [
  'message:send',
  'typing',
  'focus',
  'read',
  'sync',
  'auth:refresh',
  'presence:query',
  'presence:set',
] as const satisfies readonly (keyof ClientToServerEvents)[];
