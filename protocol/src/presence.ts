import { z } from 'zod';
import { IdSchema } from './common.js';

/**
 * Whether a staff member takes support work now, as they set it: `online` (new conversations may
 * be assigned), `busy` (keeps what they have, gets nothing new), `away`, `offline`.
 */
export const AvailabilitySchema = z.enum(['online', 'busy', 'away', 'offline']);
export type Availability = z.infer<typeof AvailabilitySchema>;
export const PresenceStatusSchema = z.enum(['online', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const PresenceSchema = z.object({
  userId: IdSchema,
  status: PresenceStatusSchema,
  lastSeenAt: z.string().nullable(),
  /** Staff only: whether they take support work (`offline` whenever not connected). */
  availability: AvailabilitySchema.optional(),
});
export type Presence = z.infer<typeof PresenceSchema>;

// ---- socket ----------------------------------------------------------------------------------

export const PresenceQueryPayloadSchema = z.object({ userIds: z.array(IdSchema).min(1).max(500) });
export const PresenceQueryAckSchema = z.object({ presences: z.array(PresenceSchema) });
export const PresenceSetPayloadSchema = z.object({
  /** `available` is the earlier name of `online`. */
  availability: z.union([AvailabilitySchema, z.literal('available').transform(() => 'online' as const)]),
});
/** The conversation this connection shows now (null: none), so web pushes skip what is on screen. */
export const FocusPayloadSchema = z.object({ conversationId: IdSchema.nullable() });
