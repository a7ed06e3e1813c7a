import { z } from 'zod';
import { IdSchema, LimitSchema, NameSchema } from './common.js';
import { CsatViewSchema } from './csat.js';

export const SUPPORT_STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export const SupportStatusSchema = z.enum(SUPPORT_STATUSES);
export type SupportStatus = z.infer<typeof SupportStatusSchema>;

export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** How an inbox hands out its conversations. */
export const ROUTING_POLICIES = ['round_robin', 'least_loaded', 'manual'] as const;
export const RoutingPolicySchema = z.enum(ROUTING_POLICIES);
export type RoutingPolicy = z.infer<typeof RoutingPolicySchema>;
export const QUEUE_ORDERS = ['oldest', 'priority_then_oldest'] as const;
export const QueueOrderSchema = z.enum(QUEUE_ORDERS);

export const INBOX_KINDS = ['app', 'widget'] as const;
export const TEAM_ROLES = ['agent', 'supervisor'] as const;

/** Why an assignment changed. */
export const ASSIGNMENT_REASONS = [
  'auto',
  'manual',
  'claim',
  'transfer',
  'offline',
  'no_reply',
  'unassign',
  'escalate',
] as const;
export const AssignmentReasonSchema = z.enum(ASSIGNMENT_REASONS);
export type AssignmentReason = z.infer<typeof AssignmentReasonSchema>;

const Time = z.string();
const Label = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length >= 1 && [...s].length <= 40 && !/[\p{Cc},]/u.test(s), {
    message: 'a label is 1 to 40 characters, without commas or control characters',
  });

// ---- what customers see --------------------------------------------------------------------

/** The support part of a support conversation, in `GET /conversations/:id` and its create reply. */
export const ConversationSupportSchema = z.object({
  status: SupportStatusSchema,
  assigneeId: IdSchema.nullable(),
  /** The assignee's display name (shown to the customer on replies). */
  assigneeName: z.string().nullable(),
  teamId: IdSchema.nullable(),
  priority: PrioritySchema,
  /** 1 for the next to be served; null when not waiting in the queue. */
  queuePosition: z.int().nullable(),
  /** Estimated seconds until an agent takes it; null when nobody is online or there is no data. */
  etaSeconds: z.int().nullable(),
  /** The earlier conversation a message to a closed one started this one from. */
  linkedFrom: IdSchema.nullable(),
  version: z.int(),
  /** Staff only: the conversation of the private notes beside this one. */
  notesConversationId: IdSchema.nullable().optional(),
  /** The satisfaction survey of the latest resolve while it stands (resolved or closed); else null. */
  csat: CsatViewSchema.nullable().optional(),
});
export type ConversationSupport = z.infer<typeof ConversationSupportSchema>;

// ---- staff ---------------------------------------------------------------------------------

export const SupportTicketSchema = z.object({
  conversationId: IdSchema,
  notesConversationId: IdSchema,
  inboxId: IdSchema,
  teamId: IdSchema.nullable(),
  assigneeId: IdSchema.nullable(),
  status: SupportStatusSchema,
  priority: PrioritySchema,
  labels: z.array(z.string()),
  subject: z.string().nullable(),
  customer: z.object({ id: IdSchema, name: z.string().nullable() }),
  /** Since the customer's oldest unanswered message; null when nothing waits for an answer. */
  waitingSince: Time.nullable(),
  queuedAt: Time.nullable(),
  firstCustomerMessageAt: Time.nullable(),
  firstAgentReplyAt: Time.nullable(),
  lastActivityAt: Time,
  resolvedAt: Time.nullable(),
  closedAt: Time.nullable(),
  snoozedUntil: Time.nullable(),
  /** Snoozed until the customer writes again (no time set). */
  snoozedUntilReply: z.boolean(),
  reopenCount: z.int(),
  autoReassigns: z.int(),
  escalated: z.boolean(),
  linkedFrom: IdSchema.nullable(),
  version: z.int(),
  createdAt: Time,
  /**
   * The SLA clock nearest its deadline (a breached one first); null when none runs. Read the
   * conversation's every clock at `GET /support/conversations/:id/sla`.
   */
  sla: z
    .object({
      kind: z.enum(['first_response', 'next_response', 'resolution']),
      dueAt: Time.nullable(),
      breachedAt: Time.nullable(),
      paused: z.boolean(),
    })
    .nullable()
    .optional(),
});
export type SupportTicket = z.infer<typeof SupportTicketSchema>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
    z.array(item).min(1).max(10),
  );

export const SupportListQuerySchema = z.object({
  /** One or more statuses, comma-separated. */
  status: csv(SupportStatusSchema).optional(),
  /** `teams`: the caller's teams only (the "My teams" view; for admins narrower than `all`). */
  scope: z.enum(['all', 'teams']).optional(),
  /** `me`, `none` (the queue) or an agent's id. */
  assignee: z.union([z.enum(['me', 'none']), IdSchema]).optional(),
  teamId: IdSchema.optional(),
  inboxId: IdSchema.optional(),
  label: Label.optional(),
  priority: csv(PrioritySchema).optional(),
  /** Words in the subject or the customer's name. */
  q: z.string().max(100).optional(),
  limit: LimitSchema.default(50),
  cursor: z.string().max(100).optional(),
});
export type SupportListQuery = z.infer<typeof SupportListQuerySchema>;
export const SupportListSchema = z.object({
  items: z.array(SupportTicketSchema),
  nextCursor: z.string().nullable(),
  /** Open and pending conversations in each view the caller may see. */
  counts: z.object({ mine: z.int(), unassigned: z.int(), teams: z.int(), all: z.int() }),
});

export const SupportQueueSchema = z.object({
  inboxes: z.array(
    z.object({ inboxId: IdSchema, name: z.string(), queued: z.int(), oldestWaitSeconds: z.int().nullable() }),
  ),
});

export const AssignSchema = z.object({ agentId: IdSchema.nullable() });
export const TransferSchema = z
  .object({
    agentId: IdSchema.optional(),
    teamId: IdSchema.optional(),
    note: z.string().max(2000).optional(),
  })
  .refine((b) => b.agentId !== undefined || b.teamId !== undefined, {
    message: 'give agentId, teamId or both',
  });
export const StatusChangeSchema = z
  .object({
    status: z.enum(['open', 'pending', 'snoozed', 'resolved']),
    /** With `snoozed`: until when; without it, until the customer writes again. */
    snoozeUntil: z.iso.datetime({ offset: true }).optional(),
    /** The version the caller saw; a newer one answers 409 support/version_conflict. */
    version: z.int().optional(),
  })
  .refine((b) => b.snoozeUntil === undefined || b.status === 'snoozed', {
    message: 'snoozeUntil goes with status snoozed',
  });
export const PriorityChangeSchema = z.object({ priority: PrioritySchema });
export const LabelsChangeSchema = z.object({ labels: z.array(Label).max(20) });

export const AssignmentSchema = z.object({
  conversationId: IdSchema,
  fromId: IdSchema.nullable(),
  toId: IdSchema.nullable(),
  teamId: IdSchema.nullable(),
  reason: AssignmentReasonSchema,
  note: z.string().nullable(),
  actorId: IdSchema.nullable(),
  at: Time,
});
export type Assignment = z.infer<typeof AssignmentSchema>;
export const AssignmentHistorySchema = z.object({ items: z.array(AssignmentSchema) });

// ---- admin ---------------------------------------------------------------------------------

export const TeamSchema = z.object({
  id: IdSchema,
  name: z.string(),
  agentIds: z.array(IdSchema),
  supervisorIds: z.array(IdSchema),
  createdAt: Time,
});
export type Team = z.infer<typeof TeamSchema>;
export const CreateTeamSchema = z.object({
  name: NameSchema,
  agentIds: z.array(IdSchema).max(500).default([]),
  supervisorIds: z.array(IdSchema).max(100).default([]),
});
export const UpdateTeamSchema = z.object({
  name: NameSchema.optional(),
  agentIds: z.array(IdSchema).max(500).optional(),
  supervisorIds: z.array(IdSchema).max(100).optional(),
});

export const AVAILABILITIES = ['online', 'busy', 'away', 'offline'] as const;
export const AgentAvailabilitySchema = z.enum(AVAILABILITIES);

export const AgentSchema = z.object({
  id: IdSchema,
  name: z.string().nullable(),
  role: z.string(),
  /** As the agent set it, and `offline` while no connection of theirs is live. */
  availability: AgentAvailabilitySchema,
  maxConversations: z.int(),
  /** Per inbox, lower than the global capacity where set. */
  inboxLimits: z.record(IdSchema, z.int()),
  teamIds: z.array(IdSchema),
  /** Open and pending conversations assigned now. */
  load: z.int(),
  lastAssignedAt: Time.nullable(),
});
export const AgentListSchema = z.object({ items: z.array(AgentSchema) });
export const UpdateAgentSchema = z.object({
  /** null: back to SUPPORT_MAX_CONVERSATIONS. */
  maxConversations: z.int().min(0).max(1000).nullable().optional(),
  teamIds: z.array(IdSchema).max(50).optional(),
  inboxLimits: z.record(IdSchema, z.int().min(0).max(1000)).optional(),
});

const Seconds = (max: number) => z.int().min(0).max(max);
export const InboxSchema = z.object({
  id: IdSchema,
  name: z.string(),
  kind: z.enum(INBOX_KINDS),
  routing: RoutingPolicySchema,
  queueOrder: QueueOrderSchema,
  /** Teams whose agents serve it; none: every agent. */
  teamIds: z.array(IdSchema),
  /** A customer's message within this time after a resolve reopens it; later, the next one starts anew. */
  reopenWindowSeconds: z.int(),
  reassignOfflineAfterSeconds: z.int(),
  reassignNoReplyAfterSeconds: z.int(),
  maxAutoReassigns: z.int(),
  /** Its business hours (GET /api/v1/support/calendars/:id); null: always open. */
  calendarId: IdSchema.nullable(),
  createdAt: Time,
});
export type Inbox = z.infer<typeof InboxSchema>;
export const InboxListSchema = z.object({ items: z.array(InboxSchema) });
export const CreateInboxSchema = z.object({
  name: NameSchema,
  kind: z.enum(INBOX_KINDS).default('widget'),
  teamIds: z.array(IdSchema).max(50).default([]),
});
export const UpdateInboxSchema = z.object({
  name: NameSchema.optional(),
  routing: RoutingPolicySchema.optional(),
  queueOrder: QueueOrderSchema.optional(),
  teamIds: z.array(IdSchema).max(50).optional(),
  /** Each timer: null follows the configuration (SUPPORT_…) again. */
  reopenWindowSeconds: Seconds(90 * 86_400)
    .nullable()
    .optional(),
  reassignOfflineAfterSeconds: Seconds(86_400).nullable().optional(),
  reassignNoReplyAfterSeconds: Seconds(86_400).nullable().optional(),
  maxAutoReassigns: z.int().min(0).max(20).nullable().optional(),
  /** Its business hours; null: always open. */
  calendarId: IdSchema.nullable().optional(),
});

export const CANNED_SCOPES = ['personal', 'team', 'shared'] as const;
const Shortcut = z
  .string()
  .transform((s) => s.normalize('NFC').trim().replace(/^\//, ''))
  .refine((s) => s.length >= 1 && [...s].length <= 32 && !/[\s\p{Cc}]/u.test(s), {
    message: 'a shortcut is 1 to 32 characters without spaces',
  });
export const CannedReplySchema = z.object({
  id: IdSchema,
  scope: z.enum(CANNED_SCOPES),
  ownerId: IdSchema.nullable(),
  teamId: IdSchema.nullable(),
  shortcut: z.string(),
  title: z.string().nullable(),
  body: z.string(),
  createdAt: Time,
  updatedAt: Time,
});
export type CannedReply = z.infer<typeof CannedReplySchema>;
export const CannedReplyListSchema = z.object({ items: z.array(CannedReplySchema) });
export const CannedReplyQuerySchema = z.object({
  /** Shortcuts starting with this (ي/ی, ك/ک and ZWNJ count as the same). */
  shortcut: z.string().max(32).optional(),
  q: z.string().max(100).optional(),
});
export const CreateCannedReplySchema = z
  .object({
    scope: z.enum(CANNED_SCOPES).default('personal'),
    teamId: IdSchema.optional(),
    shortcut: Shortcut,
    title: z.string().max(100).optional(),
    body: z.string().min(1).max(4000),
  })
  .refine((b) => (b.scope === 'team') === (b.teamId !== undefined), {
    message: 'teamId goes with scope team, and only with it',
  });
export const UpdateCannedReplySchema = z.object({
  shortcut: Shortcut.optional(),
  title: z.string().max(100).nullable().optional(),
  body: z.string().min(1).max(4000).optional(),
});
export const RenderCannedReplySchema = z.object({ conversationId: IdSchema });
export const RenderedCannedReplySchema = z.object({
  text: z.string(),
  /** Variables that could not be filled: the reply may not be sent until they are. */
  unresolved: z.array(z.string()),
});

/** Staff: who a support conversation's customer is, and their other support conversations. */
/** What a website widget knows of its visitor (the staff's customer panel). */
export const SupportWidgetContactSchema = z.object({
  widgetId: IdSchema,
  widgetName: z.string(),
  /** The site signed who this is; unverified details are the visitor's own word. */
  verified: z.boolean(),
  /** The site's id of the person (verified contacts only). */
  externalId: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** The site's `setAttributes` values: never signed, shown as unverified. */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** This conversation's pre-chat or offline form, by field key. */
  form: z.record(z.string(), z.string()),
  /** Left through the offline form. */
  offline: z.boolean(),
  /** The page the widget was on. */
  hostOrigin: z.string().nullable(),
});
export type SupportWidgetContact = z.infer<typeof SupportWidgetContactSchema>;

export const SupportCustomerSchema = z.object({
  id: IdSchema,
  name: z.string().nullable(),
  /** E.164; empty for a website visitor, whose details are in `widget`. */
  phone: z.string(),
  /** Set when the customer came through a website widget. */
  widget: SupportWidgetContactSchema.nullable().optional(),
  conversations: z.array(
    SupportTicketSchema.pick({
      conversationId: true,
      status: true,
      subject: true,
      assigneeId: true,
      createdAt: true,
      resolvedAt: true,
      lastActivityAt: true,
    }),
  ),
});
export type SupportCustomer = z.infer<typeof SupportCustomerSchema>;

export const SupportParamsSchema = z.object({ id: IdSchema });

// ---- socket --------------------------------------------------------------------------------

export const SupportQueueEventSchema = z.object({
  conversationId: IdSchema,
  position: z.int().nullable(),
  etaSeconds: z.int().nullable(),
});
export const SupportConversationEventSchema = SupportTicketSchema.pick({
  conversationId: true,
  inboxId: true,
  teamId: true,
  assigneeId: true,
  status: true,
  priority: true,
  labels: true,
  waitingSince: true,
  escalated: true,
  version: true,
});
export const SupportQueueChangedEventSchema = z.object({ inboxId: IdSchema, queued: z.int() });
/**
 * To the customer: their support conversation's status or assignee changed (resolved, reopened,
 * taken, handed on). Read `GET /conversations/:id` for the rest when `version` is newer.
 */
export const SupportStatusEventSchema = z.object({
  conversationId: IdSchema,
  status: SupportStatusSchema,
  assigneeId: IdSchema.nullable(),
  version: z.int(),
});
