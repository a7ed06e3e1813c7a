import { describe, expect, it } from 'vitest';
import { cannedQuery, matchCanned, unresolvedVariables } from './canned.js';
import { reply } from './fixtures.js';

const shortcuts = (list: { shortcut: string }[]) => list.map((r) => r.shortcut);

describe(matchCanned.name, () => {
  const greet = reply(1, 'salam', 'Hello {{customer.name}}');
  const refund = reply(2, 'refund', 'Your salary refund is on its way', 'Refund');
  const late = reply(3, 'late', 'Sorry for the wait', 'Salutation for late replies');
  const all = [refund, late, greet];

  it('puts shortcuts starting with the query first, then title or text matches', () => {
    expect(shortcuts(matchCanned(all, 'sal'))).toEqual(['salam', 'refund', 'late']);
    expect(shortcuts(matchCanned(all, 'ref'))).toEqual(['refund']);
    expect(shortcuts(matchCanned(all, 'wait'))).toEqual(['late']);
    expect(matchCanned(all, 'nothing-like-it')).toEqual([]);
  });

  it('ignores case and spaces around the query; an empty query lists all', () => {
    expect(shortcuts(matchCanned(all, '  SAL '))).toEqual(['salam', 'refund', 'late']);
    expect(shortcuts(matchCanned(all, ''))).toEqual(['refund', 'late', 'salam']);
    expect(shortcuts(matchCanned(all, '   '))).toEqual(['refund', 'late', 'salam']);
  });

  it('treats Arabic ي/ك, Persian digits and ZWNJ as their plain forms', () => {
    const followUp = reply(4, 'پيگيري', 'وضعیت سفارش'); // Arabic yeh
    const card = reply(5, 'card', 'شماره كارت را بفرستید'); // Arabic kaf
    const want = reply(6, 'می‌خواهم', 'x'); // with ZWNJ
    const code = reply(7, 'code', 'x', 'کد ۱۲۳'); // Persian digits
    const list = [followUp, card, want, code];
    expect(matchCanned(list, 'پیگ')).toEqual([followUp]);
    expect(matchCanned(list, 'کارت')).toEqual([card]);
    expect(matchCanned(list, 'میخو')).toEqual([want]);
    expect(matchCanned(list, 'می‌خو')).toEqual([want]);
    expect(matchCanned(list, '123')).toEqual([code]);
    expect(matchCanned(list, '۱۲')).toEqual([code]);
  });

  it('returns at most `limit` replies (8 unless told)', () => {
    const many = Array.from({ length: 12 }, (_, i) => reply(10 + i, `s${i}`, 'same'));
    expect(matchCanned(many, 's')).toHaveLength(8);
    expect(matchCanned(many, '')).toHaveLength(8);
    expect(shortcuts(matchCanned(many, 'same', 3))).toEqual(['s0', 's1', 's2']);
  });
});

describe(cannedQuery.name, () => {
  it('reads the word after a `/` at the start, while it has no space', () => {
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('/sal')).toBe('sal');
    expect(cannedQuery('/سلا')).toBe('سلا');
  });

  it('is null for anything else', () => {
    expect(cannedQuery('')).toBeNull();
    expect(cannedQuery('sal')).toBeNull();
    expect(cannedQuery('hi /sal')).toBeNull();
    expect(cannedQuery(' /sal')).toBeNull();
    expect(cannedQuery('/sal ')).toBeNull();
    expect(cannedQuery('/sal more')).toBeNull();
    expect(cannedQuery('/sal\n')).toBeNull();
  });
});

describe(unresolvedVariables.name, () => {
  it('names the variables left in a text, each once', () => {
    expect(unresolvedVariables('Hi {{customer.name}}, code {{ ticket.code }}, {{customer.name}}')).toEqual([
      'customer.name',
      'ticket.code',
    ]);
  });

  it('reads the name of a variable with a fallback', () => {
    expect(unresolvedVariables('سلام {{customer.name | "دوست عزیز"}}')).toEqual(['customer.name']);
    expect(unresolvedVariables('{{ agent.name|"x" }} {{agent.name}}')).toEqual(['agent.name']);
  });

  it('finds nothing in plain text or single braces', () => {
    expect(unresolvedVariables('Hello Ali, your code is 123.')).toEqual([]);
    expect(unresolvedVariables('{customer.name} {{}}')).toEqual([]);
  });
});
