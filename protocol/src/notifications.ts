import { z } from 'zod';
import { IdSchema } from './common.js';

export const DEVICE_PLATFORMS = ['android', 'ios', 'web'] as const;
export const PlatformSchema = z.enum(DEVICE_PLATFORMS);
export type DevicePlatform = z.infer<typeof PlatformSchema>;
export const LOCALES = ['fa', 'en'] as const;
export const LocaleSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof LocaleSchema>;
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
  locale: LocaleSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;
export const VapidKeySchema = z.object({ publicKey: z.string() });
