import { describe, expect, it } from 'vitest';
import { BodySchema, NameSchema } from './common.js';

describe('message bodies', () => {
  it('refuse a lone surrogate instead of storing it changed', () => {
    expect(BodySchema.safeParse('سلام \ud83d').success).toBe(false);
    expect(BodySchema.safeParse('\udc00 tail').success).toBe(false);
  });
  it('take whole emoji and Persian text as they are (NFC)', () => {
    expect(BodySchema.parse('سلام 👋🏽 می‌خواهم')).toBe('سلام 👋🏽 می‌خواهم');
  });
});

describe('display names, titles and subjects', () => {
  it.each([
    ['a right-to-left override', 'moc.elgoog\u202e'],
    ['a left-to-right embedding', '\u202aAdmin'],
    ['an isolate', 'Sara\u2066x\u2069'],
    ['zero-width spaces only', '\u200b\u200b'],
    ['a ZWNJ only', '\u200c'],
    ['a Hangul filler', '\u3164'],
    ['a braille blank', '\u2800\u2800'],
    ['variation selectors only', '\ufe0f\ufe0f'],
    ['a lone surrogate', 'Ali\ud800'],
    ['control characters', 'a\u0007b'],
  ])('refuse %s', (_what, name) => {
    expect(NameSchema.safeParse(name).success).toBe(false);
  });

  it.each([
    ['a Persian name with a ZWNJ', 'علی‌رضا محمدی'],
    ['a Latin name', 'Sara Ahmadi'],
    ['an emoji name', '🌷 مریم'],
    ['digits', 'تیم ۲'],
  ])('take %s', (_what, name) => {
    expect(NameSchema.parse(name)).toBe(name.normalize('NFC'));
  });
});
