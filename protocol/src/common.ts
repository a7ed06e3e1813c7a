import { z } from 'zod';
import { toLatinDigits } from './digits.js';

/** Longest message body, counted in Unicode code points after NFC normalisation. */
export const MAX_BODY_LENGTH = 4000;
export const MAX_PAGE_SIZE = 100;

const CONTROL_CHARS = /\p{Cc}/u;

export const IdSchema = z.uuid();

/** A message body: NFC-normalised, not blank, at most MAX_BODY_LENGTH code points, no NUL. */
export const BodySchema = z
  .string()
  .transform((s) => s.normalize('NFC'))
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' })
  .refine((s) => [...s].length <= MAX_BODY_LENGTH, {
    message: `must be at most ${MAX_BODY_LENGTH} characters`,
  })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });

/** A person's or a group's display name. */
export const NameSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length >= 1 && [...s].length <= 64, { message: 'must be 1 to 64 characters' })
  .refine((s) => !CONTROL_CHARS.test(s), { message: 'must not contain control characters' });

/** A whole number from a query string, written in ASCII, Persian or Arabic-Indic digits. */
export const queryInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? toLatinDigits(v.trim()) : v),
    z.coerce.number().int().min(min).max(max),
  );
export const LimitSchema = queryInt(1, MAX_PAGE_SIZE);
