import { z } from 'zod';
import { IdSchema } from './common.js';

/** Whether an agent or admin takes support work now, as they set it. */
export const AvailabilitySchema = z.enum(['available', 'away']);
export type Availability = z.infer<typeof AvailabilitySchema>;
export const PresenceStatusSchema = z.enum(['online', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

export const PresenceSchema = z.object({
  userId: IdSchema,
  status: PresenceStatusSchema,
  lastSeenAt: z.string().nullable(),
  /** Agents and admins only: whether they take support work ('offline' when not connected). */
  availability: z.enum([...AvailabilitySchema.options, 'offline']).optional(),
});
export type Presence = z.infer<typeof PresenceSchema>;

// ---- socket ----------------------------------------------------------------------------------

export const PresenceQueryPayloadSchema = z.object({ userIds: z.array(IdSchema).min(1).max(500) });
export const PresenceQueryAckSchema = z.object({ presences: z.array(PresenceSchema) });
export const PresenceSetPayloadSchema = z.object({ availability: AvailabilitySchema });
/** The conversation this connection shows now (null: none), so web pushes skip what is on screen. */
export const FocusPayloadSchema = z.object({ conversationId: IdSchema.nullable() });
