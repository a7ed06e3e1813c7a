import { z } from 'zod';
import { BodySchema, IdSchema, LimitSchema, NameSchema, queryInt } from './common.js';
import { ConversationSupportSchema, SupportStatusSchema } from './support.js';

export const MAX_GROUP_MEMBERS = 1000;

export const ClientMsgIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'letters, digits, "_", "-", ".", ":" only');

/** A sequence number: the position of a message in its conversation, from 1. */
export const SeqSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---- entities --------------------------------------------------------------------------------

export const MessageKindSchema = z.enum(['text', 'system']);

/** The reactions on offer: a small fixed set, one per person and message. */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;
export const ReactionEmojiSchema = z.enum(REACTIONS);
export const ReactionSchema = z.object({
  emoji: ReactionEmojiSchema,
  count: z.int(),
  /** Who reacted so (the first 50 by time). */
  userIds: z.array(IdSchema),
});
export type Reaction = z.infer<typeof ReactionSchema>;

export const ATTACHMENT_KINDS = ['image', 'file', 'voice'] as const;
export const AttachmentKindSchema = z.enum(ATTACHMENT_KINDS);
export type AttachmentKind = z.infer<typeof AttachmentKindSchema>;
/** A stored file a message carries; its bytes come from the files routes, for members only. */
export const AttachmentSchema = z.object({
  id: IdSchema,
  kind: AttachmentKindSchema,
  name: z.string(),
  /** Sniffed from the bytes, not taken from the name. */
  mime: z.string(),
  size: z.int(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  durationMs: z.int().nullable(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const SYSTEM_ACTIONS = [
  'created',
  'added',
  'removed',
  'left',
  'promoted',
  'demoted',
  'title',
  'description',
  'pinned',
] as const;
/** What a group's system message tells; clients word it in their language. */
export const SystemEventSchema = z.object({
  action: z.enum(SYSTEM_ACTIONS),
  /** Who did it (null: the server). */
  actorId: IdSchema.nullable(),
  /** Whom it concerns (added, removed, promoted…). */
  userIds: z.array(IdSchema),
  /** A new title or description; the pinned message's seq as text. */
  value: z.string().nullable(),
});
export type SystemEvent = z.infer<typeof SystemEventSchema>;

/** A forward: who wrote the original (null when they may not be named). */
export const ForwardedSchema = z.object({ senderId: IdSchema.nullable(), name: z.string().nullable() });

/** messages.meta: what a plain text message has not. */
export const MessageMetaSchema = z.object({
  attachment: AttachmentSchema.optional(),
  forwarded: ForwardedSchema.optional(),
  system: SystemEventSchema.optional(),
});
export type MessageMeta = z.infer<typeof MessageMetaSchema>;

/** The quoted message of a reply, as far as a preview needs it. */
export const ReplyPreviewSchema = z.object({
  seq: z.int(),
  id: IdSchema.nullable(),
  senderId: IdSchema.nullable(),
  /** The start of its text (null when deleted or text-less). */
  body: z.string().nullable(),
  attachmentKind: AttachmentKindSchema.nullable(),
  deleted: z.boolean(),
});
export type ReplyPreview = z.infer<typeof ReplyPreviewSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  conversationId: IdSchema,
  seq: z.int(),
  senderId: IdSchema.nullable(),
  clientMsgId: z.string().nullable(),
  kind: MessageKindSchema,
  body: z.string().nullable(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  // Present only when set: a plain text message looks as it always has.
  replyTo: ReplyPreviewSchema.optional(),
  attachment: AttachmentSchema.optional(),
  forwarded: ForwardedSchema.optional(),
  system: SystemEventSchema.optional(),
  reactions: z.array(ReactionSchema).optional(),
});
export type Message = z.infer<typeof MessageSchema>;

/** `notes`: the private notes beside a support conversation (staff only; never listed). */
export const CONVERSATION_KINDS = ['direct', 'group', 'support', 'notes'] as const;
export const ConversationKindSchema = z.enum(CONVERSATION_KINDS);
export type ConversationKind = z.infer<typeof ConversationKindSchema>;
/**
 * A member role (members.role): a member's place in one conversation — owner, admin or member of
 * a group; customer or agent of a support conversation. Not to be confused with a PlatformRole.
 */
export const MEMBER_ROLES = ['owner', 'admin', 'member', 'customer', 'agent'] as const;
export const MemberRoleSchema = z.enum(MEMBER_ROLES);
export type MemberRole = z.infer<typeof MemberRoleSchema>;

export const MemberSchema = z.object({
  userId: IdSchema,
  name: z.string().nullable(),
  role: MemberRoleSchema,
  lastReadSeq: z.int(),
  joinedAt: z.string(),
});
export type Member = z.infer<typeof MemberSchema>;

export const ConversationSchema = z.object({
  id: IdSchema,
  kind: ConversationKindSchema,
  title: z.string().nullable(),
  subject: z.string().nullable(),
  status: SupportStatusSchema.nullable(),
  assigneeId: IdSchema.nullable(),
  createdAt: z.string(),
  lastSeq: z.int(),
  lastReadSeq: z.int(),
  unreadCount: z.int(),
  muted: z.boolean(),
  lastMessage: MessageSchema.nullable(),
  /** Every member in `GET /conversations/:id`; in lists, members of direct and support conversations only. */
  members: z.array(MemberSchema),
  memberCount: z.int(),
  /** Support conversations: status, assignee, queue place (null for other kinds). */
  support: ConversationSupportSchema.nullable(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

// ---- HTTP requests ---------------------------------------------------------------------------

export const CreateConversationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('direct'), userId: IdSchema }),
  z.object({
    kind: z.literal('group'),
    title: NameSchema,
    memberIds: z
      .array(IdSchema)
      .max(MAX_GROUP_MEMBERS - 1)
      .default([]),
  }),
  z.object({ kind: z.literal('support'), subject: NameSchema.optional() }),
]);
export type CreateConversation = z.infer<typeof CreateConversationSchema>;

const CursorSchema = queryInt(0, Number.MAX_SAFE_INTEGER);

export const ListConversationsQuerySchema = z.object({
  kind: ConversationKindSchema.optional(),
  limit: LimitSchema.default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(100).optional(),
});
export const ConversationPageSchema = z.object({
  items: z.array(ConversationSchema),
  nextCursor: z.string().nullable(),
});

export const AddMembersSchema = z.object({ userIds: z.array(IdSchema).min(1).max(100) });
export const MemberParamsSchema = z.object({ id: IdSchema, userId: IdSchema });
export const ConversationParamsSchema = z.object({ id: IdSchema });
export const MessageParamsSchema = z.object({ id: IdSchema, messageId: IdSchema });

export const ListMessagesQuerySchema = z
  .object({
    before: CursorSchema.optional(),
    after: CursorSchema.optional(),
    limit: LimitSchema.default(50),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: 'give either before or after, not both',
  });
export const MessagePageSchema = z.object({ items: z.array(MessageSchema), nextCursor: z.int().nullable() });

export const SendMessageSchema = z.object({
  clientMsgId: ClientMsgIdSchema,
  body: BodySchema,
  /** Staff, in a support conversation: a private note, stored beside it and never shown to the customer. */
  internal: z.boolean().optional(),
});
export const EditMessageSchema = z.object({ body: BodySchema });
export const MarkReadSchema = z.object({ seq: SeqSchema });
export const MarkReadReplySchema = z.object({ lastReadSeq: z.int() });
export const MuteSchema = z.object({ muted: z.boolean() });

// ---- socket ----------------------------------------------------------------------------------

export const MessageSendPayloadSchema = SendMessageSchema.extend({ conversationId: IdSchema });
export type MessageSendPayload = z.input<typeof MessageSendPayloadSchema>;
export const MessageSendAckSchema = z.object({ message: MessageSchema, duplicate: z.boolean() });
export const TypingPayloadSchema = z.object({ conversationId: IdSchema });
export const ReadPayloadSchema = z.object({ conversationId: IdSchema, seq: SeqSchema });
export const ReadAckSchema = z.object({ seq: z.int() });
export const SyncPayloadSchema = z.object({
  /** conversationId → the highest seq the client holds; conversations left out are synced from 0. */
  since: z.record(IdSchema, SeqSchema).default({}),
  /** Most messages returned per conversation; the reply says when there is more. */
  limit: z.int().min(1).max(1000).default(500),
});
export const SyncConversationSchema = z.object({
  conversationId: IdSchema,
  messages: z.array(MessageSchema),
  hasMore: z.boolean(),
  lastReadSeq: z.int(),
});
export type SyncConversation = z.infer<typeof SyncConversationSchema>;
export const SyncAckSchema = z.object({
  conversations: z.array(SyncConversationSchema),
  /** Conversations asked about that the caller may no longer see. */
  removed: z.array(IdSchema),
});

export const MessageDeletedEventSchema = z.object({
  conversationId: IdSchema,
  id: IdSchema,
  seq: z.int(),
  deletedAt: z.string(),
});
export type MessageDeletedEvent = z.infer<typeof MessageDeletedEventSchema>;
export const ReadReceiptEventSchema = z.object({ conversationId: IdSchema, userId: IdSchema, seq: z.int() });
export type ReadReceiptEvent = z.infer<typeof ReadReceiptEventSchema>;
export const TypingEventSchema = z.object({ conversationId: IdSchema, userId: IdSchema });
export type TypingEvent = z.infer<typeof TypingEventSchema>;
export const ConversationRefEventSchema = z.object({ conversationId: IdSchema });
export const ResyncEventSchema = z.object({ reason: z.string() });
