import type { ConversationSupport } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n/index.js';
import { ordinal, supportStatusText } from './status.js';

const base: ConversationSupport = {
  status: 'open',
  assigneeId: null,
  assigneeName: null,
  teamId: null,
  priority: 'none',
  queuePosition: null,
  etaSeconds: null,
  linkedFrom: null,
  version: 1,
};

describe(supportStatusText.name, () => {
  it.each([
    [
      { queuePosition: 3, etaSeconds: 200 },
      'در صف — نفر سوم، حدود ۴ دقیقه',
      'In the queue — 3rd, about 4 minutes',
    ],
    [
      { queuePosition: 1, etaSeconds: 30 },
      'در صف — نفر اول، کمتر از یک دقیقه',
      'In the queue — 1st, less than a minute',
    ],
    [
      { queuePosition: 12, etaSeconds: 7200 },
      'در صف — نفر ۱۲ام، حدود ۲ ساعت',
      'In the queue — 12th, about 2 hours',
    ],
    // No estimate from the server (nobody online, no data): none is made up.
    [{ queuePosition: 2, etaSeconds: null }, 'در صف — نفر دوم', 'In the queue — 2nd'],
    [{ assigneeId: 'a', assigneeName: 'سارا' }, 'پاسخ‌گو: سارا', 'Agent: سارا'],
    [{ status: 'resolved' as const, assigneeId: 'a', assigneeName: 'سارا' }, 'حل‌شده', 'Resolved'],
    [{ status: 'closed' as const }, 'این گفتگو بسته شده است.', 'This conversation is closed.'],
    [{}, 'در انتظار پاسخ‌گو', 'Waiting for an agent'],
  ])('%j reads %s / %s', async (support, fa, en) => {
    const faI18n = await createI18n('fa');
    const enI18n = await createI18n('en');
    expect(supportStatusText({ ...base, ...support }, faI18n.t, 'fa')).toBe(fa);
    expect(supportStatusText({ ...base, ...support }, enI18n.t, 'en')).toBe(en);
  });

  it('says places as ordinals in both languages', () => {
    expect([1, 2, 3, 4, 11, 21, 22, 23, 101].map((n) => ordinal(n, 'en'))).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '21st',
      '22nd',
      '23rd',
      '101st',
    ]);
    expect([1, 10, 11].map((n) => ordinal(n, 'fa'))).toEqual(['اول', 'دهم', '۱۱ام']);
  });
});
