import { z } from 'zod';
import { IdSchema, LimitSchema } from './common.js';

/**
 * Letters folded for search, as the database's abrik_search_normalize (migration 0008) does:
 * Arabic yeh/alef maksura/yeh with hamza → Persian yeh, Arabic kaf → Persian kaf, teh marbuta and
 * heh with yeh → heh, alef forms → alef, waw with hamza → waw, Persian and Arabic-Indic digits →
 * ASCII digits.
 */
const FOLD: Record<string, string> = {
  '\u064a': '\u06cc',
  '\u0649': '\u06cc',
  '\u0626': '\u06cc',
  '\u0643': '\u06a9',
  '\u0629': '\u0647',
  '\u06c0': '\u0647',
  '\u0623': '\u0627',
  '\u0625': '\u0627',
  '\u0671': '\u0627',
  '\u0622': '\u0627',
  '\u0624': '\u0648',
};
for (let d = 0; d < 10; d++) {
  FOLD[String.fromCharCode(0x06f0 + d)] = String(d);
  FOLD[String.fromCharCode(0x0660 + d)] = String(d);
}
/** Dropped: ZWNJ, ZWJ, LRM, RLM, tatweel, superscript alef, hamza above/below, harakat. */
const DROP = /^[\u200c-\u200f\u0640\u0670\u0654\u0655\u064b-\u0652]$/u;

/** One code point as search sees it (possibly empty). */
function foldChar(c: string): string {
  const folded = FOLD[c];
  if (folded !== undefined) return folded;
  if (DROP.test(c)) return '';
  // PostgreSQL lowers İ to a plain i; JavaScript adds a combining dot.
  return c === '\u0130' ? 'i' : c.toLowerCase();
}

/**
 * Text as search compares it — exactly what the database's abrik_search_normalize does (the
 * index is built with that; a test holds the two together): so "علي" finds "علی", "كتاب" finds
 * "کتاب", "۱۲" finds "12", "می‌روم" finds "میروم", and diacritics are ignored.
 */
export function normalizeForSearch(text: string): string {
  let out = '';
  for (const c of text) out += foldChar(c);
  return out;
}

/** Longest search text, after trimming. */
export const MAX_SEARCH_QUERY_LENGTH = 100;
/** Words of a query that count; more are ignored. */
export const MAX_SEARCH_WORDS = 8;
/** A run of letters, digits and marks: one word, as PostgreSQL's text search parser splits them. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The distinct normalised words of a search text (each matches as a word prefix). */
export function searchWords(query: string): string[] {
  const words = normalizeForSearch(query.normalize('NFC')).match(WORD) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

/**
 * Where in `text` the words found by `words` (normalised, as searchWords answers) are: a
 * [start, end) range of UTF-16 offsets in the original text for every word of it that begins
 * with one of them, in order. So "علی" is found in "علي‌ها" although the letters differ.
 */
export function findHighlights(text: string, words: readonly string[]): [number, number][] {
  if (words.length === 0) return [];
  // The normalised text, and for each of its UTF-16 units the offset of the original code point.
  let normalized = '';
  const origin: number[] = [];
  let offset = 0;
  for (const c of text) {
    const folded = foldChar(c);
    for (let i = 0; i < folded.length; i++) origin.push(offset);
    normalized += folded;
    offset += c.length;
  }
  origin.push(text.length);
  const ranges: [number, number][] = [];
  for (const match of normalized.matchAll(WORD)) {
    if (!words.some((w) => match[0].startsWith(w))) continue;
    const start = origin[match.index]!;
    // Up to the next character search keeps: marks dropped at the word's end belong to it.
    const end = origin[match.index + match[0].length]!;
    ranges.push([start, end]);
  }
  return ranges;
}

/**
 * GET /api/v1/search/messages: `q` (1–100 characters, at least one letter or digit), each of
 * its words a prefix; `conversationId` to search one conversation; newest first, paged with
 * `cursor` (the `nextCursor` of the page before).
 */
export const SearchMessagesQuerySchema = z.object({
  q: z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .refine((s) => s.length >= 1 && s.length <= MAX_SEARCH_QUERY_LENGTH, {
      message: `must be 1 to ${MAX_SEARCH_QUERY_LENGTH} characters`,
    })
    .refine((s) => searchWords(s).length > 0, { message: 'must contain a letter or a digit' }),
  conversationId: IdSchema.optional(),
  limit: LimitSchema.default(20),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});
export type SearchMessagesQuery = z.infer<typeof SearchMessagesQuerySchema>;

/**
 * One message found. `highlights`: [start, end) UTF-16 offsets in `body` of the words that
 * matched, computed by the server with findHighlights (clients may use it too, for their own text).
 */
export const SearchHitSchema = z.object({
  conversationId: IdSchema,
  messageId: IdSchema,
  seq: z.int(),
  senderId: IdSchema.nullable(),
  senderName: z.string().nullable(),
  createdAt: z.string(),
  body: z.string(),
  highlights: z.array(z.tuple([z.int(), z.int()])),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchMessagesPageSchema = z.object({
  items: z.array(SearchHitSchema),
  /** Pass as `cursor` for older results; null at the end. */
  nextCursor: z.string().nullable(),
});
export type SearchMessagesPage = z.infer<typeof SearchMessagesPageSchema>;
