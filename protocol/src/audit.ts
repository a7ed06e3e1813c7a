import { z } from 'zod';
import { IdSchema, queryInt } from './common.js';

/**
 * The durable events that are admin and supervisor actions, the audit trail's contents (the one
 * list of them). `support.assigned` counts only when a person did it (an actor is set); routing
 * and timers assign too.
 */
export const AUDIT_EVENT_TYPES = [
  'user.role_set',
  'support.team_saved',
  'support.agent_saved',
  'support.inbox_saved',
  'support.sla_policy_saved',
  'support.calendar_saved',
  'support.calendar_day_set',
  'support.holidays_imported',
  'support.assigned',
  'support.report_exported',
  'support.webhook_saved',
  'support.webhook_tested',
  'widget.saved',
  'widget.deleted',
  'widget.secret_rotated',
] as const;
/** Audit types that are entries only with an actor (a person, not the system). */
export const AUDIT_PERSON_ONLY_TYPES: readonly string[] = ['support.assigned'];

export const AuditEntrySchema = z.object({
  id: z.int(),
  type: z.string(),
  /** Null: the system or the command line (`abrik user create`). */
  actorId: IdSchema.nullable(),
  actorName: z.string().nullable(),
  /** What it is about, as `kind:id` (`user:<id>`, `support-team:<id>`, `conversation:<id>`). */
  subject: z.string(),
  payload: z.unknown(),
  at: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditPageSchema = z.object({
  items: z.array(AuditEntrySchema),
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: z.int().nullable(),
});

const QueryTime = z.iso.datetime({ offset: true });
export const AuditQuerySchema = z
  .object({
    /** A user id: what they did. */
    actor: IdSchema.optional(),
    /** An exact type, or a prefix of types (`support.calendar`). */
    type: z
      .string()
      .trim()
      .regex(/^[a-z_.]{1,64}$/, 'letters, "_" and "." only')
      .optional(),
    subject: z.string().trim().min(1).max(200).optional(),
    /** At or after, and before (ISO times with an offset). */
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    /** Entries older than this id (the `nextCursor` of the page before). */
    cursor: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
    limit: queryInt(1, 100).default(50),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: '`from` must be before `to`',
    path: ['to'],
  });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
