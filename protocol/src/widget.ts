import { z } from 'zod';
import { IdSchema, NameSchema } from './common.js';

/**
 * The website widget (issue 17): its admin settings, and the visitor session a page opens with
 * `POST /widget/v1/sessions`.
 */

/** `off`: identity ignored; `optional`: anonymous or verified; `required`: verified only. */
export const WIDGET_IDENTITY_MODES = ['off', 'optional', 'required'] as const;
export type WidgetIdentityMode = (typeof WIDGET_IDENTITY_MODES)[number];

/** The audience of a visitor session token (never accepted as an access token). */
export const WIDGET_SESSION_AUDIENCE = 'widget';
/** Longest life of a site's identity token (`exp` further ahead is refused). */
export const WIDGET_IDENTITY_MAX_LIFETIME_SECONDS = 24 * 3600;

/**
 * An exact origin: `https://shop.example.ir` or `http://localhost:8080` — scheme, host and an
 * optional port; no path, query, credentials or wildcard. Normalised as browsers send it.
 */
export const WidgetOriginSchema = z
  .string()
  .trim()
  .max(200)
  .transform((s, ctx) => {
    const refuse = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (s.includes('*')) return refuse('must be an exact origin (no wildcard)');
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return refuse('must be an origin such as https://shop.example.ir');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse('must be http or https');
    if (url.username || url.password) return refuse('must not carry credentials');
    if (url.search || url.hash || url.pathname !== '/' || /^[a-z]+:\/\/[^/]+\/./i.test(s))
      return refuse('must not have a path, query or fragment');
    return url.origin;
  });

const HexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #1e88e5');
export const WidgetThemeSchema = z.object({
  primaryColor: HexColour.optional(),
  textColor: HexColour.optional(),
  /** Where the launcher sits; unset: left in right-to-left locales, right otherwise. */
  position: z.enum(['left', 'right']).optional(),
});
const WidgetText = z.string().trim().min(1).max(500);
/** A text per locale (fa, en); a missing locale falls back to the widget's default wording. */
export const WidgetTextsSchema = z.object({ fa: WidgetText.optional(), en: WidgetText.optional() });

const Time = z.string();
export const WidgetSchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** The support inbox its conversations go to. */
  inboxId: IdSchema,
  allowedOrigins: z.array(z.string()),
  identityMode: z.enum(WIDGET_IDENTITY_MODES),
  theme: WidgetThemeSchema,
  greeting: WidgetTextsSchema,
  offlineText: WidgetTextsSchema,
  enabled: z.boolean(),
  /** While set and in the future, the secret before the last rotation is accepted too. */
  previousSecretExpiresAt: Time.nullable(),
  /** The snippet to paste into the site's pages. */
  snippet: z.string(),
  createdAt: Time,
  updatedAt: Time,
});
export type Widget = z.infer<typeof WidgetSchema>;
export const WidgetListSchema = z.object({ items: z.array(WidgetSchema) });
/** Create and rotate answer the secret, once: it is never shown again. */
export const WidgetWithSecretSchema = WidgetSchema.extend({ secret: z.string() });

const Origins = z.array(WidgetOriginSchema).max(50);
export const CreateWidgetSchema = z.object({
  name: NameSchema,
  inboxId: IdSchema,
  allowedOrigins: Origins,
  identityMode: z.enum(WIDGET_IDENTITY_MODES).default('optional'),
  theme: WidgetThemeSchema.default({}),
  greeting: WidgetTextsSchema.default({}),
  offlineText: WidgetTextsSchema.default({}),
  enabled: z.boolean().default(true),
});
export const UpdateWidgetSchema = z.object({
  name: NameSchema.optional(),
  inboxId: IdSchema.optional(),
  allowedOrigins: Origins.optional(),
  identityMode: z.enum(WIDGET_IDENTITY_MODES).optional(),
  theme: WidgetThemeSchema.optional(),
  greeting: WidgetTextsSchema.optional(),
  offlineText: WidgetTextsSchema.optional(),
  enabled: z.boolean().optional(),
});
export const RotateWidgetSecretSchema = z.object({
  /** How long the secret before this rotation stays valid; unset: the server's default (24 h). */
  graceSeconds: z
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
});
export const WidgetParamsSchema = z.object({ id: IdSchema });

const TokenText = z.string().min(1).max(4096);
export const CreateWidgetSessionSchema = z.object({
  widgetId: IdSchema,
  /** The site's identity token: an HS256 JWT of `{sub, name?, phone?, email?, exp, jti}`. */
  token: TokenText.optional(),
  /** The HMAC mode instead: the site's user id and hex HMAC-SHA256(secret, userId). */
  userId: z.string().min(1).max(200).optional(),
  userHash: z.string().min(1).max(200).optional(),
  /** An earlier session token of this visitor, to keep their anonymous visitor id. */
  visitorToken: TokenText.optional(),
});
export const WidgetSessionSchema = z.object({
  /** Bearer for the widget's next calls (audience `widget`); short-lived. */
  sessionToken: z.string(),
  expiresAt: Time,
  visitorId: IdSchema,
  /** True when the site proved who the visitor is. */
  verified: z.boolean(),
  widget: z.object({
    id: IdSchema,
    name: z.string(),
    theme: WidgetThemeSchema,
    greeting: WidgetTextsSchema,
    offlineText: WidgetTextsSchema,
  }),
});
export type WidgetSession = z.infer<typeof WidgetSessionSchema>;
