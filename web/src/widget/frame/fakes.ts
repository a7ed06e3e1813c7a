import type { Ack, Message, WidgetConversation, WidgetSession, WidgetState } from '@abrik/protocol';
import { vi } from 'vitest';
import type {
  ConnectOptions,
  CsatReply,
  Replies,
  RequestEvent,
  SocketEvent,
  SocketHandle,
  Transport,
  WidgetApi,
} from './transport';

/**
 * Fakes of the frame's own transport (transport.ts) for its unit and component tests: an API that
 * answers from a state the test sets, and a socket the test feeds server events into. Not bundled
 * (main.tsx never imports it).
 */

export const WIDGET_ID = '0b7f2c1e-1111-4a5a-9c1d-000000000001';
export const AGENT_ID = '0b7f2c1e-2222-4a5a-9c1d-000000000002';
export const VISITOR_USER_ID = '0b7f2c1e-3333-4a5a-9c1d-000000000003';
export const CONVERSATION_ID = '0b7f2c1e-4444-4a5a-9c1d-000000000004';

const widget = {
  id: WIDGET_ID,
  name: 'فروشگاه نمونه',
  theme: { primaryColor: '#123456' },
  greeting: {},
  offlineText: {},
};

export function makeConversation(overrides: Partial<WidgetConversation> = {}): WidgetConversation {
  return {
    id: CONVERSATION_ID,
    status: 'open',
    createdAt: '2025-03-20T10:00:00.000Z',
    assignee: null,
    queuePosition: null,
    etaSeconds: null,
    waitingSince: null,
    readSeq: 0,
    agentReadSeq: 0,
    lastSeq: 0,
    csat: null,
    writable: true,
    ...overrides,
  };
}

export function makeState(overrides: Partial<WidgetState> = {}): WidgetState {
  return {
    widget: {
      ...widget,
      identityMode: 'optional',
      prechat: { enabled: false, fields: [] },
      waitOfferSeconds: 0,
    },
    opening: { open: true, nextOpenAt: null, timeZone: 'Asia/Tehran' },
    agentsAvailable: true,
    verified: false,
    contact: null,
    conversation: null,
    history: [],
    unread: 0,
    ...overrides,
  };
}

/** A contact with the user id the frame marks own messages by. */
export const contact = () => ({
  name: null,
  phone: null,
  email: null,
  verified: false,
  userId: VISITOR_USER_ID,
});

export function makeMessage(overrides: Partial<Message> & Pick<Message, 'seq'>): Message {
  return {
    id: `0b7f2c1e-5555-4a5a-9c1d-${String(overrides.seq).padStart(12, '0')}`,
    conversationId: CONVERSATION_ID,
    senderId: AGENT_ID,
    clientMsgId: null,
    kind: 'text',
    body: `message ${overrides.seq}`,
    createdAt: '2025-03-20T10:01:00.000Z',
    editedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

export class FakeApi implements WidgetApi {
  state_: WidgetState = makeState();
  sessions = 0;
  /** Minutes a new session lasts. */
  sessionMinutes = 30;
  readonly calls: { method: keyof WidgetApi; token: string | null; body?: unknown }[] = [];
  /** Set to make the next createSession fail with it. */
  refuseSession: Error | null = null;

  private session(verified = false): WidgetSession {
    this.sessions += 1;
    return {
      sessionToken: `session-${this.sessions}`,
      expiresAt: new Date(Date.now() + this.sessionMinutes * 60_000).toISOString(),
      visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
      verified,
      widget,
    };
  }

  createSession = vi.fn(async (body: Parameters<WidgetApi['createSession']>[0]) => {
    this.calls.push({ method: 'createSession', token: null, body });
    if (this.refuseSession) throw this.refuseSession;
    return this.session(body.token !== undefined);
  });

  forgetSession = vi.fn(async (widgetId: string) => {
    this.calls.push({ method: 'forgetSession', token: null, body: { widgetId } });
  });

  state = vi.fn(async (token: string) => {
    this.calls.push({ method: 'state', token });
    return structuredClone(this.state_);
  });

  startConversation = vi.fn(async (token: string, body: Parameters<WidgetApi['startConversation']>[1]) => {
    this.calls.push({ method: 'startConversation', token, body });
    const conversation = makeConversation({ lastSeq: 1, waitingSince: new Date().toISOString() });
    this.state_ = { ...this.state_, contact: contact(), conversation };
    return {
      session: this.session(),
      conversation,
      message: { id: '0b7f2c1e-7777-4a5a-9c1d-000000000007', seq: 1, createdAt: new Date().toISOString() },
    };
  });

  setAttributes = vi.fn(async (token: string, attributes: Parameters<WidgetApi['setAttributes']>[1]) => {
    this.calls.push({ method: 'setAttributes', token, body: attributes });
    return { attributes };
  });

  rate = vi.fn(async (token: string, conversationId: string, body: { rating: number; comment?: string }) => {
    this.calls.push({ method: 'rate', token, body: { conversationId, ...body } });
    const reply: CsatReply = {
      cycle: 0,
      rating: body.rating,
      comment: body.comment ?? null,
      editableUntil: new Date(Date.now() + 86_400_000).toISOString(),
    };
    return reply;
  });
}

export class FakeSocket implements SocketHandle {
  readonly requests: { event: RequestEvent; payload: unknown }[] = [];
  readonly typed: string[] = [];
  readonly tokens: string[] = [];
  closed = false;
  /** Answers to acknowledged events; by default: an empty sync, a stored message, a read. */
  replies: { [E in RequestEvent]?: (payload: never) => Ack<Replies[E]> } = {};

  constructor(readonly options: ConnectOptions) {
    this.tokens.push(options.token);
  }

  /** The server sends an event. */
  push(event: SocketEvent): void {
    this.options.onEvent(event);
  }

  async request<E extends RequestEvent>(event: E, payload: unknown): Promise<Ack<Replies[E]>> {
    this.requests.push({ event, payload });
    const reply = this.replies[event] as ((payload: unknown) => Ack<Replies[E]>) | undefined;
    if (reply) return reply(payload);
    return defaultReply(event, payload) as Ack<Replies[E]>;
  }

  typing(conversationId: string): void {
    this.typed.push(conversationId);
  }

  reconnect(token: string): void {
    this.tokens.push(token);
  }

  close(): void {
    this.closed = true;
  }
}

let sentSeq = 100;
function defaultReply(event: RequestEvent, payload: unknown): Ack<Replies[RequestEvent]> {
  if (event === 'sync') return { ok: true, conversations: [], removed: [] };
  if (event === 'read') return { ok: true, seq: (payload as { seq: number }).seq };
  const sent = payload as { conversationId: string; clientMsgId: string; body: string };
  sentSeq += 1;
  return {
    ok: true,
    duplicate: false,
    message: makeMessage({
      seq: sentSeq,
      conversationId: sent.conversationId,
      senderId: VISITOR_USER_ID,
      clientMsgId: sent.clientMsgId,
      body: sent.body,
    }),
  };
}

/** A transport of the two fakes; `sockets` lists every connection made. */
export function fakeTransport(api = new FakeApi()) {
  const sockets: FakeSocket[] = [];
  const transport: Transport = {
    api,
    connect: async (options) => {
      const socket = new FakeSocket(options);
      sockets.push(socket);
      return socket;
    },
  };
  return { api, sockets, transport };
}
