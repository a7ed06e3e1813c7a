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

/**
 * A pre-chat form's field. `name`, `phone` and `email` are the contact's details (a phone in Persian
 * or Latin digits, normalised to E.164); any other key is a custom text field kept with the
 * conversation. Labels fall back to the standard wording of the kind.
 */
export const WIDGET_PRECHAT_KINDS = ['name', 'phone', 'email', 'text'] as const;
export const WidgetPrechatFieldSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a key such as order_id'),
  kind: z.enum(WIDGET_PRECHAT_KINDS),
  label: WidgetTextsSchema.default({}),
  required: z.boolean().default(false),
});
export type WidgetPrechatField = z.infer<typeof WidgetPrechatFieldSchema>;
/** Asked before a visitor's first message (never of a verified visitor: their site vouches). */
export const WidgetPrechatSchema = z.object({
  enabled: z.boolean().default(false),
  fields: z
    .array(WidgetPrechatFieldSchema)
    .max(10)
    .default([])
    .superRefine((fields, ctx) => {
      const keys = new Set<string>();
      const kinds = new Set<string>();
      for (const [i, field] of fields.entries()) {
        if (keys.has(field.key))
          ctx.addIssue({ code: 'custom', path: [i, 'key'], message: 'keys must differ' });
        if (field.kind !== 'text' && kinds.has(field.kind))
          ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: `only one ${field.kind} field` });
        keys.add(field.key);
        kinds.add(field.kind);
      }
    }),
});
export type WidgetPrechat = z.infer<typeof WidgetPrechatSchema>;

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
  prechat: WidgetPrechatSchema,
  /** A visitor waiting this long in the queue is offered to leave a message instead; 0: never. */
  waitOfferSeconds: z.int(),
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
const WaitOffer = z.int().min(0).max(86_400);
export const CreateWidgetSchema = z.object({
  name: NameSchema,
  inboxId: IdSchema,
  allowedOrigins: Origins,
  identityMode: z.enum(WIDGET_IDENTITY_MODES).default('optional'),
  theme: WidgetThemeSchema.default({}),
  greeting: WidgetTextsSchema.default({}),
  offlineText: WidgetTextsSchema.default({}),
  prechat: WidgetPrechatSchema.default({ enabled: false, fields: [] }),
  waitOfferSeconds: WaitOffer.default(180),
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
  prechat: WidgetPrechatSchema.optional(),
  waitOfferSeconds: WaitOffer.optional(),
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
  /**
   * The host page's origin, when the chat frame (on the server's own origin) asks: the request's
   * `Origin` is then the server's own and this must be one of the widget's origins. A request
   * made by the host page itself is judged by its `Origin` header and this is ignored.
   */
  hostOrigin: z.string().max(200).optional(),
});
/** `POST /widget/v1/sessions/forget`: the frame's visitor signed out of the site. */
export const ForgetWidgetSessionSchema = z.object({ widgetId: IdSchema });
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

// ---- the visitor's side (the chat frame; bearer: the session token) ---------------------------

/** Values a site attaches to its visitor with `setAttributes` (unsigned: shown as unverified). */
export const WidgetAttributeValueSchema = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
export const WidgetAttributesSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/), WidgetAttributeValueSchema)
  .refine((record) => Object.keys(record).length <= 30, 'at most 30 attributes');
export type WidgetAttributes = z.infer<typeof WidgetAttributesSchema>;
/** `PATCH /widget/v1/attributes`: merged into what the contact had (null removes one). */
export const WidgetAttributesChangeSchema = z.object({ attributes: WidgetAttributesSchema });

/** The visitor's conversation as the frame shows it. */
export const WidgetConversationSchema = z.object({
  id: IdSchema,
  status: z.enum(['open', 'pending', 'snoozed', 'resolved', 'closed']),
  createdAt: Time,
  /** The agent serving it: their name as shown to customers (id to match typing and read events). */
  assignee: z.object({ id: IdSchema, name: z.string().nullable() }).nullable(),
  /** 1 = next; null when not waiting in the queue. */
  queuePosition: z.int().nullable(),
  etaSeconds: z.int().nullable(),
  /** Since when the visitor waits for a first agent (null once someone has it). */
  waitingSince: Time.nullable(),
  /** The last seq the visitor has read, and the highest seq read by the agents. */
  readSeq: z.int(),
  agentReadSeq: z.int(),
  lastSeq: z.int(),
  /** The survey of the latest resolve: asked (rating null) or answered; null when none. */
  csat: z
    .object({
      cycle: z.int(),
      rating: z.int().nullable(),
      comment: z.string().nullable(),
      editableUntil: Time.nullable(),
    })
    .nullable(),
  /** A closed conversation is never written into: the visitor starts a new one. */
  writable: z.boolean(),
});
export type WidgetConversation = z.infer<typeof WidgetConversationSchema>;

/** `GET /widget/v1/state`: everything the frame needs to draw itself. */
export const WidgetStateSchema = z.object({
  widget: z.object({
    id: IdSchema,
    name: z.string(),
    theme: WidgetThemeSchema,
    greeting: WidgetTextsSchema,
    offlineText: WidgetTextsSchema,
    identityMode: z.enum(WIDGET_IDENTITY_MODES),
    prechat: WidgetPrechatSchema,
    waitOfferSeconds: z.int(),
  }),
  /** Business hours of the widget's inbox, now. `nextOpenAt` is null when open or never. */
  opening: z.object({ open: z.boolean(), nextOpenAt: Time.nullable(), timeZone: z.string() }),
  /** An agent of the inbox is online now (with `opening.open`: a live answer is likely). */
  agentsAvailable: z.boolean(),
  verified: z.boolean(),
  /** The visitor as a contact; null until they first send something. */
  contact: z
    .object({
      /** The visitor's user id: the `senderId` of their own messages. */
      userId: IdSchema,
      name: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      verified: z.boolean(),
    })
    .nullable(),
  /** The visitor's current conversation (the latest not closed), null when none. */
  conversation: WidgetConversationSchema.nullable(),
  /** Earlier conversations, newest first (a verified visitor sees them on every device). */
  history: z.array(WidgetConversationSchema.pick({ id: true, status: true, createdAt: true, lastSeq: true })),
  /** Unread agent messages over all the visitor's conversations. */
  unread: z.int(),
});
export type WidgetState = z.infer<typeof WidgetStateSchema>;

/** `POST /widget/v1/conversations`: the visitor's first message opens a conversation. */
export const StartWidgetConversationSchema = z.object({
  clientMsgId: z.string().min(1).max(64),
  body: z.string().trim().min(1).max(4000),
  /** The pre-chat (or offline) form's answers: name, phone, email and the custom fields by key. */
  form: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.string().trim().max(500)).optional(),
  /** Attributes set before the visitor became a contact (`setAttributes`), kept with it now. */
  attributes: WidgetAttributesSchema.optional(),
  /** Sent through the offline form: the conversation waits as pending for the next opening. */
  offline: z.boolean().default(false),
});
export const WidgetStartedSchema = z.object({
  /** A new session token that carries the contact (the earlier one does not). */
  session: WidgetSessionSchema,
  conversation: WidgetConversationSchema,
  message: z.object({ id: IdSchema, seq: z.int(), createdAt: Time }),
});
export type WidgetStarted = z.infer<typeof WidgetStartedSchema>;
