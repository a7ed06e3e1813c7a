import { randomUUID } from 'node:crypto';
import type { Conversation, Message } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { type ClientSocket, call, collect, connect, eventually, next } from './support/sockets.js';

const API = '/api/v1/conversations';
type Page = { items: Message[]; nextCursor: number | null };

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(BACKENDS)('messages on %s', (backend) => {
  let t: TestApp;
  const open: ClientSocket[] = [];

  const signIn = (name: string) => t.signIn(uniquePhone(), name);
  const direct = async (a: AuthResult, b: AuthResult) => {
    const res = await t.request('POST', API, {
      token: a.accessToken,
      body: { kind: 'direct', userId: b.user.id },
    });
    return res.body as Conversation;
  };
  const group = async (owner: AuthResult, others: AuthResult[]) => {
    const res = await t.request('POST', API, {
      token: owner.accessToken,
      body: { kind: 'group', title: 'Load', memberIds: others.map((o) => o.user.id) },
    });
    if (res.status !== 201) throw new Error(`group creation failed: ${res.status}`);
    return res.body as Conversation;
  };
  const post = (who: AuthResult, conversationId: string, body: unknown) =>
    t.request('POST', `${API}/${conversationId}/messages`, { token: who.accessToken, body });
  const page = async (who: AuthResult, conversationId: string, query = '') => {
    const res = await t.request('GET', `${API}/${conversationId}/messages${query}`, {
      token: who.accessToken,
    });
    expect(res.status).toBe(200);
    return res.body as Page;
  };
  /** Every stored message of the conversation, walking forward from seq 0. */
  const everything = async (who: AuthResult, conversationId: string) => {
    const all: Message[] = [];
    let after = 0;
    for (;;) {
      const p = await page(who, conversationId, `?after=${after}&limit=100`);
      all.push(...p.items);
      if (p.nextCursor === null) return all;
      after = p.nextCursor;
    }
  };
  const socketOf = async (who: AuthResult) => {
    const s = await connect(t.url, who.accessToken);
    open.push(s);
    return s;
  };
  /** Waits until the server has put the socket in the conversation's room. */
  const inRoom = (socket: ClientSocket, conversationId: string) =>
    eventually(
      () => t.app.gateway!.io.of('/').adapter.rooms.get(`conv:${conversationId}`)?.has(socket.id!) ?? false,
      5000,
      'socket in the conversation room',
    );

  beforeAll(async () => {
    t = await startTestApp({ backend });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  describe('sending over HTTP', () => {
    it('stores a message with its seq, and answers a retry with the identical message', async () => {
      const [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      const conv = await direct(alice, bob);
      const first = await post(alice, conv.id, { clientMsgId: 'c-1', body: 'سلام' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        conversationId: conv.id,
        seq: 1,
        senderId: alice.user.id,
        clientMsgId: 'c-1',
        kind: 'text',
        body: 'سلام',
        editedAt: null,
        deletedAt: null,
      });
      const retry = await post(alice, conv.id, { clientMsgId: 'c-1', body: 'سلام' });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      // A retry carrying a different body still answers with what was stored first.
      const changed = await post(alice, conv.id, { clientMsgId: 'c-1', body: 'something else' });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual(first.body);

      const second = await post(alice, conv.id, { clientMsgId: 'c-2', body: 'دوم' });
      expect(second.status).toBe(201);
      expect(second.body.seq).toBe(2);
      // The same clientMsgId from another sender is another message.
      const fromBob = await post(bob, conv.id, { clientMsgId: 'c-1', body: 'from bob' });
      expect(fromBob.status).toBe(201);
      expect(fromBob.body.seq).toBe(3);
      expect(await everything(bob, conv.id)).toEqual([first.body, second.body, fromBob.body]);
    });

    it('refuses a clientMsgId reused for another conversation instead of answering with the first', async () => {
      const [alice, bob, carol] = await Promise.all([signIn('Alice'), signIn('Bob'), signIn('Carol')]);
      const withBob = await direct(alice, bob);
      const withCarol = await direct(alice, carol);
      expect((await post(alice, withBob.id, { clientMsgId: 'reused', body: 'to bob' })).status).toBe(201);
      const reused = await post(alice, withCarol.id, { clientMsgId: 'reused', body: 'to carol' });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('message/client_id_conflict');
      expect(await everything(carol, withCarol.id)).toEqual([]);
    });
  });

  describe('body rules', () => {
    let alice: AuthResult;
    let bob: AuthResult;
    let conversationId: string;
    const stored: Message[] = [];
    const accept = async (body: string) => {
      const res = await post(alice, conversationId, { clientMsgId: randomUUID(), body });
      expect(res.status).toBe(201);
      stored.push(res.body);
      return res.body as Message;
    };
    const refuse = async (payload: unknown, status = 400, code = 'validation/invalid') => {
      const res = await post(alice, conversationId, payload);
      expect({ payload, status: res.status, code: res.body?.error?.code }).toEqual({ payload, status, code });
    };

    beforeAll(async () => {
      [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      conversationId = (await direct(alice, bob)).id;
    });

    it('counts length in characters: 4000 Persian letters or emoji pass, 4001 do not', async () => {
      const persian = 'ب'.repeat(4000);
      expect((await accept(persian)).body).toBe(persian);
      await refuse({ clientMsgId: 'long-fa', body: 'ب'.repeat(4001) });
      const emoji = '😀'.repeat(4000);
      expect(emoji.length).toBe(8000);
      expect((await accept(emoji)).body).toBe(emoji);
      await refuse({ clientMsgId: 'long-emoji', body: '😀'.repeat(4001) });
      const mixed = `${'س'.repeat(3999)}🌹`;
      expect((await accept(mixed)).body).toBe(mixed);
    });

    it('refuses blank bodies and NUL characters', async () => {
      await refuse({ clientMsgId: 'blank', body: '   ' });
      await refuse({ clientMsgId: 'blank-nl', body: '\n\t ' });
      await refuse({ clientMsgId: 'empty', body: '' });
      await refuse({ clientMsgId: 'nul', body: '\u0000' });
      await refuse({ clientMsgId: 'nul-inside', body: 'a\u0000b' });
    });

    it('refuses a lone surrogate rather than storing it changed (U+FFFD)', async () => {
      await refuse({ clientMsgId: 'lone-high', body: 'سلام \ud83d' });
      await refuse({ clientMsgId: 'lone-low', body: '\udc00' });
      const whole = 'سلام 👋🏽';
      expect((await accept(whole)).body).toBe(whole);
    });

    it('stores NFD input as NFC', async () => {
      const latin = 'Caf' + 'e\u0301';
      const saved = await accept(latin);
      expect(saved.body).toBe(latin.normalize('NFC'));
      expect(saved.body).toBe('Café');
      expect(saved.body).not.toBe(latin);
      // آب (water), written as alef + combining madda.
      const persian = 'ا\u0653ب';
      const savedFa = await accept(persian);
      expect(savedFa.body).toBe(persian.normalize('NFC'));
      expect(savedFa.body).toBe('\u0622ب');
      const history = await everything(bob, conversationId);
      expect(history.find((m) => m.id === saved.id)?.body).toBe('Café');
      expect(history.find((m) => m.id === savedFa.id)?.body).toBe('آب');
    });

    it('keeps HTML exactly as written', async () => {
      for (const body of [
        '<script>alert(1)</script>',
        '<b>x</b>',
        '&lt;b&gt; & <img src=x onerror=alert(1)>',
      ]) {
        const res = await post(alice, conversationId, { clientMsgId: randomUUID(), body });
        expect(res.status).toBe(201);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body.body).toBe(body);
        stored.push(res.body);
        const history = await page(bob, conversationId, `?after=${res.body.seq - 1}&limit=1`);
        expect(history.items[0]?.body).toBe(body);
      }
    });

    it('refuses malformed requests', async () => {
      await refuse({});
      await refuse({ body: 'no id' });
      await refuse({ clientMsgId: 'no-body' });
      await refuse({ clientMsgId: 5, body: 'x' });
      await refuse({ clientMsgId: 'x', body: 5 });
      await refuse({ clientMsgId: 'x', body: null });
      await refuse({ clientMsgId: 'x', body: ['x'] });
      await refuse({ clientMsgId: 'x', body: { text: 'x' } });
      await refuse([{ clientMsgId: 'x', body: 'x' }]);
      await refuse('just a string');
      await refuse({ clientMsgId: 'a'.repeat(65), body: 'x' });
      for (const clientMsgId of ['', 'a b', 'a/b', 'سلام', 'a\nb', '<x>', 'a%b']) {
        await refuse({ clientMsgId, body: 'x' });
      }
      // The longest id and every allowed character pass.
      const longest = `${'a'.repeat(60)}_-.:`;
      expect(longest).toHaveLength(64);
      const ok = await post(alice, conversationId, { clientMsgId: longest, body: 'ok' });
      expect(ok.status).toBe(201);
      expect(ok.body.clientMsgId).toBe(longest);
      stored.push(ok.body);
    });

    it('refuses bodies that are not JSON, too large, or of another media type', async () => {
      const path = `${API}/${conversationId}/messages`;
      const notJson = await t.request('POST', path, {
        token: alice.accessToken,
        raw: '{"clientMsgId": "x", "body": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(400);
      expect(notJson.body.error.code).toBe('validation/invalid');

      const huge = await t.request('POST', path, {
        token: alice.accessToken,
        body: { clientMsgId: 'huge', body: 'x'.repeat(100_000) },
      });
      expect(huge.status).toBe(413);
      expect(huge.body.error.code).toBe('http/payload_too_large');

      const text = await t.request('POST', path, {
        token: alice.accessToken,
        raw: JSON.stringify({ clientMsgId: 'as-text', body: 'plain' }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe('http/unsupported_media_type');

      const form = await t.request('POST', path, {
        token: alice.accessToken,
        raw: 'clientMsgId=form&body=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
      expect(form.body.error.code).toBe('http/unsupported_media_type');
    });

    it('stored exactly the accepted messages and nothing refused', async () => {
      const history = await everything(bob, conversationId);
      expect(history).toEqual(stored);
      expect(history.map((m) => m.seq)).toEqual(range(1, stored.length));
    });
  });

  describe('history', () => {
    let alice: AuthResult;
    let conversationId: string;
    const sent: Message[] = [];

    beforeAll(async () => {
      let bob: AuthResult;
      [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      conversationId = (await direct(alice, bob)).id;
      for (let i = 1; i <= 120; i++) {
        const res = await post(i % 3 === 0 ? bob : alice, conversationId, {
          clientMsgId: `h-${i}`,
          body: `m${i}`,
        });
        if (res.status !== 201) throw new Error(`send ${i} failed: ${res.status}`);
        sent.push(res.body);
      }
    });

    it('pages backwards from the newest 50 until the cursor runs out', async () => {
      expect(sent.map((m) => m.seq)).toEqual(range(1, 120));
      const newest = await page(alice, conversationId);
      expect(newest.items.map((m) => m.seq)).toEqual(range(71, 120));
      expect(newest.items).toEqual(sent.slice(70));
      expect(newest.nextCursor).toBe(71);

      const seen = [...newest.items];
      const cursors: (number | null)[] = [newest.nextCursor];
      let cursor = newest.nextCursor;
      while (cursor !== null && cursors.length < 10) {
        const older = await page(alice, conversationId, `?before=${cursor}`);
        expect(older.items.map((m) => m.seq)).toEqual(
          [...older.items.map((m) => m.seq)].sort((a, b) => a - b),
        );
        seen.unshift(...older.items);
        cursor = older.nextCursor;
        cursors.push(cursor);
      }
      expect(cursors).toEqual([71, 21, null]);
      expect(seen.map((m) => m.seq)).toEqual(range(1, 120));
      expect(seen).toEqual(sent);

      const small = await page(alice, conversationId, '?before=5&limit=3');
      expect(small.items.map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
      expect(small.nextCursor).toBe(2);
    });

    it('reads paging numbers written in Persian or Arabic-Indic digits', async () => {
      const persian = await page(
        alice,
        conversationId,
        `?before=${encodeURIComponent('۵')}&limit=${encodeURIComponent('۳')}`,
      );
      expect(persian.items.map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
      const arabic = await page(alice, conversationId, `?after=${encodeURIComponent('١١٧')}`);
      expect(arabic.items.map((m) => m.seq)).toEqual([118, 119, 120]);
    });

    it('walks forward with after', async () => {
      const first = await page(alice, conversationId, '?after=0&limit=100');
      expect(first.items.map((m) => m.seq)).toEqual(range(1, 100));
      expect(first.nextCursor).toBe(100);
      const rest = await page(alice, conversationId, `?after=${first.nextCursor}&limit=100`);
      expect(rest.items.map((m) => m.seq)).toEqual(range(101, 120));
      expect(rest.nextCursor).toBeNull();
      expect([...first.items, ...rest.items]).toEqual(sent);
      const end = await page(alice, conversationId, '?after=120');
      expect(end).toEqual({ items: [], nextCursor: null });
    });

    it('refuses bad paging parameters', async () => {
      for (const query of [
        '?before=50&after=10',
        '?limit=101',
        '?limit=0',
        '?before=-1',
        '?before=abc',
        '?after=-1',
        '?after=1.5',
        `?before=${Number.MAX_SAFE_INTEGER}0`,
      ]) {
        const res = await t.request('GET', `${API}/${conversationId}/messages${query}`, {
          token: alice.accessToken,
        });
        expect({ query, status: res.status, code: res.body?.error?.code }).toEqual({
          query,
          status: 400,
          code: 'validation/invalid',
        });
      }
      expect((await page(alice, conversationId, '?limit=100')).items).toHaveLength(100);
    });
  });

  describe('seq under concurrency', () => {
    const SENDERS = 6;
    const PER_SENDER = 40;
    let people: AuthResult[];

    beforeAll(async () => {
      people = await Promise.all(range(1, SENDERS).map((i) => signIn(`Member ${i}`)));
    });

    /** The stored history is exactly seqs 1..n, each reply among it once, ids and seqs agreeing. */
    /** Messages stored by group commits, their statements, and failed ones, from /metrics. */
    const batchFigures = async () => {
      const text = await fetch(`${t.url}/metrics`).then((r) => r.text());
      const sum = (pattern: RegExp) =>
        [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
      return {
        stored: sum(/^message_batch_size_sum ([\d.]+)$/gm),
        batches: sum(/^message_batch_size_count ([\d.]+)$/gm),
        failed: sum(/^message_batch_failures_total\{[^}]*\} ([\d.]+)$/gm),
      };
    };
    const expectGapFree = async (conversationId: string, replies: Message[]) => {
      const n = SENDERS * PER_SENDER;
      expect(replies).toHaveLength(n);
      expect(replies.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1, n));
      const history = await everything(people[0]!, conversationId);
      expect(history.map((m) => m.seq)).toEqual(range(1, n));
      const byId = new Map(history.map((m) => [m.id, m]));
      expect(byId.size).toBe(n);
      for (const reply of replies) expect(byId.get(reply.id)).toEqual(reply);
      return history;
    };

    it('gives 240 concurrent HTTP sends the seqs 1..240 with no gap or duplicate', async () => {
      const conv = await group(people[0]!, people.slice(1));
      const requests = people.flatMap((who, p) =>
        range(1, PER_SENDER).map((i) =>
          post(who, conv.id, { clientMsgId: `burst-${i}`, body: `p${p} #${i}` }),
        ),
      );
      const before = await batchFigures();
      const replies = await Promise.all(requests);
      expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
      await expectGapFree(
        conv.id,
        replies.map((r) => r.body as Message),
      );
      // Stored by group commits (a broken batch statement would fall back to one by one and
      // still pass the checks above): most messages went in batches, none of which failed.
      const after = await batchFigures();
      expect(after.failed).toBe(before.failed);
      expect(after.stored - before.stored).toBeGreaterThan((SENDERS * PER_SENDER) / 2);
      expect(after.batches - before.batches).toBeLessThan(SENDERS * PER_SENDER);
    });

    it('keeps each sender’s order when senders send one after another, in parallel with each other', async () => {
      const conv = await group(people[0]!, people.slice(1));
      const perSender = await Promise.all(
        people.map(async (who, p) => {
          const mine: Message[] = [];
          for (let i = 1; i <= PER_SENDER; i++) {
            const res = await post(who, conv.id, { clientMsgId: `ordered-${i}`, body: `p${p} #${i}` });
            if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
            mine.push(res.body);
          }
          return mine;
        }),
      );
      const history = await expectGapFree(conv.id, perSender.flat());
      for (const [p, who] of people.entries()) {
        const theirs = history.filter((m) => m.senderId === who.user.id).map((m) => m.body);
        expect(theirs).toEqual(range(1, PER_SENDER).map((i) => `p${p} #${i}`));
        const seqs = perSender[p]!.map((m) => m.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    });

    it('gives 240 concurrent Socket.IO sends from 3 sockets per member the seqs 1..240', async () => {
      const conv = await group(people[0]!, people.slice(1));
      const sockets = await Promise.all(people.map((who) => Promise.all([1, 2, 3].map(() => socketOf(who)))));
      const watcher = sockets[1]![0]!;
      await inRoom(watcher, conv.id);
      const delivered = collect(watcher, 'message:new');
      const acks = await Promise.all(
        people.flatMap((_, p) =>
          range(1, PER_SENDER).map((i) =>
            call<{ message: Message; duplicate: boolean }>(sockets[p]![i % 3]!, 'message:send', {
              conversationId: conv.id,
              clientMsgId: `socket-${i}`,
              body: `p${p} #${i}`,
            }),
          ),
        ),
      );
      const failed = acks.filter((a) => !a.ok);
      expect(failed).toEqual([]);
      const messages = acks.map((a) => (a.ok ? a.message : undefined)).filter((m) => m !== undefined);
      expect(acks.every((a) => a.ok && !a.duplicate)).toBe(true);
      await expectGapFree(conv.id, messages);
      // A member socket hears each message exactly once: live, or in the ack of one it sent
      // (acks are in people order, PER_SENDER each; the watcher sent person 1's i % 3 === 0).
      const own = acks
        .slice(PER_SENDER, 2 * PER_SENDER)
        .filter((_, n) => (n + 1) % 3 === 0)
        .map((a) => (a.ok ? a.message : undefined));
      await eventually(
        () => delivered.length >= messages.length - own.length,
        10_000,
        'all message:new events',
      );
      const heard = [...delivered, ...own];
      expect(heard.map((m) => m?.seq).sort((a, b) => a! - b!)).toEqual(range(1, messages.length));
      for (const s of sockets.flat()) s.close();
    });

    it('numbers a burst over many conversations per conversation: each 1..n, every message once, in its own', async () => {
      // Batches then hold several conversations with several messages each: every message must
      // get its own conversation's next seq, whatever the mix.
      const hub = await signIn('Hub');
      const others = await Promise.all(range(1, 5).map((i) => signIn(`Spoke ${i}`)));
      const conversations = await Promise.all(others.map((other) => direct(hub, other)));
      const PER = 12;
      const sends = conversations.flatMap((conv, c) =>
        range(1, PER).map((i) => ({ conv, who: i % 2 === 0 ? hub : others[c]!, i })),
      );
      // Interleaved: the conversations' messages arrive mixed, as they would from many people.
      sends.sort((a, b) => a.i - b.i);
      const before = await batchFigures();
      const replies = await Promise.all(
        sends.map(({ conv, who, i }) =>
          post(who, conv.id, { clientMsgId: `mix-${conv.id}-${i}`, body: `${conv.id} #${i}` }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
      for (const conv of conversations) {
        const history = await everything(hub, conv.id);
        expect(history.map((m) => m.seq)).toEqual(range(1, PER));
        expect(history.every((m) => m.conversationId === conv.id && m.body?.startsWith(conv.id))).toBe(true);
        for (const who of [hub, ...others]) {
          const theirs = history.filter((m) => m.senderId === who.user.id).map((m) => m.body);
          const sent = sends.filter((s) => s.conv === conv && s.who === who).map((s) => `${conv.id} #${s.i}`);
          expect(theirs.sort()).toEqual(sent.sort());
        }
      }
      const after = await batchFigures();
      expect(after.failed).toBe(before.failed);
      // On PostgreSQL the burst shares batches (PGlite, one connection, stores them nearly one by one).
      if (backend === 'postgres') expect(after.batches - before.batches).toBeLessThan(sends.length);
    });

    it('stores the members’ messages and refuses the outsider’s when both arrive in one burst', async () => {
      const [owner, member, outsider] = await Promise.all([
        signIn('Owner'),
        signIn('Member'),
        signIn('Outsider'),
      ]);
      const conv = await group(owner, [member]);
      const sends = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i % 3 === 2
            ? post(outsider, conv.id, { clientMsgId: `out-${i}`, body: `x${i}` })
            : post(i % 3 === 0 ? owner : member, conv.id, { clientMsgId: `in-${i}`, body: `m${i}` }),
        ),
      );
      expect(sends.filter((r) => r.status === 201)).toHaveLength(20);
      expect(sends.filter((r) => r.status === 404).map((r) => r.body.error.code)).toEqual(
        Array.from({ length: 10 }, () => 'conversation/not_found'),
      );
      const stored = await everything(owner, conv.id);
      expect(stored.map((m) => m.seq)).toEqual(range(1, 20));
      expect(stored.every((m) => m.senderId !== outsider.user.id)).toBe(true);
    });

    it('stores one message for 20 concurrent sends of the same clientMsgId', async () => {
      const [alice, bob] = people as [AuthResult, AuthResult];
      const conv = await direct(alice, bob);
      await post(alice, conv.id, { clientMsgId: 'before-dup', body: 'first' });
      const replies = await Promise.all(
        range(1, 20).map(() => post(alice, conv.id, { clientMsgId: 'dup', body: 'only once' })),
      );
      expect(replies.map((r) => r.status).sort()).toEqual([...range(1, 19).map(() => 200), 201]);
      const ids = new Set(replies.map((r) => r.body.id as string));
      expect(ids.size).toBe(1);
      for (const r of replies) expect(r.body).toEqual(replies[0]!.body);
      expect(replies[0]!.body.seq).toBe(2);
      // The retries took no seq: the next message follows directly.
      const after = await post(bob, conv.id, { clientMsgId: 'after-dup', body: 'next' });
      expect(after.body.seq).toBe(3);
      const history = await everything(alice, conv.id);
      expect(history.map((m) => [m.seq, m.clientMsgId])).toEqual([
        [1, 'before-dup'],
        [2, 'dup'],
        [3, 'after-dup'],
      ]);
      expect(history[1]!.id).toBe([...ids][0]);

      // The same over Socket.IO: every ack carries the one stored message.
      const sockets = await Promise.all([socketOf(alice), socketOf(alice)]);
      const acks = await Promise.all(
        range(1, 20).map((i) =>
          call<{ message: Message; duplicate: boolean }>(sockets[i % 2]!, 'message:send', {
            conversationId: conv.id,
            clientMsgId: 'dup-socket',
            body: 'only once',
          }),
        ),
      );
      const okAcks = acks.filter((a) => a.ok);
      expect(okAcks).toHaveLength(20);
      expect(okAcks.filter((a) => !a.duplicate)).toHaveLength(1);
      expect(new Set(okAcks.map((a) => a.message.id)).size).toBe(1);
      expect(okAcks[0]!.message.seq).toBe(4);
      expect((await everything(bob, conv.id)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    });
  });

  describe('edit and delete', () => {
    let alice: AuthResult;
    let bob: AuthResult;
    let conversationId: string;
    let bobSocket: ClientSocket;
    const path = (messageId: string) => `${API}/${conversationId}/messages/${messageId}`;

    beforeAll(async () => {
      [alice, bob] = await Promise.all([signIn('Alice'), signIn('Bob')]);
      conversationId = (await direct(alice, bob)).id;
      bobSocket = await socketOf(bob);
      await inRoom(bobSocket, conversationId);
    });

    it('edits an own message and tells the other member', async () => {
      const sent = (await post(alice, conversationId, { clientMsgId: 'e-1', body: 'helo' })).body as Message;
      const updated = next(bobSocket, 'message:updated', (m) => m.id === sent.id);
      const edited = await t.request('PATCH', path(sent.id), {
        token: alice.accessToken,
        body: { body: 'hello e\u0301' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toEqual({ ...sent, body: 'hello é', editedAt: expect.any(String) });
      expect(Number.isNaN(Date.parse(edited.body.editedAt))).toBe(false);
      expect(await updated).toEqual(edited.body);
      const history = await page(bob, conversationId, `?after=${sent.seq - 1}&limit=1`);
      expect(history.items).toEqual([edited.body]);

      const blank = await t.request('PATCH', path(sent.id), {
        token: alice.accessToken,
        body: { body: ' ' },
      });
      expect(blank.status).toBe(400);
    });

    it('refuses editing or deleting another’s message, and unknown ids', async () => {
      const sent = (await post(alice, conversationId, { clientMsgId: 'e-2', body: 'mine' })).body as Message;
      const edit = await t.request('PATCH', path(sent.id), {
        token: bob.accessToken,
        body: { body: 'yours now' },
      });
      expect(edit.status).toBe(403);
      expect(edit.body.error.code).toBe('message/forbidden');
      const del = await t.request('DELETE', path(sent.id), { token: bob.accessToken });
      expect(del.status).toBe(403);
      expect(del.body.error.code).toBe('message/forbidden');

      const unknown = randomUUID();
      const editUnknown = await t.request('PATCH', path(unknown), {
        token: alice.accessToken,
        body: { body: 'x' },
      });
      expect(editUnknown.status).toBe(404);
      expect(editUnknown.body.error.code).toBe('message/not_found');
      const deleteUnknown = await t.request('DELETE', path(unknown), { token: alice.accessToken });
      expect(deleteUnknown.status).toBe(404);
      expect(deleteUnknown.body.error.code).toBe('message/not_found');

      // A message of another conversation is unknown here, even to its sender.
      const carol = await signIn('Carol');
      const elsewhere = await direct(alice, carol);
      const other = (await post(alice, elsewhere.id, { clientMsgId: 'e-elsewhere', body: 'x' }))
        .body as Message;
      const crossEdit = await t.request('PATCH', path(other.id), {
        token: alice.accessToken,
        body: { body: 'y' },
      });
      expect(crossEdit.status).toBe(404);
      expect(crossEdit.body.error.code).toBe('message/not_found');

      const history = await everything(alice, conversationId);
      expect(history.find((m) => m.id === sent.id)).toEqual(sent);
      expect((await everything(carol, elsewhere.id)).map((m) => m.body)).toEqual(['x']);
    });

    it('deletes an own message: its place stays, its body goes, and deleting again changes nothing', async () => {
      const sent = (await post(alice, conversationId, { clientMsgId: 'e-3', body: 'oops' })).body as Message;
      const deletedEvent = next(bobSocket, 'message:deleted', (e) => e.id === sent.id);
      const del = await t.request('DELETE', path(sent.id), { token: alice.accessToken });
      expect(del.status).toBe(204);
      expect(del.body).toBeNull();
      const event = await deletedEvent;
      expect(event).toEqual({ conversationId, id: sent.id, seq: sent.seq, deletedAt: expect.any(String) });

      const history = await page(bob, conversationId, `?after=${sent.seq - 1}&limit=1`);
      expect(history.items).toEqual([{ ...sent, body: null, deletedAt: event.deletedAt }]);

      const again = await t.request('DELETE', path(sent.id), { token: alice.accessToken });
      expect(again.status).toBe(204);
      const edit = await t.request('PATCH', path(sent.id), {
        token: alice.accessToken,
        body: { body: 'revive' },
      });
      expect(edit.status).toBe(409);
      expect(edit.body.error.code).toBe('message/deleted');
      const still = await page(bob, conversationId, `?after=${sent.seq - 1}&limit=1`);
      expect(still.items).toEqual(history.items);

      // The retry of a deleted message answers with it as it is now.
      const retry = await post(alice, conversationId, { clientMsgId: 'e-3', body: 'oops' });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(history.items[0]);
    });
  });
});
