import { z } from 'zod';
import { toLatinDigits } from './digits.js';

/** Longest message body, counted in Unicode code points after NFC normalisation. */
export const MAX_BODY_LENGTH = 4000;
export const MAX_PAGE_SIZE = 100;
export const MAX_GROUP_MEMBERS = 1000;

const CONTROL_CHARS = /\p{Cc}/u;

export const IdSchema = z.uuid();

/** A message body: NFC-normalised, not blank, at most MAX_BODY_LENGTH code points, no NUL. */
export const BodySchema = z
  .string()
  .transform((s) => s.normalize('NFC'))
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' })
  .refine((s) => [...s].length <= MAX_BODY_LENGTH, {
    message: `must be at most ${MAX_BODY_LENGTH} characters`,
  })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });

export const NameSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length >= 1 && [...s].length <= 64, { message: 'must be 1 to 64 characters' })
  .refine((s) => !CONTROL_CHARS.test(s), { message: 'must not contain control characters' });

export const ClientMsgIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'letters, digits, "_", "-", ".", ":" only');

/** A sequence number: the position of a message in its conversation, from 1. */
export const SeqSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---- entities --------------------------------------------------------------------------------

export const RoleSchema = z.enum(['customer', 'agent', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

export const UserSchema = z.object({
  id: IdSchema,
  name: z.string().nullable(),
  role: RoleSchema,
  lastSeenAt: z.string().nullable(),
});
export type User = z.infer<typeof UserSchema>;

/** The signed-in user's own record: the only place a phone number is shown. */
export const MeSchema = UserSchema.extend({ phone: z.string() });
export type Me = z.infer<typeof MeSchema>;

export const MessageKindSchema = z.enum(['text', 'system']);
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
});
export type Message = z.infer<typeof MessageSchema>;

export const ConversationKindSchema = z.enum(['direct', 'group', 'support']);
export type ConversationKind = z.infer<typeof ConversationKindSchema>;
export const MemberRoleSchema = z.enum(['owner', 'admin', 'member', 'customer', 'agent']);
export type MemberRole = z.infer<typeof MemberRoleSchema>;
export const SupportStatusSchema = z.enum(['open', 'pending', 'resolved', 'closed']);

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
});
export type Conversation = z.infer<typeof ConversationSchema>;

// ---- HTTP requests ---------------------------------------------------------------------------

export const OtpRequestSchema = z.object({ phone: z.string().max(40) });
export const VerifyRequestSchema = z.object({
  phone: z.string().max(40),
  code: z
    .string()
    .max(16)
    .transform((s) => toLatinDigits(s).replace(/\s/g, '')),
});
export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(200) });
export const AuthTokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: z.string(),
  user: MeSchema,
});
export type AuthTokens = z.infer<typeof AuthTokensSchema>;
export const OtpSentSchema = z.object({
  sent: z.literal(true),
  expiresInSeconds: z.int(),
  retryAfterSeconds: z.int(),
});

export const UpdateMeSchema = z.object({ name: NameSchema });
export const LookupQuerySchema = z.object({ phone: z.string().max(40) });

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

/** A whole number from a query string, written in ASCII, Persian or Arabic-Indic digits. */
const queryInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? toLatinDigits(v.trim()) : v),
    z.coerce.number().int().min(min).max(max),
  );
const CursorSchema = queryInt(0, Number.MAX_SAFE_INTEGER);
const LimitSchema = queryInt(1, MAX_PAGE_SIZE);

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

export const SendMessageSchema = z.object({ clientMsgId: ClientMsgIdSchema, body: BodySchema });
export const EditMessageSchema = z.object({ body: BodySchema });
export const MarkReadSchema = z.object({ seq: SeqSchema });
export const MuteSchema = z.object({ muted: z.boolean() });

// ---- socket payloads -------------------------------------------------------------------------

export const MessageSendPayloadSchema = SendMessageSchema.extend({ conversationId: IdSchema });
export type MessageSendPayload = z.input<typeof MessageSendPayloadSchema>;
export const TypingPayloadSchema = z.object({ conversationId: IdSchema });
export const ReadPayloadSchema = z.object({ conversationId: IdSchema, seq: SeqSchema });
export const SyncPayloadSchema = z.object({
  /** conversationId → the highest seq the client holds; conversations left out are synced from 0. */
  since: z.record(IdSchema, SeqSchema).default({}),
  /** Most messages returned per conversation; the reply says when there is more. */
  limit: z.int().min(1).max(1000).default(500),
});
/** The conversation this connection shows now (null: none), so web pushes skip what is on screen. */
export const FocusPayloadSchema = z.object({ conversationId: IdSchema.nullable() });
export const AuthRefreshPayloadSchema = z.object({ token: z.string().min(1).max(4096) });
export const PresenceQueryPayloadSchema = z.object({ userIds: z.array(IdSchema).min(1).max(500) });

export const AvailabilitySchema = z.enum(['available', 'away']);
export const PresenceSchema = z.object({
  userId: IdSchema,
  status: z.enum(['online', 'offline']),
  lastSeenAt: z.string().nullable(),
  /** Agents and admins only: whether they take support work ('offline' when not connected). */
  availability: z.enum(['available', 'away', 'offline']).optional(),
});
export const PresenceSetPayloadSchema = z.object({ availability: AvailabilitySchema });
export type Presence = z.infer<typeof PresenceSchema>;

export const SyncConversationSchema = z.object({
  conversationId: IdSchema,
  messages: z.array(MessageSchema),
  hasMore: z.boolean(),
  lastReadSeq: z.int(),
});
export type SyncConversation = z.infer<typeof SyncConversationSchema>;

// ---- devices and push ------------------------------------------------------------------------

export const PlatformSchema = z.enum(['android', 'ios', 'web']);
export const WebPushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'a base64url P-256 public key'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'a base64url auth secret'),
  }),
});
export const RegisterDeviceSchema = z.discriminatedUnion('platform', [
  z.object({
    platform: z.enum(['android', 'ios']),
    token: z
      .string()
      .min(20)
      .max(4096)
      .regex(/^[\w:.-]+$/, 'an FCM registration token'),
  }),
  z.object({ platform: z.literal('web'), subscription: WebPushSubscriptionSchema }),
]);
export type RegisterDevice = z.infer<typeof RegisterDeviceSchema>;
export const UnregisterDeviceSchema = z
  .object({
    id: IdSchema.optional(),
    token: z.string().max(4096).optional(),
    endpoint: z.string().max(2048).optional(),
  })
  .refine((b) => [b.id, b.token, b.endpoint].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of id, token, endpoint',
  });
export const DeviceSchema = z.object({
  id: IdSchema,
  platform: PlatformSchema,
  locale: z.enum(['fa', 'en']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;
export const VapidKeySchema = z.object({ publicKey: z.string() });
