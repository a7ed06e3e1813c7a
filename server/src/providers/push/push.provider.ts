/** Where a notification goes: an FCM registration token (phones) or a Web Push subscription. */
export type PushTarget =
  | { deviceId: string; platform: 'android' | 'ios'; token: string }
  | {
      deviceId: string;
      platform: 'web';
      subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
    };

/** What to show. Texts arrive already localised; providers only place them. */
export interface PushMessage {
  title: string;
  body: string;
  /** String key/values delivered to the app (conversationId, messageId, kind, url…). */
  data: Record<string, string>;
  /** Later notifications with the same key replace earlier ones (FCM collapse_key, APNs apns-collapse-id, Web Push tag/Topic). */
  collapseKey: string;
  /** The user's unread total, shown as the app badge (iOS badge, web payload). */
  badge: number;
  /** `high` for messages a person is waiting for; `normal` otherwise. */
  priority: 'high' | 'normal';
  /** How long the push service may hold it for an offline device. */
  ttlSeconds: number;
}

/**
 * The result of one send, classified so the pipeline knows what to do:
 * - `sent`: accepted by the push service.
 * - `invalid_token`: the token/subscription is dead (FCM UNREGISTERED or a token INVALID_ARGUMENT,
 *   Web Push 404/410): delete the device now, never retry.
 * - `retry`: transient (429 QUOTA_EXCEEDED, 503 UNAVAILABLE, 500 INTERNAL, network, timeout): retry
 *   with backoff, honouring `retryAfterMs` when the service gave one.
 * - `auth_error`: our credentials or project are wrong (401/403, SENDER_ID_MISMATCH,
 *   THIRD_PARTY_AUTH_ERROR, VAPID refused): no retry storm — count, log, trip the circuit, alert.
 * - `failed`: this message can never be delivered as is (e.g. payload too large); no retry.
 */
export type PushOutcome =
  | { outcome: 'sent'; providerMessageId?: string }
  | { outcome: 'invalid_token'; reason: string }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'auth_error'; reason: string }
  | { outcome: 'failed'; reason: string };

export interface PushProvider {
  readonly name: 'fcm' | 'webpush' | 'log';
  /** Sends one notification to one device. Resolves with an outcome; rejects only on bugs. */
  send(target: PushTarget, message: PushMessage): Promise<PushOutcome>;
  /** Proves the credentials work (e.g. mints an access token); throws with the reason otherwise. */
  checkCredentials(): Promise<void>;
  close(): Promise<void>;
}
