import { z } from 'zod';
import { toLatinDigits } from './digits.js';

/** Longest message body, counted in Unicode code points after NFC normalisation. */
export const MAX_BODY_LENGTH = 4000;
export const MAX_PAGE_SIZE = 100;

const CONTROL_CHARS = /\p{Cc}/u;
/** Half of a surrogate pair with no other half: not text; storing it would silently change it. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Bidi embeddings, overrides and isolates: in a name they make one person read as another. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
/** Marks that show nothing: zero-width and format characters, fillers, blank patterns. */
const INVISIBLE = /[\p{Cf}\p{Z}\s\p{Variation_Selector}\u115f\u1160\u3164\uffa0\u2800]/gu;

export const IdSchema = z.uuid();

/**
 * A message body: well-formed Unicode, NFC-normalised, not blank, at most MAX_BODY_LENGTH code
 * points, no NUL. It reads back exactly as stored.
 */
export const BodySchema = z
  .string()
  .refine((s) => !LONE_SURROGATE.test(s), { message: 'must be well-formed Unicode (a lone surrogate)' })
  .transform((s) => s.normalize('NFC'))
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' })
  .refine((s) => [...s].length <= MAX_BODY_LENGTH, {
    message: `must be at most ${MAX_BODY_LENGTH} characters`,
  })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });

/** A person's or a group's display name. */
export const NameSchema = z
  .string()
  .refine((s) => !LONE_SURROGATE.test(s), { message: 'must be well-formed Unicode (a lone surrogate)' })
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length >= 1 && [...s].length <= 64, { message: 'must be 1 to 64 characters' })
  .refine((s) => !CONTROL_CHARS.test(s), { message: 'must not contain control characters' })
  .refine((s) => !BIDI_CONTROLS.test(s), { message: 'must not contain bidi overrides or isolates' })
  // ZWNJ belongs in Persian names (علی‌رضا); a name of nothing but invisible marks does not.
  .refine((s) => s.replace(INVISIBLE, '').length > 0, { message: 'must contain something visible' });

/** A whole number from a query string, written in ASCII, Persian or Arabic-Indic digits. */
export const queryInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? toLatinDigits(v.trim()) : v),
    z.coerce.number().int().min(min).max(max),
  );
export const LimitSchema = queryInt(1, MAX_PAGE_SIZE);
