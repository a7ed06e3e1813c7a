import { z } from 'zod';
import { IdSchema, NameSchema } from './common.js';
import { PrioritySchema } from './support.js';

/** What an SLA measures, each per cycle (a cycle starts with the conversation and at each reopen). */
export const SLA_TARGET_KINDS = ['first_response', 'next_response', 'resolution'] as const;
export const SlaTargetKindSchema = z.enum(SLA_TARGET_KINDS);
export type SlaTargetKind = z.infer<typeof SlaTargetKindSchema>;

const TargetSeconds = z
  .int()
  .min(60)
  .max(90 * 86_400);

export const SlaPolicySchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** Null: every inbox without a policy of its own. */
  inboxId: IdSchema.nullable(),
  /** Null: any priority. */
  priority: PrioritySchema.nullable(),
  firstResponseSeconds: z.int().nullable(),
  firstResponseBusiness: z.boolean(),
  nextResponseSeconds: z.int().nullable(),
  nextResponseBusiness: z.boolean(),
  resolutionSeconds: z.int().nullable(),
  resolutionBusiness: z.boolean(),
  /** The clocks stop while the conversation waits on the customer (pending) or is snoozed. */
  pauseWhenPending: z.boolean(),
  pauseWhenSnoozed: z.boolean(),
  warnBeforeSeconds: z.int(),
  updatedAt: z.string(),
});
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;
export const SlaPolicyListSchema = z.object({ items: z.array(SlaPolicySchema) });

const PolicyFields = {
  name: NameSchema,
  inboxId: IdSchema.nullable(),
  priority: PrioritySchema.nullable(),
  firstResponseSeconds: TargetSeconds.nullable(),
  firstResponseBusiness: z.boolean(),
  nextResponseSeconds: TargetSeconds.nullable(),
  nextResponseBusiness: z.boolean(),
  resolutionSeconds: TargetSeconds.nullable(),
  resolutionBusiness: z.boolean(),
  pauseWhenPending: z.boolean(),
  pauseWhenSnoozed: z.boolean(),
  warnBeforeSeconds: z.int().min(0).max(86_400),
};
/** Unset targets are not tracked; times count business hours unless `…Business` is false. */
export const CreateSlaPolicySchema = z.object({
  ...PolicyFields,
  inboxId: PolicyFields.inboxId.default(null),
  priority: PolicyFields.priority.default(null),
  firstResponseSeconds: PolicyFields.firstResponseSeconds.default(null),
  firstResponseBusiness: PolicyFields.firstResponseBusiness.default(true),
  nextResponseSeconds: PolicyFields.nextResponseSeconds.default(null),
  nextResponseBusiness: PolicyFields.nextResponseBusiness.default(true),
  resolutionSeconds: PolicyFields.resolutionSeconds.default(null),
  resolutionBusiness: PolicyFields.resolutionBusiness.default(true),
  pauseWhenPending: PolicyFields.pauseWhenPending.default(true),
  pauseWhenSnoozed: PolicyFields.pauseWhenSnoozed.default(true),
  warnBeforeSeconds: PolicyFields.warnBeforeSeconds.default(600),
});
/** Only what is given changes. */
export const UpdateSlaPolicySchema = z.object(PolicyFields).partial();

/** One target of a conversation, as staff see it. */
export const SlaTargetSchema = z.object({
  kind: SlaTargetKindSchema,
  cycle: z.int(),
  business: z.boolean(),
  targetSeconds: z.int(),
  startedAt: z.string(),
  /** Null while paused. */
  dueAt: z.string().nullable(),
  paused: z.boolean(),
  metAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
});
export type SlaTarget = z.infer<typeof SlaTargetSchema>;
export const SlaTargetListSchema = z.object({ items: z.array(SlaTargetSchema) });

/** To the staff concerned: an SLA deadline is near (`warning`) or was missed (`breached`). */
export const SupportSlaEventSchema = z.object({
  conversationId: IdSchema,
  kind: SlaTargetKindSchema,
  cycle: z.int(),
  state: z.enum(['warning', 'breached']),
  dueAt: z.string(),
});
