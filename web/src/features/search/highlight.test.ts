import { findHighlights, searchWords } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { snippetSegments } from './highlight.js';

const marked = (body: string, query: string) =>
  snippetSegments(body, findHighlights(body, searchWords(query)))
    .filter((s) => s.mark)
    .map((s) => s.text);

describe(snippetSegments.name, () => {
  it('marks "علی" for a search written with Arabic yeh, and keeps the rest as it was written', () => {
    const body = 'علی کتاب را آورد';
    expect(snippetSegments(body, findHighlights(body, searchWords('علي')))).toEqual([
      { text: 'علی', mark: true },
      { text: ' کتاب را آورد', mark: false },
    ]);
  });

  it('marks every word that begins with a word of the search, across kaf, digits, ZWNJ and diacritics', () => {
    expect(marked('كتابها و کتابخانه', 'کتاب')).toEqual(['كتابها', 'کتابخانه']);
    expect(marked('سفارش ۱۲۳ رسید', '123')).toEqual(['۱۲۳']);
    expect(marked('من می‌روم', 'میرو')).toEqual(['می‌روم']);
    expect(marked('مُحَمَّد آمد', 'محمد')).toEqual(['مُحَمَّد']);
    expect(marked('Hello World', 'hel wor')).toEqual(['Hello', 'World']);
    expect(marked('هیچ', 'علی')).toEqual([]);
  });

  it('cuts a long body around the first match, with an ellipsis on the cut sides', () => {
    const body = `${'ا '.repeat(100)}هدف ${'ب '.repeat(100)}`;
    const segments = snippetSegments(body, findHighlights(body, searchWords('هدف')));
    expect(segments[0]).toEqual({ text: '…', mark: false });
    expect(segments.at(-1)).toEqual({ text: '…', mark: false });
    expect(segments.filter((s) => s.mark)).toEqual([{ text: 'هدف', mark: true }]);
    const text = segments.map((s) => s.text).join('');
    expect(text.length).toBeLessThan(150);
  });
});
