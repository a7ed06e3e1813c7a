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

export const CreateSlaPolicySchema = z.object({
  name: NameSchema,
  inboxId: IdSchema.nullable().default(null),
  priority: PrioritySchema.nullable().default(null),
  firstResponseSeconds: TargetSeconds.nullable().default(null),
  firstResponseBusiness: z.boolean().default(true),
  nextResponseSeconds: TargetSeconds.nullable().default(null),
  nextResponseBusiness: z.boolean().default(true),
  resolutionSeconds: TargetSeconds.nullable().default(null),
  resolutionBusiness: z.boolean().default(true),
  pauseWhenPending: z.boolean().default(true),
  pauseWhenSnoozed: z.boolean().default(true),
  warnBeforeSeconds: z.int().min(0).max(86_400).default(600),
});
export const UpdateSlaPolicySchema = CreateSlaPolicySchema.partial();

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
