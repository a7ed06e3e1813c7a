import {
  type Conversation,
  findHighlights,
  normalizeForSearch,
  type SearchMessagesPage,
  searchWords,
} from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchRepository } from '../src/modules/search/search.repository.js';
import { queryRows } from '../src/platform/db/client.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/sockets.js';

const API = '/api/v1/conversations';
const SEARCH = '/api/v1/search/messages';

/** Inputs the TypeScript and the SQL normalisation must agree on, each with what it becomes. */
const NORMALISATION: [input: string, expected: string][] = [
  ['علي', 'علی'],
  ['عليرضا', 'علیرضا'],
  ['موسى', 'موسی'],
  ['مسئله', 'مسیله'],
  ['كتاب', 'کتاب'],
  ['مدرسة', 'مدرسه'],
  ['خانۀ ما', 'خانه ما'],
  ['أحمد إبراهيم ٱلآن', 'احمد ابراهیم الان'],
  ['مؤمن', 'مومن'],
  ['۰۱۲۳۴۵۶۷۸۹', '0123456789'],
  ['٠١٢٣٤٥٦٧٨٩', '0123456789'],
  ['0123456789', '0123456789'],
  ['سفارش ۱۲۳ و ١٢٣ و 123', 'سفارش 123 و 123 و 123'],
  ['می\u200cروم', 'میروم'],
  ['می\u200dروم', 'میروم'],
  ['\u200fسلام\u200e', 'سلام'],
  ['ســـلام', 'سلام'],
  ['كِتابٌ مُحَمَّدٍ', 'کتاب محمد'],
  ['هذا\u0670', 'هذا'],
  ['سلام\u0654\u0655', 'سلام'],
  ['\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652', ''],
  ['Hello WORLD MiXeD', 'hello world mixed'],
  ['ÉCOLE Ünİ', 'école üni'],
  ['emoji 😀 و علامت؟ ، !', 'emoji 😀 و علامت؟ ، !'],
  ['سلام دنیا', 'سلام دنیا'],
  ['', ''],
];

describe('normalizeForSearch', () => {
  it.each(NORMALISATION)('normalises %j to %j', (input, expected) => {
    expect(normalizeForSearch(input)).toBe(expected);
  });

  it('finds the words of a body as written, whatever letters the query used', () => {
    const body = 'علی كتاب را آورد';
    const ranges = findHighlights(body, searchWords('علي کتا'));
    expect(ranges.map(([s, e]) => body.slice(s, e))).toEqual(['علی', 'كتاب']);
  });

  it('covers marks and ZWNJ inside a word and maps offsets past astral characters', () => {
    const body = '😀 می‌رومِ 😀 abc';
    const ranges = findHighlights(body, searchWords('میروم ab'));
    expect(ranges.map(([s, e]) => body.slice(s, e))).toEqual(['می‌رومِ', 'abc']);
  });
});

describe.each(BACKENDS)('search on %s', (backend) => {
  let t: TestApp;
  const signIn = (name: string) => t.signIn(uniquePhone(), name);
  const direct = async (a: AuthResult, b: AuthResult) =>
    (await t.request('POST', API, { token: a.accessToken, body: { kind: 'direct', userId: b.user.id } }))
      .body as Conversation;
  const group = async (owner: AuthResult, others: AuthResult[]) => {
    const res = await t.request('POST', API, {
      token: owner.accessToken,
      body: { kind: 'group', title: 'Search', memberIds: others.map((o) => o.user.id) },
    });
    expect(res.status).toBe(201);
    return res.body as Conversation;
  };
  let sent = 0;
  const post = async (who: AuthResult, conversationId: string, body: string) => {
    sent += 1;
    const res = await t.request('POST', `${API}/${conversationId}/messages`, {
      token: who.accessToken,
      body: { clientMsgId: `search-${sent}`, body },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; seq: number };
  };
  const search = async (who: AuthResult, q: string, extra = '') => {
    const res = await t.request('GET', `${SEARCH}?q=${encodeURIComponent(q)}${extra}`, {
      token: who.accessToken,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as SearchMessagesPage;
  };
  const bodies = async (who: AuthResult, q: string, extra = '') =>
    (await search(who, q, extra)).items.map((i) => i.body);
  /** Runs the indexer's sweeps until nothing is left to index. */
  const indexed = () => t.app.search.indexer.catchUp();

  beforeAll(async () => {
    t = await startTestApp({ backend });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('normalises in SQL exactly as normalizeForSearch does', async () => {
    const inputs = NORMALISATION.map(([input]) => input);
    const inSql: string[] = [];
    for (const input of inputs) {
      const [row] = await queryRows<{ out: string }>(
        t.app.database.db,
        sql`select abrik_search_normalize(${input}::text) as out`,
      );
      inSql.push(row!.out);
    }
    expect(inSql).toEqual(inputs.map(normalizeForSearch));
  });

  it('finds a Persian word written with Arabic yeh and kaf, digits in any script, across ZWNJ and diacritics', async () => {
    const [ali, sara] = await Promise.all([signIn('Ali'), signIn('Sara')]);
    const conv = await direct(ali, sara);
    await post(ali, conv.id, 'علی کتاب را آورد');
    await post(ali, conv.id, 'سفارش ۴۵۶۷ رسید');
    await post(ali, conv.id, 'من می‌روم خانه');
    await post(ali, conv.id, 'كِتابٌ قدیمی');
    await indexed();

    const found = await search(sara, 'علي');
    expect(found.items.map((i) => i.body)).toEqual(['علی کتاب را آورد']);
    expect(found.items[0]).toMatchObject({
      conversationId: conv.id,
      seq: 1,
      senderId: ali.user.id,
      senderName: 'Ali',
    });
    expect(found.items[0]!.highlights).toEqual([[0, 3]]);
    // Newest first; the kaf of the query is Arabic, one body has it Arabic with harakat.
    expect(await bodies(sara, 'كتاب')).toEqual(['كِتابٌ قدیمی', 'علی کتاب را آورد']);
    expect(await bodies(sara, 'کتاب')).toEqual(['كِتابٌ قدیمی', 'علی کتاب را آورد']);
    for (const digits of ['4567', '۴۵۶۷', '٤٥٦٧', '45']) {
      expect(await bodies(sara, digits), digits).toEqual(['سفارش ۴۵۶۷ رسید']);
    }
    expect(await bodies(sara, 'میروم')).toEqual(['من می‌روم خانه']);
    expect(await bodies(sara, 'می‌روم')).toEqual(['من می‌روم خانه']);
    // Every word must match (as a prefix).
    expect(await bodies(sara, 'علی آور')).toEqual(['علی کتاب را آورد']);
    expect(await bodies(sara, 'علی خانه')).toEqual([]);
  });

  it('reads the query as words only: tsquery syntax is matched literally, never interpreted', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const conv = await direct(a, b);
    await post(a, conv.id, "it's a test | of & syntax");
    await indexed();
    for (const q of ["it's", "'test':* | !syn", 'test & (', '\\test', 'of:*']) {
      expect((await search(b, q)).items.length, q).toBe(1);
    }
    expect(await bodies(b, '!nothing | test')).toEqual([]);
  });

  it('answers any text with results or a 400, never a server error', async () => {
    const me = await signIn('F');
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.toWellFormed()),
      fc
        .array(
          fc.constantFrom(
            "'",
            '\\',
            ':',
            '*',
            '&',
            '|',
            '!',
            '(',
            ')',
            '<->',
            ' ',
            'ي',
            'ك',
            '۱',
            '\u200c',
            '\u0000',
            'a',
          ),
          {
            maxLength: 30,
          },
        )
        .map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (q) => {
        const res = await t.request('GET', `${SEARCH}?q=${encodeURIComponent(q)}`, { token: me.accessToken });
        expect([200, 400], `${JSON.stringify(q)} → ${res.status} ${JSON.stringify(res.body)}`).toContain(
          res.status,
        );
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });

  it('refuses a query that is empty, too long or has no word in it', async () => {
    const me = await signIn('Q');
    for (const q of ['', '   ', '!!! ???', 'x'.repeat(101)]) {
      const res = await t.request('GET', `${SEARCH}?q=${encodeURIComponent(q)}`, { token: me.accessToken });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('validation/invalid');
    }
    const missing = await t.request('GET', SEARCH, { token: me.accessToken });
    expect(missing.status).toBe(400);
    const badCursor = await t.request('GET', `${SEARCH}?q=a&cursor=bm9wZQ`, { token: me.accessToken });
    expect(badCursor.status).toBe(400);
    const anonymous = await t.request('GET', `${SEARCH}?q=a`);
    expect(anonymous.status).toBe(401);
  });

  it('searches only conversations the caller is a member of now', async () => {
    const [owner, member, outsider] = await Promise.all([signIn('O'), signIn('M'), signIn('X')]);
    const conv = await group(owner, [member]);
    await post(owner, conv.id, 'زرافه‌ها در باغ');
    await indexed();
    expect(await bodies(member, 'زرافه')).toEqual(['زرافه‌ها در باغ']);
    expect(await bodies(outsider, 'زرافه')).toEqual([]);
    const elsewhere = await t.request(
      'GET',
      `${SEARCH}?q=${encodeURIComponent('زرافه')}&conversationId=${conv.id}`,
      {
        token: outsider.accessToken,
      },
    );
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe('conversation/not_found');

    const removed = await t.request('DELETE', `${API}/${conv.id}/members/${member.user.id}`, {
      token: owner.accessToken,
    });
    expect(removed.status).toBe(204);
    expect(await bodies(member, 'زرافه')).toEqual([]);
    const inside = await t.request(
      'GET',
      `${SEARCH}?q=${encodeURIComponent('زرافه')}&conversationId=${conv.id}`,
      {
        token: member.accessToken,
      },
    );
    expect(inside.status).toBe(404);
  });

  it('limits a search to one conversation with conversationId', async () => {
    const [a, b, c] = await Promise.all([signIn('A'), signIn('B'), signIn('C')]);
    const one = await direct(a, b);
    const two = await direct(a, c);
    await post(a, one.id, 'پرتقال یک');
    await post(a, two.id, 'پرتقال دو');
    await indexed();
    expect(await bodies(a, 'پرتقال')).toEqual(['پرتقال دو', 'پرتقال یک']);
    expect(await bodies(a, 'پرتقال', `&conversationId=${one.id}`)).toEqual(['پرتقال یک']);
  });

  it('leaves out deleted messages and those the caller hid for themselves, and follows edits', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const conv = await direct(a, b);
    const gone = await post(a, conv.id, 'هندوانه اول');
    const hidden = await post(a, conv.id, 'هندوانه دوم');
    const edited = await post(a, conv.id, 'هندوانه سوم');
    await indexed();
    expect(await bodies(b, 'هندوانه')).toHaveLength(3);

    const deleted = await t.request('DELETE', `${API}/${conv.id}/messages/${gone.id}`, {
      token: a.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect(await bodies(b, 'هندوانه')).toEqual(['هندوانه سوم', 'هندوانه دوم']);
    // Its entry leaves the index too.
    await eventually(
      async () =>
        (await queryRows(t.app.database.db, sql`select 1 from message_search where message_id = ${gone.id}`))
          .length === 0,
      5000,
      'the deleted message out of the index',
    );

    await t.app.database.db.execute(
      sql`insert into hidden_messages (user_id, message_id, conversation_id) values (${b.user.id}, ${hidden.id}, ${conv.id})`,
    );
    expect(await bodies(b, 'هندوانه')).toEqual(['هندوانه سوم']);
    expect(await bodies(a, 'هندوانه')).toEqual(['هندوانه سوم', 'هندوانه دوم']);

    const edit = await t.request('PATCH', `${API}/${conv.id}/messages/${edited.id}`, {
      token: a.accessToken,
      body: { body: 'خربزه سوم' },
    });
    expect(edit.status).toBe(200);
    await eventually(async () => (await bodies(b, 'خربزه')).length === 1, 5000, 'the edit re-indexed');
    expect(await bodies(b, 'هندوانه')).toEqual([]);
  });

  it('pages newest first with a cursor, each message once', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const conv = await direct(a, b);
    for (let i = 1; i <= 7; i++) await post(a, conv.id, `گیلاس شماره ${i}`);
    await post(a, conv.id, 'چیز دیگر');
    await indexed();
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: SearchMessagesPage = await search(
        b,
        'گیلاس',
        `&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('catches up with messages written while the indexer was stopped', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const conv = await direct(a, b);
    await t.app.search.indexer.stop();
    try {
      for (let i = 1; i <= 5; i++) await post(a, conv.id, `انار ${i}`);
      expect(await bodies(b, 'انار')).toEqual([]);
    } finally {
      t.app.search.indexer.start();
    }
    await eventually(async () => (await bodies(b, 'انار')).length === 5, 10_000, 'the indexer to catch up');
    const [progress] = await queryRows<{ indexed_seq: string | number }>(
      t.app.database.db,
      sql`select indexed_seq from message_search_progress where conversation_id = ${conv.id}`,
    );
    expect(Number(progress?.indexed_seq)).toBe(5);
  });

  it('indexes only text: the notes beside a support conversation never enter the index', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const conv = await direct(a, b);
    await post(a, conv.id, 'متن عادی');
    const [notes] = await queryRows<{ id: string }>(
      t.app.database.db,
      sql`insert into conversations (kind, last_seq) values ('notes', 1) returning id`,
    );
    await t.app.database.db.execute(
      sql`insert into members (conversation_id, user_id, role) values (${notes!.id}, ${a.user.id}, 'member')`,
    );
    await t.app.database.db.execute(sql`
      insert into messages (conversation_id, seq, sender_id, kind, body)
      values (${notes!.id}, 1, ${a.user.id}, 'text', 'یادداشت محرمانه')`);
    await indexed();
    expect(await bodies(a, 'محرمانه')).toEqual([]);
    const [entries] = await queryRows<{ n: number }>(
      t.app.database.db,
      sql`select count(*)::int as n from message_search where conversation_id = ${notes!.id}`,
    );
    expect(entries?.n).toBe(0);
  });

  it('after a sweep that caught up, the next reads only the conversations changed since it', async () => {
    const [a, b] = await Promise.all([signIn('A'), signIn('B')]);
    const old = await direct(a, b);
    await post(a, old.id, 'زردآلو قدیمی');
    const progressOf = async (conversationId: string) => {
      const [row] = await queryRows<{ indexed_seq: string | number }>(
        t.app.database.db,
        sql`select indexed_seq from message_search_progress where conversation_id = ${conversationId}`,
      );
      return Number(row?.indexed_seq ?? 0);
    };
    // This test is the only sweeper meanwhile.
    await t.app.search.indexer.stop();
    try {
      const repo = new SearchRepository(t.app.database.db);
      const limits = { conversations: 1000, perConversation: 500 };
      let caughtUp = await repo.sweep(limits);
      while (caughtUp?.caughtUpTo === null) caughtUp = await repo.sweep(limits);
      const since = caughtUp!.caughtUpTo!;
      expect(await progressOf(old.id)).toBe(1);

      const fresh = await group(a, [b]);
      await post(b, fresh.id, 'زردآلو تازه');
      // Behind, but its conversation row was not written since: a sweep after the watermark skips it.
      await t.app.database.db.execute(
        sql`update message_search_progress set indexed_seq = 0 where conversation_id = ${old.id}`,
      );
      const after = await repo.sweep({ ...limits, changedSince: since });
      expect(after?.conversations).toBe(1);
      expect(after?.caughtUpTo).not.toBeNull();
      expect(await progressOf(fresh.id)).toBe(1);
      expect(await progressOf(old.id)).toBe(0);
      expect(await bodies(b, 'زردآلو')).toEqual(['زردآلو تازه', 'زردآلو قدیمی']);
      // Nothing changed since that one.
      expect((await repo.sweep({ ...limits, changedSince: after!.caughtUpTo! }))?.conversations).toBe(0);
      // Without a watermark (a start) every conversation is checked.
      expect((await repo.sweep(limits))?.conversations).toBe(1);
      expect(await progressOf(old.id)).toBe(1);
    } finally {
      t.app.search.indexer.start();
    }
  });
});
