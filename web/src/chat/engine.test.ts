import type { AuthTokens, Conversation, ConversationSupport, Message } from '@abrik/protocol';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/client.js';
import { Session } from '../api/session.js';
import { directConversation, ME, textMessage as msg, YOU } from '../test/messages.js';
import { ChatEngine, type ConversationPage } from './engine.js';
import {
  conversationKey,
  conversationsKey,
  flatten,
  type MessagePage,
  type MessagesData,
  messagesKey,
} from './messages.js';

const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000b1';

const conversation = directConversation;

type Handler = (...args: any[]) => void;

/** The server end of a socket: records what the client emits and answers acks with a script. */
class FakeSocket {
  connected = false;
  active = true;
  readonly emitted: { event: string; payload: any }[] = [];
  readonly replies: Record<string, (payload: any) => unknown> = {};
  private readonly handlers = new Map<string, Handler[]>();

  on(event: string, handler: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  emit(event: string, payload: unknown) {
    this.emitted.push({ event, payload });
    return this;
  }
  timeout() {
    return {
      emitWithAck: async (event: string, payload: unknown) => {
        this.emitted.push({ event, payload });
        const reply = this.replies[event];
        if (!reply) throw new Error('operation has timed out');
        return reply(payload);
      },
    };
  }
  connect() {
    this.connected = true;
    this.fire('connect');
    return this;
  }
  disconnect() {
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }
  /** An event from the server. */
  fire(event: string, ...args: unknown[]) {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  sent(event: string) {
    return this.emitted.filter((e) => e.event === event).map((e) => e.payload);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));
async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await flush();
  expect(check()).toBe(true);
}

const engines: ChatEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.stop();
});

function setup(list: Conversation[], histories: Record<string, Message[]> = {}) {
  const socket = new FakeSocket();
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  queries.setQueryData<ConversationPage>(conversationsKey, { items: list, nextCursor: null });
  for (const [id, items] of Object.entries(histories)) {
    queries.setQueryData<MessagesData>(messagesKey(id), {
      pages: [{ items, nextCursor: null }],
      pageParams: [undefined],
    });
  }
  const api = {
    conversations: async () => ({ items: list, nextCursor: null }),
    messages: async (): Promise<MessagePage> => ({ items: [], nextCursor: null }),
  } as unknown as ApiClient;
  let refreshed = 0;
  const session = new Session(async (): Promise<AuthTokens> => {
    refreshed++;
    return {
      accessToken: `fresh-${refreshed}`,
      refreshToken: `r${refreshed + 1}`,
      accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
      user: { id: ME, name: 'me', role: 'customer', lastSeenAt: null, phone: '+989121234567' },
    };
  });
  session.signIn({
    accessToken: 'first',
    refreshToken: 'r1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    user: { id: ME, name: 'me', role: 'customer', lastSeenAt: null, phone: '+989121234567' },
  });
  const engine = new ChatEngine(api, session, queries, ME, () => 'fa', {
    createSocket: () => socket as never,
  });
  engines.push(engine);
  const seqs = (id: string) => flatten(queries.getQueryData<MessagesData>(messagesKey(id))).map((m) => m.seq);
  const listed = (id: string) =>
    queries.getQueryData<ConversationPage>(conversationsKey)?.items.find((c) => c.id === id);
  return { socket, queries, engine, session, seqs, listed };
}

describe(ChatEngine.name, () => {
  it('catches up after connecting from the seq up to which it holds every message, again while there is more', async () => {
    // A holds 1–3 and 5 (4 was missed); B's history is not open here.
    const { socket, engine, seqs } = setup([conversation(A, 5), conversation(B, 7)], {
      [A]: [msg(A, 1), msg(A, 2), msg(A, 3), msg(A, 5)],
    });
    const rounds: any[] = [];
    socket.replies.sync = (payload) => {
      rounds.push(structuredClone(payload.since));
      if (rounds.length === 1) {
        return {
          ok: true,
          conversations: [
            { conversationId: A, messages: [msg(A, 4), msg(A, 5), msg(A, 6)], hasMore: true, lastReadSeq: 5 },
            { conversationId: B, messages: [msg(B, 8)], hasMore: true, lastReadSeq: 7 },
          ],
          removed: [],
        };
      }
      return {
        ok: true,
        conversations: [{ conversationId: A, messages: [msg(A, 7)], hasMore: false, lastReadSeq: 5 }],
        removed: [],
      };
    };
    engine.start();
    await until(() => rounds.length === 2);
    await flush();
    expect(rounds[0]).toMatchObject({ [A]: 3, [B]: 7 });
    expect(rounds[1]).toMatchObject({ [A]: 6, [B]: Number.MAX_SAFE_INTEGER });
    expect(seqs(A)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('sends what was written offline once connected, in order, and holds the acknowledged messages', async () => {
    const { socket, engine, seqs } = setup([conversation(A, 2)], { [A]: [msg(A, 1), msg(A, 2)] });
    socket.replies.sync = () => ({ ok: true, conversations: [], removed: [] });
    let seq = 2;
    socket.replies['message:send'] = (p) => ({
      ok: true,
      duplicate: false,
      message: msg(A, ++seq, { senderId: ME, clientMsgId: p.clientMsgId, body: p.body }),
    });
    const one = engine.send(A, 'one');
    const two = engine.send(A, 'two');
    expect(socket.sent('message:send')).toEqual([]);
    engine.start();
    await until(() => engine.outbox.items.length === 0);
    expect(socket.sent('message:send').map((p) => [p.clientMsgId, p.body])).toEqual([
      [one.clientMsgId, 'one'],
      [two.clientMsgId, 'two'],
    ]);
    expect(seqs(A)).toEqual([1, 2, 3, 4]);
  });

  it('drops an outbox message that sync shows stored (the ack was lost), without sending it again', async () => {
    const { socket, engine } = setup([conversation(A, 1)], { [A]: [msg(A, 1)] });
    const pending = engine.send(A, 'sent before the crash');
    let sends = 0;
    socket.replies['message:send'] = () => {
      sends++;
      throw new Error('operation has timed out');
    };
    socket.replies.sync = () => ({
      ok: true,
      conversations: [
        {
          conversationId: A,
          messages: [msg(A, 2, { senderId: ME, clientMsgId: pending.clientMsgId, body: pending.body })],
          hasMore: false,
          lastReadSeq: 1,
        },
      ],
      removed: [],
    });
    engine.start();
    await until(() => engine.outbox.items.length === 0);
    expect(sends).toBeLessThanOrEqual(1);
  });

  it('counts messages from others as unread, and announces those of the conversation on screen', async () => {
    const { socket, engine, listed } = setup([conversation(A, 1), conversation(B, 1)]);
    socket.replies.sync = () => ({ ok: true, conversations: [], removed: [] });
    engine.start();
    engine.setFocus(B);
    socket.fire('message:new', msg(A, 2));
    socket.fire('message:new', msg(A, 3));
    socket.fire('message:new', msg(A, 3)); // delivered twice
    socket.fire('message:new', msg(A, 4, { senderId: ME }));
    expect(listed(A)).toMatchObject({ unreadCount: 2, lastSeq: 4 });
    expect(engine.arrivals.get()).toBeNull();
    socket.fire('message:new', msg(B, 2));
    expect(engine.arrivals.get()?.id).toBe(msg(B, 2).id);
    expect(socket.sent('focus').at(-1)).toEqual({ conversationId: B });
  });

  it('shows typing until the person’s message arrives', () => {
    const { socket, engine } = setup([conversation(A, 1)]);
    engine.start();
    socket.fire('typing', { conversationId: A, userId: YOU });
    expect([...(engine.typing.get().get(A)?.keys() ?? [])]).toEqual([YOU]);
    socket.fire('message:new', msg(A, 2));
    expect(engine.typing.get().get(A)?.size ?? 0).toBe(0);
  });

  it('marks own messages read when another member’s receipt arrives', () => {
    const { socket, engine, listed } = setup([conversation(A, 3)]);
    engine.start();
    socket.fire('read', { conversationId: A, userId: YOU, seq: 5 });
    expect(listed(A)?.members.find((m) => m.userId === YOU)?.lastReadSeq).toBe(5);
  });

  it('shows a member’s new or removed profile photo in place, and mine in my session too', () => {
    const PHOTO = '00000000-0000-4000-8000-0000000000f1';
    const withoutYou = conversation(B, 1, {
      members: [{ userId: ME, name: 'me', role: 'member', lastReadSeq: 1, joinedAt: '2024-01-01T00:00:00Z' }],
    });
    const { socket, engine, queries, session, listed } = setup([conversation(A, 2), withoutYou]);
    engine.start();
    queries.setQueryData(conversationKey(A), conversation(A, 2));
    const yours = (c: Conversation | undefined) => c?.members.find((m) => m.userId === YOU);
    const detail = () => queries.getQueryData<Conversation>(conversationKey(A));
    const untouched = listed(B);

    socket.fire('user:avatar', { userId: YOU, avatarId: PHOTO });
    expect(yours(listed(A))?.avatarId).toBe(PHOTO);
    expect(yours(detail())?.avatarId).toBe(PHOTO);
    expect(listed(B)).toBe(untouched);
    expect(session.current?.user).not.toHaveProperty('avatarId');

    socket.fire('user:avatar', { userId: YOU, avatarId: null });
    expect(yours(listed(A))).not.toHaveProperty('avatarId');
    expect(yours(detail())).not.toHaveProperty('avatarId');

    // Set on my other device: this one's settings and avatars follow.
    socket.fire('user:avatar', { userId: ME, avatarId: PHOTO });
    expect(session.current?.user.avatarId).toBe(PHOTO);
    expect(listed(B)?.members[0]?.avatarId).toBe(PHOTO);
    socket.fire('user:avatar', { userId: ME, avatarId: null });
    expect(session.current?.user).not.toHaveProperty('avatarId');
  });

  it('keeps the history of a group I was removed from, read-only, and reads it again when I am added back', async () => {
    const { socket, engine, queries, seqs, listed } = setup([conversation(A, 2)], {
      [A]: [msg(A, 1), msg(A, 2)],
    });
    socket.replies.sync = () => ({ ok: true, conversations: [], removed: [] });
    engine.start();
    queries.setQueryData(conversationKey(A), conversation(A, 2));
    socket.fire('conversation:left', { conversationId: A });
    expect(engine.removed.get().has(A)).toBe(true);
    expect(listed(A)).toBeUndefined();
    expect(seqs(A)).toEqual([1, 2]);
    expect(queries.getQueryData(conversationKey(A))).toBeDefined();

    socket.fire('conversation:joined', { conversationId: A });
    expect(engine.removed.get().has(A)).toBe(false);
    expect(queries.getQueryState(conversationKey(A))?.isInvalidated).toBe(true);
    expect(queries.getQueryState(messagesKey(A))?.isInvalidated).toBe(true);
  });

  it('forgets a group I left myself, without saying I was removed', () => {
    const { socket, engine, seqs, listed } = setup([conversation(A, 2)], { [A]: [msg(A, 1), msg(A, 2)] });
    engine.start();
    engine.willLeave(A);
    socket.fire('conversation:left', { conversationId: A });
    expect(engine.removed.get().has(A)).toBe(false);
    expect(listed(A)).toBeUndefined();
    expect(seqs(A)).toEqual([]);
  });

  it('reads the held conversations again once connected: what the server said before (who answers) was not heard', async () => {
    const { socket, engine, queries } = setup([conversation(A, 2)]);
    socket.replies.sync = () => ({ ok: true, conversations: [], removed: [] });
    const support: ConversationSupport = {
      status: 'open',
      assigneeId: null,
      assigneeName: null,
      teamId: null,
      priority: 'none',
      queuePosition: 1,
      etaSeconds: 30,
      linkedFrom: null,
      version: 1,
    };
    // On screen, read before the connection was up: first in the queue. An agent took it
    // meanwhile; the events saying so went to a connection that did not exist yet.
    let server = conversation(A, 2, { kind: 'support', support });
    const open = new QueryObserver(queries, { queryKey: conversationKey(A), queryFn: async () => server });
    const unsubscribe = open.subscribe(() => {});
    await until(() => open.getCurrentResult().data?.support?.queuePosition === 1);
    server = conversation(A, 2, {
      kind: 'support',
      support: {
        ...support,
        assigneeId: YOU,
        assigneeName: 'you',
        queuePosition: null,
        etaSeconds: null,
        version: 2,
      },
    });

    engine.start();
    await until(() => open.getCurrentResult().data?.support?.assigneeId === YOU);
    unsubscribe();
  });

  it('tells the server what was read offline once connected again', () => {
    const { socket, engine, listed } = setup([conversation(A, 5, { lastReadSeq: 2, unreadCount: 3 })]);
    engine.markRead(A, 4);
    expect(listed(A)).toMatchObject({ lastReadSeq: 4, unreadCount: 1 });
    expect(socket.sent('read')).toEqual([]);
    engine.start();
    expect(socket.sent('read')).toEqual([{ conversationId: A, seq: 4 }]);
  });

  it('answers auth:expired with a fresh access token', async () => {
    const { socket, engine } = setup([]);
    engine.start();
    socket.fire('auth:expired', { graceSeconds: 30 });
    await until(() => socket.sent('auth:refresh').length > 0);
    expect(socket.sent('auth:refresh')[0]).toEqual({ token: 'fresh-1' });
  });

  it('says offline when the browser is offline, and stops sending', () => {
    const { socket, engine } = setup([]);
    engine.start();
    expect(engine.connection.get()).toBe('online');
    window.dispatchEvent(new Event('offline'));
    expect(socket.connected).toBe(false);
    expect(engine.connection.get()).not.toBe('online');
    window.dispatchEvent(new Event('online'));
    expect(engine.connection.get()).toBe('online');
  });
});
