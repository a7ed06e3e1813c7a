import { afterEach, describe, expect, it, vi } from 'vitest';
import { modeOf, WidgetChat } from './chat';
import {
  AGENT_ID,
  CONVERSATION_ID,
  contact,
  FakeApi,
  fakeTransport,
  makeConversation,
  makeMessage,
  makeState,
  VISITOR_USER_ID,
  WIDGET_ID,
} from './fakes';
import { type KeyValue, SessionStore, sessionKey } from './storage';
import { ApiError } from './transport';

afterEach(() => {
  vi.useRealTimers();
});

function memoryStorage(): KeyValue {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

function setup(options: { expiresInMs?: number | null; now?: () => number } = {}) {
  const api = new FakeApi();
  const { sockets, transport } = fakeTransport(api);
  const sessions = new SessionStore(memoryStorage(), sessionKey(WIDGET_ID));
  const expiresInMs = options.expiresInMs === undefined ? 3_600_000 : options.expiresInMs;
  if (expiresInMs !== null) {
    sessions.save({
      sessionToken: 'kept-session',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
      verified: false,
    });
  }
  const unread = {
    count: 0,
    set(count: number) {
      this.count = count;
    },
    add(by: number) {
      this.count += by;
    },
  };
  const chat = new WidgetChat({
    widgetId: WIDGET_ID,
    locale: 'fa',
    hostOrigin: 'https://shop.example',
    transport,
    sessions,
    unread,
    ...(options.now ? { now: options.now } : {}),
  });
  return { api, sockets, sessions, unread, chat };
}

const connected = async (sockets: unknown[]) => {
  await vi.waitFor(() => expect(sockets.length).toBe(1));
};

describe(WidgetChat.name, () => {
  it('renews a session about to expire with the previous token as visitorToken, before using it', async () => {
    const { api, chat, sessions } = setup({ expiresInMs: 30_000 });
    await chat.load();
    expect(api.createSession).toHaveBeenCalledExactlyOnceWith({
      widgetId: WIDGET_ID,
      hostOrigin: 'https://shop.example',
      visitorToken: 'kept-session',
    });
    expect(api.state).toHaveBeenCalledExactlyOnceWith('session-1');
    expect(sessions.load()!.sessionToken).toBe('session-1');
  });

  it('opens a session only when needed, and once more when the server says the session expired', async () => {
    const { api, chat } = setup({ expiresInMs: null });
    expect(chat.hasSession).toBe(false);
    api.state.mockRejectedValueOnce(new ApiError(401, 'auth/unauthenticated', 'expired'));
    await chat.load();
    expect(api.createSession.mock.calls.map(([body]) => body.visitorToken)).toEqual([undefined, 'session-1']);
    expect(api.state.mock.calls.map(([token]) => token)).toEqual(['session-1', 'session-2']);
    expect(chat.snapshot.status).toBe('ready');
  });

  it('keeps the site’s attributes for the first message, and patches the contact once there is one', async () => {
    const { api, chat } = setup();
    await chat.load();
    await chat.setAttributes({ plan: 'gold' });
    await chat.setAttributes({ seats: 3 });
    expect(api.setAttributes).not.toHaveBeenCalled();

    await chat.send('سلام');
    expect(api.startConversation.mock.calls[0]![1]).toMatchObject({ attributes: { plan: 'gold', seats: 3 } });
    await chat.setAttributes({ plan: 'silver' });
    expect(api.setAttributes).toHaveBeenCalledExactlyOnceWith('session-1', { plan: 'silver' });
  });

  it('counts the agent’s messages as unread while hidden, not the visitor’s or system ones, and reads them when shown', async () => {
    const { api, chat, sockets, unread } = setup();
    api.state_ = makeState({ contact: contact(), conversation: makeConversation({ lastSeq: 2 }), unread: 2 });
    await chat.load();
    expect(unread.count).toBe(2);
    await connected(sockets);
    const socket = sockets[0]!;
    socket.push({ type: 'message:new', payload: makeMessage({ seq: 3 }) });
    socket.push({ type: 'message:new', payload: makeMessage({ seq: 4, senderId: VISITOR_USER_ID }) });
    socket.push({ type: 'message:new', payload: makeMessage({ seq: 5, kind: 'system', senderId: null }) });
    expect(unread.count).toBe(3);
    expect(socket.requests.some((request) => request.event === 'read')).toBe(false);

    chat.setVisible(true);
    expect(unread.count).toBe(0);
    expect(socket.requests).toContainEqual({
      event: 'read',
      payload: { conversationId: CONVERSATION_ID, seq: 5 },
    });
  });

  it('marks the visitor’s messages by the user id the state names, and by the clientMsgIds it sent before', async () => {
    const { api, chat } = setup();
    await chat.load();
    // The state after the first message does not come: only the clientMsgId tells it is theirs.
    api.state.mockRejectedValueOnce(new ApiError(503, 'server/unavailable', 'busy'));
    await chat.send('سلام', 'client-1');
    expect(chat.snapshot.ownUserId).toBeNull();
    const echo = makeMessage({ seq: 1, senderId: VISITOR_USER_ID, clientMsgId: 'client-1' });
    expect(chat.isOwn(echo)).toBe(true);
    expect(chat.isOwn(makeMessage({ seq: 2, senderId: AGENT_ID }))).toBe(false);

    await chat.load();
    expect(chat.snapshot.ownUserId).toBe(VISITOR_USER_ID);
    // From another tab of theirs: their user id, a clientMsgId this frame never sent.
    expect(chat.isOwn(makeMessage({ seq: 3, senderId: VISITOR_USER_ID, clientMsgId: 'other-tab' }))).toBe(
      true,
    );
    expect(chat.isOwn(makeMessage({ seq: 4, senderId: AGENT_ID, clientMsgId: 'client-9' }))).toBe(false);
  });

  it('remembers that the visitor became a contact, so the next page loads their conversation at once', async () => {
    const { chat, sessions } = setup();
    expect(chat.resumable).toBe(false);
    await chat.load();
    await chat.send('سلام');
    expect(sessions.load()).toMatchObject({ sessionToken: 'session-1', contact: true });
    expect(chat.resumable).toBe(true);
  });

  it('tells the agent the visitor is typing at most once every 3 seconds', async () => {
    let now = 1_000_000;
    const { api, chat, sockets } = setup({ now: () => now });
    api.state_ = makeState({ contact: contact(), conversation: makeConversation() });
    await chat.load();
    await connected(sockets);
    chat.typing();
    now += 1_000;
    chat.typing();
    now += 2_500;
    chat.typing();
    expect(sockets[0]!.typed).toEqual([CONVERSATION_ID, CONVERSATION_ID]);
  });

  it('gets a new session when the socket’s expires, and reconnects with it', async () => {
    const { api, chat, sockets, sessions } = setup();
    api.state_ = makeState({ contact: contact(), conversation: makeConversation() });
    await chat.load();
    await connected(sockets);
    sockets[0]!.push({ type: 'auth:expired', payload: { graceSeconds: 30 } });
    await vi.waitFor(() => expect(sockets[0]!.tokens).toEqual(['kept-session', 'session-1']));
    expect(api.createSession).toHaveBeenCalledWith(expect.objectContaining({ visitorToken: 'kept-session' }));
    expect(sessions.load()!.sessionToken).toBe('session-1');
  });

  it('uses an identity token once, and keeps the anonymous session when the site’s token is refused', async () => {
    const { api, chat, sessions } = setup();
    await chat.identify('signed.jwt');
    await chat.identify('signed.jwt');
    expect(api.createSession).toHaveBeenCalledExactlyOnceWith({
      widgetId: WIDGET_ID,
      hostOrigin: 'https://shop.example',
      token: 'signed.jwt',
      visitorToken: 'kept-session',
    });
    const verified = sessions.load()!.sessionToken;

    api.refuseSession = new ApiError(401, 'widget/identity_expired', 'expired');
    await chat.identify('old.jwt');
    expect(chat.snapshot.error).toBe('widget/identity_expired');
    expect(chat.snapshot.status).toBe('ready');
    expect(sessions.load()!.sessionToken).toBe(verified);
  });

  it('forgets the session, the socket and the count on reset', async () => {
    const { api, chat, sessions, sockets, unread } = setup();
    api.state_ = makeState({ contact: contact(), conversation: makeConversation(), unread: 1 });
    await chat.load();
    await connected(sockets);
    chat.reset();
    expect(sessions.load()).toBeNull();
    expect(sockets[0]!.closed).toBe(true);
    expect(unread.count).toBe(0);
    expect(chat.snapshot).toMatchObject({ status: 'idle', state: null, conversation: null, messages: [] });
    expect(chat.hasSession).toBe(false);
    // And the server forgets the frame's cookie for this widget (storage-denied browsers keep it).
    expect(api.forgetSession).toHaveBeenCalledWith(WIDGET_ID);
  });

  describe(modeOf.name, () => {
    const view = (patch: Partial<WidgetChat['snapshot']>) => ({ ...setup().chat.snapshot, ...patch });
    it('shows the pre-chat form only to a visitor who is not verified and has not answered it', () => {
      const prechat = makeState({
        widget: {
          ...makeState().widget,
          prechat: { enabled: true, fields: [{ key: 'name', kind: 'name', label: {}, required: true }] },
        },
      });
      expect(modeOf(view({ state: prechat }))).toBe('prechat');
      expect(modeOf(view({ state: { ...prechat, verified: true } }))).toBe('chat');
      expect(modeOf(view({ state: prechat, prechatDone: true }))).toBe('chat');
      // A conversation under way is never interrupted by a form, nor by closing time.
      const closed = { ...prechat, opening: { open: false, nextOpenAt: null, timeZone: 'Asia/Tehran' } };
      expect(modeOf(view({ state: closed, conversation: makeConversation() }))).toBe('chat');
      expect(modeOf(view({ state: closed }))).toBe('offline');
    });
  });
});
