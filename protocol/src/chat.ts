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
  /** The reader deleted it for themselves: keep its seq, show nothing. */
  hidden: z.literal(true).optional(),
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
  /** Their profile photo, when they have one: GET /api/v1/users/:userId/avatar (a new id, a new photo). */
  avatarId: IdSchema.optional(),
});
export type Member = z.infer<typeof MemberSchema>;

export const FormerMemberSchema = z.object({
  userId: IdSchema,
  name: z.string().nullable(),
  lastReadSeq: z.int(),
  leftAt: z.string(),
});
export type FormerMember = z.infer<typeof FormerMemberSchema>;

export const PinSchema = z.object({
  messageId: IdSchema,
  seq: z.int(),
  pinnedBy: IdSchema.nullable(),
  pinnedAt: z.string(),
});
export type Pin = z.infer<typeof PinSchema>;

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
  /** A group's description. */
  description: z.string().nullable().optional(),
  /** `GET /conversations/:id` only: people who left or were removed (names on their old messages, receipts). */
  formerMembers: z.array(FormerMemberSchema).optional(),
  /** `GET /conversations/:id` only: the pinned messages, newest pin first. */
  pins: z.array(PinSchema).optional(),
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

export const DESCRIPTION_MAX_LENGTH = 500;
/** A group's title and description (owner and admins). */
export const UpdateConversationSchema = z
  .object({
    title: NameSchema.optional(),
    /** Empty or null removes it. */
    description: z
      .string()
      .transform((s) => s.normalize('NFC').trim())
      .refine((s) => [...s].length <= DESCRIPTION_MAX_LENGTH, {
        message: `must be at most ${DESCRIPTION_MAX_LENGTH} characters`,
      })
      .nullable()
      .optional(),
  })
  .refine((u) => u.title !== undefined || u.description !== undefined, {
    message: 'give a title or a description',
  });
/** Promote a member to admin or make an admin a member again. */
export const SetMemberRoleSchema = z.object({ role: z.enum(['admin', 'member']) });
export const ReactSchema = z.object({ emoji: ReactionEmojiSchema });
export const PinMessageSchema = z.object({ messageId: IdSchema });
export const PinParamsSchema = z.object({ id: IdSchema, messageId: IdSchema });
export const ReactionsReplySchema = z.object({ reactions: z.array(ReactionSchema) });
export const PinsReplySchema = z.object({ pins: z.array(PinSchema) });

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

/** Another conversation's message to send a copy of (its text and attachment, with its author). */
export const ForwardSourceSchema = z.object({ conversationId: IdSchema, messageId: IdSchema });

const SendFieldsSchema = z.object({
  clientMsgId: ClientMsgIdSchema,
  /** The text; with an attachment, its caption (optional). Not with `forward`. */
  body: BodySchema.optional(),
  /** Staff, in a support conversation: a private note, stored beside it and never shown to the customer. */
  internal: z.boolean().optional(),
  /** The seq of the message this one answers, in the same conversation. */
  replyToSeq: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  /** A file uploaded to this conversation (POST /api/v1/conversations/:id/files), not sent yet. */
  attachmentId: IdSchema.optional(),
  forward: ForwardSourceSchema.optional(),
});

type SendFields = z.infer<typeof SendFieldsSchema>;
/** A message has text, an attachment, or is a forward (which carries the original's). */
function hasContent<T extends z.ZodType<SendFields>>(schema: T) {
  return schema
    .refine((m) => m.body !== undefined || m.attachmentId !== undefined || m.forward !== undefined, {
      message: 'give a body, an attachmentId or a forward',
      path: ['body'],
    })
    .refine((m) => m.forward === undefined || (m.body === undefined && m.attachmentId === undefined), {
      message: 'a forward carries the original: no body or attachmentId with it',
      path: ['forward'],
    });
}

export const SendMessageSchema = hasContent(SendFieldsSchema);
export const EditMessageSchema = z.object({ body: BodySchema });
export const MarkReadSchema = z.object({ seq: SeqSchema });
export const MarkReadReplySchema = z.object({ lastReadSeq: z.int() });
export const MuteSchema = z.object({ muted: z.boolean() });

// ---- socket ----------------------------------------------------------------------------------

export const MessageSendPayloadSchema = hasContent(SendFieldsSchema.extend({ conversationId: IdSchema }));
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
export const MessageReactionsEventSchema = z.object({
  conversationId: IdSchema,
  id: IdSchema,
  seq: z.int(),
  reactions: z.array(ReactionSchema),
});
export const MessageHiddenEventSchema = z.object({ conversationId: IdSchema, id: IdSchema, seq: z.int() });
export const ConversationPinsEventSchema = z.object({ conversationId: IdSchema, pins: z.array(PinSchema) });
export const ReactPayloadSchema = z.object({
  conversationId: IdSchema,
  messageId: IdSchema,
  /** null takes the reaction back. */
  emoji: ReactionEmojiSchema.nullable(),
});
export const ReadReceiptEventSchema = z.object({ conversationId: IdSchema, userId: IdSchema, seq: z.int() });
export type ReadReceiptEvent = z.infer<typeof ReadReceiptEventSchema>;
export const TypingEventSchema = z.object({ conversationId: IdSchema, userId: IdSchema });
export type TypingEvent = z.infer<typeof TypingEventSchema>;
export const ConversationRefEventSchema = z.object({ conversationId: IdSchema });
export const ResyncEventSchema = z.object({ reason: z.string() });
