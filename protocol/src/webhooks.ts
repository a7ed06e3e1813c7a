import { z } from 'zod';
import { IdSchema, NameSchema, queryInt } from './common.js';
import { AssignmentReasonSchema, SupportStatusSchema } from './support.js';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const WebhookDeliveryStatusSchema = z.enum(WEBHOOK_DELIVERY_STATUSES);

/** What a webhook may subscribe to: the support lifecycle (these wire names are pinned). */
export const WEBHOOK_EVENTS = [
  'support.opened',
  'support.assigned',
  'support.resolved',
  'support.sla_breached',
  'support.csat_received',
] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
/** The event of a test delivery (`POST …/webhooks/:id/test`); not subscribable. */
export const WEBHOOK_PING_EVENT = 'ping';

/** The request headers of every delivery. */
export const WEBHOOK_HEADERS = {
  event: 'Abrik-Event',
  /** The delivery id: the same on every retry of one delivery, for the receiver's idempotency. */
  delivery: 'Abrik-Delivery',
  /** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` */
  signature: 'Abrik-Signature',
} as const;

/** A webhook as admins and supervisors see it: the secret only by its last four characters. */
export const WebhookSchema = z.object({
  id: IdSchema,
  name: z.string(),
  url: z.string(),
  events: z.array(WebhookEventSchema),
  enabled: z.boolean(),
  secretHint: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Webhook = z.infer<typeof WebhookSchema>;
export const WebhookListSchema = z.object({ items: z.array(WebhookSchema) });

/** The reply of create and rotate-secret: the only times the whole secret is shown. */
export const WebhookWithSecretSchema = WebhookSchema.extend({ secret: z.string() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;

/** An http(s) URL; the server refuses what it may not call (see docs/support.md, "Webhooks"). */
const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => URL.canParse(s), { message: 'must be an absolute URL' });
const WebhookEventsSchema = z
  .array(WebhookEventSchema)
  .min(1)
  .max(WEBHOOK_EVENTS.length * 2)
  .transform((events) => [...new Set(events)]);

export const CreateWebhookSchema = z.object({
  name: NameSchema,
  url: WebhookUrlSchema,
  events: WebhookEventsSchema,
  enabled: z.boolean().default(true),
});
export const UpdateWebhookSchema = z
  .object({
    name: NameSchema.optional(),
    url: WebhookUrlSchema.optional(),
    events: WebhookEventsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: 'nothing to change' });

/** One event to one webhook, with its last attempt. */
export const WebhookDeliverySchema = z.object({
  id: z.string(),
  webhookId: IdSchema,
  /** A subscribed event, or `ping` for a test. */
  event: z.string(),
  status: WebhookDeliveryStatusSchema,
  attempts: z.int(),
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export const WebhookDeliveryListSchema = z.object({ items: z.array(WebhookDeliverySchema) });
export const WebhookDeliveryQuerySchema = z.object({ limit: queryInt(1, 100).default(20) });

// ---- what a receiver gets ----------------------------------------------------------------------

const Time = z.string();
const Actor = IdSchema.nullable();

/** `data` of each event; `actorId`: who caused it, null for the system (routing, timers). */
export const WebhookEventDataSchemas = {
  'support.opened': z.object({
    conversationId: IdSchema,
    actorId: Actor,
    inboxId: IdSchema,
    linkedFrom: IdSchema.nullable(),
  }),
  'support.assigned': z.object({
    conversationId: IdSchema,
    actorId: Actor,
    /** The assignee before and after; `toId` null: back to the queue. */
    fromId: IdSchema.nullable(),
    toId: IdSchema.nullable(),
    teamId: IdSchema.nullable(),
    reason: AssignmentReasonSchema,
  }),
  'support.resolved': z.object({
    conversationId: IdSchema,
    actorId: Actor,
    /** The status it was resolved from. */
    from: SupportStatusSchema,
  }),
  'support.sla_breached': z.object({
    conversationId: IdSchema,
    actorId: Actor,
    inboxId: IdSchema,
    teamId: IdSchema.nullable(),
    assigneeId: IdSchema.nullable(),
    kind: z.string(),
    cycle: z.int(),
    dueAt: Time,
  }),
  'support.csat_received': z.object({
    conversationId: IdSchema,
    actorId: Actor,
    inboxId: IdSchema,
    teamId: IdSchema.nullable(),
    agentId: IdSchema.nullable(),
    cycle: z.int(),
    rating: z.int().min(1).max(5),
    comment: z.string().nullable(),
  }),
  ping: z.object({ webhookId: IdSchema }),
} as const;

const envelope = <E extends keyof typeof WebhookEventDataSchemas>(event: E) =>
  z.object({
    id: z.string(),
    event: z.literal(event),
    occurredAt: Time,
    sequence: z.int(),
    data: WebhookEventDataSchemas[event],
  });

/**
 * The JSON body of a delivery. `id` is the delivery's (as in `Abrik-Delivery`); `sequence` is
 * the number of the event it carries, increasing in the order events happened: deliveries run
 * apart and may arrive out of order, so a receiver orders by it.
 */
export const WebhookPayloadSchema = z.discriminatedUnion('event', [
  envelope('support.opened'),
  envelope('support.assigned'),
  envelope('support.resolved'),
  envelope('support.sla_breached'),
  envelope('support.csat_received'),
  envelope('ping'),
]);
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
