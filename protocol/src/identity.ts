import { z } from 'zod';
import { IdSchema, NameSchema } from './common.js';
import { toLatinDigits } from './digits.js';

/** A platform role (users.role): what a person may do in the whole system. */
/** `supervisor`: an agent who also sees and reassigns the conversations of their teams. */
export const PLATFORM_ROLES = ['customer', 'agent', 'supervisor', 'admin'] as const;
export const PlatformRoleSchema = z.enum(PLATFORM_ROLES);
export type PlatformRole = z.infer<typeof PlatformRoleSchema>;
/** The platform roles that serve support conversations. */
export const STAFF_ROLES = ['agent', 'supervisor', 'admin'] as const satisfies readonly PlatformRole[];

export const UserSchema = z.object({
  id: IdSchema,
  name: z.string().nullable(),
  role: PlatformRoleSchema,
  lastSeenAt: z.string().nullable(),
  /** Present when they have a profile photo (`GET /api/v1/users/:id/avatar`); it changes with the photo. */
  avatarId: IdSchema.optional(),
});
export type User = z.infer<typeof UserSchema>;

/** The signed-in user's own record: the only place a phone number is shown. */
export const MeSchema = UserSchema.extend({ phone: z.string() });
export type Me = z.infer<typeof MeSchema>;

/** An admin gives someone a role (and creates them, if the phone is new): `POST /api/v1/users`. */
export const SetRoleByPhoneSchema = z.object({
  phone: z.string().max(40),
  role: PlatformRoleSchema,
  name: NameSchema.optional(),
});
export const UserParamsSchema = z.object({ id: IdSchema });
/** An admin changes a user's role: `PUT /api/v1/users/:id/role`. */
export const SetRoleSchema = z.object({ role: PlatformRoleSchema });
/** To the user whose role changed: refresh the session (the new token carries the new role). */
export const SessionChangedEventSchema = z.object({ role: PlatformRoleSchema });
/** Someone set (`avatarId`) or removed (null) their profile photo. */
export const UserAvatarEventSchema = z.object({ userId: IdSchema, avatarId: IdSchema.nullable() });
export type UserAvatarEvent = z.infer<typeof UserAvatarEventSchema>;

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

// ---- socket --------------------------------------------------------------------------------

export const AuthRefreshPayloadSchema = z.object({ token: z.string().min(1).max(4096) });
export const AuthRefreshAckSchema = z.object({ expiresAt: z.string() });
export const AuthExpiredEventSchema = z.object({ graceSeconds: z.int() });
