import { z } from 'zod';
import { IdSchema } from './common.js';
import { toLatinDigits } from './digits.js';

/** Where a satisfaction answer came from. */
export const CSAT_CHANNELS = ['app', 'sms'] as const;
export type CsatChannel = (typeof CSAT_CHANNELS)[number];

export const CSAT_MIN_RATING = 1;
export const CSAT_MAX_RATING = 5;
/** Longest comment, in Unicode code points after NFC normalisation. */
export const CSAT_COMMENT_MAX = 1000;
/** An answer may be changed for this long after it was first given. */
export const CSAT_EDIT_HOURS = 24;
/** An SMS link works for this long after it was sent. */
export const CSAT_LINK_DAYS = 7;

/**
 * A rating 1–5: an integer in JSON; a string of one digit (ASCII, Persian or Arabic-Indic, as a
 * form field may send it) is read as that digit.
 */
export const CsatRatingSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\S\s*$/.test(v) ? Number(toLatinDigits(v.trim())) : v),
  z.int().min(CSAT_MIN_RATING).max(CSAT_MAX_RATING),
);

/** An optional comment: NFC, trimmed, at most CSAT_COMMENT_MAX code points; blank is none. */
export const CsatCommentSchema = z
  .string()
  .refine((s) => !/\p{Cs}/u.test(s), { message: 'must be well-formed Unicode (a lone surrogate)' })
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => [...s].length <= CSAT_COMMENT_MAX, {
    message: `must be at most ${CSAT_COMMENT_MAX} characters`,
  })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' })
  .transform((s) => (s === '' ? null : s))
  .nullable();

/** `PUT …/csat`: the answer (again, to change it within the day); the comment is replaced too. */
export const CsatAnswerSchema = z.object({
  rating: CsatRatingSchema,
  comment: CsatCommentSchema.optional(),
});
export type CsatAnswer = z.infer<typeof CsatAnswerSchema>;

/** The customer's survey of the latest resolve, in their conversation's `support.csat`. */
export const CsatViewSchema = z.object({
  /** The resolve cycle it is about: 0 for the first resolve, 1 after one reopen, … */
  cycle: z.int(),
  /** Null until answered. */
  rating: z.int().nullable(),
  comment: z.string().nullable(),
  /** Until when the answer may be changed; null until answered. */
  editableUntil: z.string().nullable(),
});
export type CsatView = z.infer<typeof CsatViewSchema>;

/** `GET /api/v1/csat/:token`: what the SMS link's page shows (no sign-in). */
export const CsatLinkSchema = CsatViewSchema.extend({
  /** The agent who served the customer (at the resolve). */
  agentName: z.string().nullable(),
  subject: z.string().nullable(),
  /** The link stops working then. */
  expiresAt: z.string(),
});
export type CsatLink = z.infer<typeof CsatLinkSchema>;

export const CsatTokenParamsSchema = z.object({ token: z.string().max(200) });

/** Staff: one resolve cycle's survey, with the agent and team of the time. */
export const CsatSurveySchema = z.object({
  conversationId: IdSchema,
  cycle: z.int(),
  inboxId: IdSchema,
  teamId: IdSchema.nullable(),
  agentId: IdSchema.nullable(),
  agentName: z.string().nullable(),
  askedAt: z.string(),
  rating: z.int().nullable(),
  comment: z.string().nullable(),
  answeredAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  via: z.enum(CSAT_CHANNELS).nullable(),
  /** When the SMS link was sent (null: asked in the app, or not sent yet). */
  linkSentAt: z.string().nullable(),
  linkExpiresAt: z.string().nullable(),
});
export type CsatSurvey = z.infer<typeof CsatSurveySchema>;
export const CsatSurveyListSchema = z.object({ items: z.array(CsatSurveySchema) });

/** To the customer: their resolved conversation asks for (or holds) a rating; read it again. */
export const CsatEventSchema = z.object({ conversationId: IdSchema, cycle: z.int() });
