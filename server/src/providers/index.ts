import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { FcmPushProvider, loadServiceAccount } from './push/fcm/fcm.provider.js';
import { LogPushProvider } from './push/log.provider.js';
import type { PushProvider } from './push/push.provider.js';
import { WebPushProvider } from './push/webpush.provider.js';
import { KavenegarSmsProvider } from './sms/kavenegar.provider.js';
import { LogSmsProvider } from './sms/log.provider.js';
import type { SmsProvider } from './sms/sms.provider.js';

/** The push provider for phones and for browsers, as PUSH_PROVIDERS says. */
export async function createPushProviders(
  config: Config,
  logger: Logger,
): Promise<{ phone: PushProvider | undefined; web: PushProvider | undefined }> {
  const enabled = config.PUSH_PROVIDERS;
  const log = enabled.includes('log') ? new LogPushProvider() : undefined;
  const phone = enabled.includes('fcm')
    ? new FcmPushProvider({
        serviceAccount: await loadServiceAccount(config.FIREBASE_SERVICE_ACCOUNT_PATH!),
        baseUrl: config.FCM_BASE_URL,
        logger,
      })
    : log;
  const web =
    enabled.includes('webpush') && config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
      ? new WebPushProvider({
          vapid: {
            publicKey: config.VAPID_PUBLIC_KEY,
            privateKey: config.VAPID_PRIVATE_KEY,
            subject: config.VAPID_SUBJECT,
          },
          logger,
        })
      : log;
  return { phone, web };
}

/** The SMS provider SMS_PROVIDER names. */
export function createSmsProvider(config: Config, logger: Logger): SmsProvider {
  if (config.SMS_PROVIDER === 'kavenegar') {
    return new KavenegarSmsProvider({
      apiKey: config.KAVENEGAR_API_KEY!,
      baseUrl: config.KAVENEGAR_BASE_URL,
      otpTemplate: config.KAVENEGAR_OTP_TEMPLATE,
      sender: config.KAVENEGAR_SENDER,
      timeoutMs: config.KAVENEGAR_TIMEOUT_MS,
      logger,
    });
  }
  return new LogSmsProvider();
}
