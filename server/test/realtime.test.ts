import type { Message } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type ClientSocket, call, collect, connect, eventually, next } from './support/sockets.js';

describe.each(BACKENDS)('realtime gateway on %s', (backend) => {
  let t: TestApp;
  let alice: AuthResult;
  let bob: AuthResult;
  let eve: AuthResult;
  let conversationId: string;
  const open: ClientSocket[] = [];
  const socketOf = async (who: AuthResult) => {
    const s = await connect(t.url, who.accessToken);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ backend });
    [alice, bob, eve] = await Promise.all([
      t.signIn(uniquePhone(), 'Alice'),
      t.signIn(uniquePhone(), 'Bob'),
      t.signIn(uniquePhone(), 'Eve'),
    ]);
    const created = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    conversationId = created.body.id;
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('refuses a handshake without a token or with a bad one', async () => {
    await expect(connect(t.url, undefined)).rejects.toMatchObject({
      message: 'auth/unauthenticated',
      data: { code: 'auth/unauthenticated' },
    });
    await expect(connect(t.url, 'not-a-jwt')).rejects.toMatchObject({ data: { code: 'auth/invalid_token' } });
  });

  it('has joined every conversation room by the time the handshake completes', async () => {
    // Otherwise a client that syncs at once could miss a message committed in between.
    const b = await socketOf(bob);
    const rooms = t.app.gateway!.io.of('/').adapter.rooms;
    expect(rooms.get(`conv:${conversationId}`)?.has(b.id!)).toBe(true);
    expect(rooms.get(`user:${bob.user.id}`)?.has(b.id!)).toBe(true);
  });

  it("delivers a message to the sender's other sockets but not back to the sending one (its ack has it)", async () => {
    const [a1, a2, b] = await Promise.all([socketOf(alice), socketOf(alice), socketOf(bob)]);
    const onSender = collect(a1, 'message:new');
    const onOtherDevice = next(a2, 'message:new', (m) => m.clientMsgId === 'rt-echo');
    const onBob = next(b, 'message:new', (m) => m.clientMsgId === 'rt-echo');
    const ack = await call<{ message: Message }>(a1, 'message:send', {
      conversationId,
      clientMsgId: 'rt-echo',
      body: 'one copy each',
    });
    expect(ack.ok).toBe(true);
    const [mine, bobs] = await Promise.all([onOtherDevice, onBob]);
    expect(mine.clientMsgId).toBe('rt-echo');
    expect(bobs.clientMsgId).toBe('rt-echo');
    // A later message from Bob reaches a1: had the echo been sent, it would have come first.
    const later = next(a1, 'message:new', (m) => m.clientMsgId === 'rt-echo-reply');
    await call(b, 'message:send', { conversationId, clientMsgId: 'rt-echo-reply', body: 'ok' });
    await later;
    expect(onSender.map((m) => m.clientMsgId)).toEqual(['rt-echo-reply']);
  });

  it('acks a stored message, then delivers it to the other member in real time', async () => {
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const incoming = next(b, 'message:new', (m) => m.clientMsgId === 'rt-1');
    const ack = await call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'rt-1',
      body: 'سلام Bob, see https://example.com ۱۲۳',
    });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.duplicate).toBe(false);
    expect(ack.message).toMatchObject({ conversationId, senderId: alice.user.id, seq: expect.any(Number) });
    const delivered = await incoming;
    expect(delivered).toEqual(ack.message);
    const stored = await t.request(
      'GET',
      `/api/v1/conversations/${conversationId}/messages?after=${ack.message.seq - 1}`,
      {
        token: bob.accessToken,
      },
    );
    expect(stored.body.items[0]).toEqual(ack.message);
  });

  it('answers a retried clientMsgId with the first ack and stores nothing new', async () => {
    const a = await socketOf(alice);
    const first = await call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'rt-dup',
      body: 'once',
    });
    const second = await call<{ message: Message; duplicate: boolean }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'rt-dup',
      body: 'once',
    });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.duplicate).toBe(true);
    expect(second.message).toEqual(first.message);
    const page = await t.request('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, {
      token: alice.accessToken,
    });
    expect(page.body.items.filter((m: Message) => m.clientMsgId === 'rt-dup')).toHaveLength(1);
  });

  it('keeps a non-member out: no send, no events, no sync, no typing, no existence leak', async () => {
    const [a, e] = await Promise.all([socketOf(alice), socketOf(eve)]);
    const seenByEve = collect(e, 'message:new');
    const typingSeenByEve = collect(e, 'typing');
    const refused = await call(e, 'message:send', {
      conversationId,
      clientMsgId: 'eve-1',
      body: 'let me in',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conversation/not_found' } });
    const missing = await call(e, 'message:send', {
      conversationId: '00000000-0000-4000-8000-000000000000',
      clientMsgId: 'eve-2',
      body: 'x',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'conversation/not_found' } });

    e.emit('typing', { conversationId });
    const sync = await call<{ conversations: { conversationId: string }[]; removed: string[] }>(e, 'sync', {
      since: { [conversationId]: 0 },
    });
    expect(sync.ok).toBe(true);
    if (sync.ok) {
      expect(sync.conversations.map((c) => c.conversationId)).not.toContain(conversationId);
      expect(sync.removed).toEqual([conversationId]);
    }
    const ack = await call(a, 'message:send', { conversationId, clientMsgId: 'rt-private', body: 'private' });
    expect(ack.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(seenByEve).toEqual([]);
    expect(typingSeenByEve).toEqual([]);
    const presence = await call<{ presences: unknown[] }>(e, 'presence:query', { userIds: [alice.user.id] });
    expect(presence).toMatchObject({ ok: true, presences: [] });
  });

  it('relays typing to the other members only, and read receipts to the room', async () => {
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const ownTyping = collect(a, 'typing');
    const typing = next(b, 'typing');
    a.emit('typing', { conversationId });
    expect(await typing).toEqual({ conversationId, userId: alice.user.id });

    const sent = await call<{ message: Message }>(a, 'message:send', {
      conversationId,
      clientMsgId: 'rt-read',
      body: 'read me',
    });
    if (!sent.ok) throw new Error('send failed');
    const receipt = next(a, 'read', (r) => r.userId === bob.user.id);
    const read = await call<{ seq: number }>(b, 'read', { conversationId, seq: sent.message.seq });
    expect(read).toEqual({ ok: true, seq: sent.message.seq });
    expect(await receipt).toEqual({ conversationId, userId: bob.user.id, seq: sent.message.seq });
    // Marking an earlier seq never moves the marker back.
    expect(await call(b, 'read', { conversationId, seq: 1 })).toEqual({ ok: true, seq: sent.message.seq });
    expect(ownTyping).toEqual([]);
  });

  it('lets a member who was offline catch up through sync, in order, with nothing missing', async () => {
    const b = await socketOf(bob);
    const before = await call<{ conversations: { conversationId: string; messages: Message[] }[] }>(
      b,
      'sync',
      {
        since: {},
      },
    );
    if (!before.ok) throw new Error('sync failed');
    const lastSeq =
      before.conversations.find((c) => c.conversationId === conversationId)?.messages.at(-1)?.seq ?? 0;
    b.close();

    const a = await socketOf(alice);
    const acked: Message[] = [];
    for (let i = 0; i < 25; i++) {
      const ack = await call<{ message: Message }>(a, 'message:send', {
        conversationId,
        clientMsgId: `offline-${i}`,
        body: `m${i}`,
      });
      if (ack.ok) acked.push(ack.message);
    }
    expect(acked).toHaveLength(25);

    const back = await socketOf(bob);
    const page1 = await call<{
      conversations: { conversationId: string; messages: Message[]; hasMore: boolean }[];
    }>(back, 'sync', { since: { [conversationId]: lastSeq }, limit: 10 });
    if (!page1.ok) throw new Error('sync failed');
    const got: Message[] = [];
    let conv = page1.conversations.find((c) => c.conversationId === conversationId)!;
    got.push(...conv.messages);
    while (conv.hasMore) {
      const more = await call<{
        conversations: { conversationId: string; messages: Message[]; hasMore: boolean }[];
      }>(back, 'sync', { since: { [conversationId]: got.at(-1)!.seq }, limit: 10 });
      if (!more.ok) throw new Error('sync failed');
      conv = more.conversations.find((c) => c.conversationId === conversationId)!;
      got.push(...conv.messages);
    }
    expect(got.map((m) => m.id)).toEqual(acked.map((m) => m.id));
    expect(got.map((m) => m.seq)).toEqual(acked.map((_, i) => acked[0]!.seq + i));
  });

  it('tells contacts when someone comes online and goes offline, with last seen stored', async () => {
    for (const s of open.splice(0)) s.close();
    const presence = t.app.presence.presence;
    await eventually(
      async () => !(await presence.isOnline(bob.user.id)),
      5000,
      'bob offline after earlier tests',
    );
    const a = await socketOf(alice);
    const online = next(a, 'presence', (p) => p.userId === bob.user.id && p.status === 'online');
    const b = await connect(t.url, bob.accessToken);
    expect(await online).toMatchObject({ userId: bob.user.id, status: 'online' });
    const queried = await call<{ presences: { userId: string; status: string }[] }>(a, 'presence:query', {
      userIds: [bob.user.id],
    });
    expect(queried).toMatchObject({ ok: true, presences: [{ userId: bob.user.id, status: 'online' }] });

    const offline = next(a, 'presence', (p) => p.userId === bob.user.id && p.status === 'offline');
    b.close();
    const gone = await offline;
    expect(gone.lastSeenAt).not.toBeNull();
    await eventually(async () => {
      const r = await call<{ presences: { status: string; lastSeenAt: string | null }[] }>(
        a,
        'presence:query',
        {
          userIds: [bob.user.id],
        },
      );
      return r.ok && r.presences[0]?.status === 'offline' && r.presences[0]?.lastSeenAt !== null;
    });
  });

  it('answers malformed payloads with validation errors and survives them', async () => {
    const a = await socketOf(alice);
    for (const payload of [null, 42, 'x', [], {}, { conversationId: 'nope', clientMsgId: 'x', body: 'x' }]) {
      const reply = await call(a, 'message:send', payload);
      expect(reply).toMatchObject({ ok: false, error: { code: 'validation/invalid' } });
    }
    const tooLong = await call(a, 'message:send', {
      conversationId,
      clientMsgId: 'long',
      body: 'ب'.repeat(4001),
    });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'validation/invalid' } });
    const nul = await call(a, 'message:send', { conversationId, clientMsgId: 'nul', body: 'a\u0000b' });
    expect(nul).toMatchObject({ ok: false, error: { code: 'validation/invalid' } });
    const untyped = a as unknown as { emit: (e: string, p: unknown) => void };
    const series = (body: string) =>
      body.split('\n').filter((l) => l.startsWith('realtime_events_rejected_total{'));
    const before = series((await t.request('GET', '/metrics')).body).length;
    // Names made up by the client never become label values: the series do not grow with them.
    for (let i = 0; i < 300; i++) untyped.emit(`no:such:event:${i}:${Math.random()}`, { x: 1 });
    untyped.emit('message:send', { conversationId, clientMsgId: 'no-ack', body: 'fire and forget' });
    await eventually(async () => {
      const m = await t.request('GET', '/metrics');
      return /realtime_events_rejected_total\{event="unknown",reason="unknown_event"\} 300/.test(m.body);
    });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(series(metrics.body).length).toBeLessThanOrEqual(before + 1);
    expect(metrics.body).not.toContain('no:such:event');
    // A send without an ack function is still stored (the client just cannot learn the seq).
    await eventually(async () => {
      const page = await t.request('GET', `/api/v1/conversations/${conversationId}/messages?limit=5`, {
        token: alice.accessToken,
      });
      return page.body.items.some((m: Message) => m.clientMsgId === 'no-ack');
    });
    // Still serving afterwards.
    const ok = await call(a, 'message:send', {
      conversationId,
      clientMsgId: 'after-junk',
      body: 'still here',
    });
    expect(ok.ok).toBe(true);
  });

  it('closes a connection that sends a frame over the size limit, and keeps serving others', async () => {
    const a = await socketOf(alice);
    const closed = new Promise<string>((resolve) => a.once('disconnect', (reason) => resolve(reason)));
    (a as unknown as { emit: (e: string, p: unknown) => void }).emit('message:send', {
      conversationId,
      clientMsgId: 'huge',
      body: 'x'.repeat(200_000),
    });
    expect(await closed).toMatch(/transport (close|error)/);
    const b = await socketOf(bob);
    expect(
      (await call(b, 'message:send', { conversationId, clientMsgId: 'after-huge', body: 'ok' })).ok,
    ).toBe(true);
  });
});

describe.each(BACKENDS)('presence in big groups on %s', (backend) => {
  let t: TestApp;
  const open: ClientSocket[] = [];
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('is broadcast to direct contacts and small groups only; members of a big group ask for it', async () => {
    t = await startTestApp({ backend, env: { PRESENCE_GROUP_LIMIT: '2' } });
    const [alice, bob, carol, dave] = await Promise.all([
      t.signIn(uniquePhone(), 'Alice'),
      t.signIn(uniquePhone(), 'Bob'),
      t.signIn(uniquePhone(), 'Carol'),
      t.signIn(uniquePhone(), 'Dave'),
    ]);
    const create = (token: string, body: object) =>
      t.request('POST', '/api/v1/conversations', { token, body }).then((r) => r.body.id as string);
    const group = await create(alice.accessToken, {
      kind: 'group',
      title: 'big',
      memberIds: [bob.user.id, carol.user.id],
    });
    await create(alice.accessToken, { kind: 'direct', userId: dave.user.id });
    const [b, d] = await Promise.all([connect(t.url, bob.accessToken), connect(t.url, dave.accessToken)]);
    open.push(b, d);
    const onBob = collect(b, 'presence');
    const daveHears = next(d, 'presence', (p) => p.userId === alice.user.id && p.status === 'online');
    const a = await connect(t.url, alice.accessToken);
    open.push(a);
    await daveHears;
    // Events to one socket keep their order: a message sent after Alice's presence was
    // announced reaches Bob after any presence event he was sent.
    const message = next(b, 'message:new', (m) => m.clientMsgId === 'after-presence');
    await call(a, 'message:send', { conversationId: group, clientMsgId: 'after-presence', body: 'hi' });
    await message;
    expect(onBob.filter((p) => p.userId === alice.user.id)).toEqual([]);
    const asked = await call<{ presences: { userId: string; status: string }[] }>(b, 'presence:query', {
      userIds: [alice.user.id],
    });
    expect(asked).toMatchObject({ ok: true, presences: [{ userId: alice.user.id, status: 'online' }] });
  });
});
