import { createHash } from 'node:crypto';
import type { PushMessage } from '../push.provider.js';

/** AndroidConfig.ttl: 0 to 4 weeks. */
const MAX_TTL_S = 2_419_200;
/** APNs rejects an `apns-collapse-id` longer than 64 bytes. */
const APNS_COLLAPSE_ID_MAX_BYTES = 64;

/** The parts of FCM HTTP v1's `Message` we send. */
export interface FcmMessage {
  token: string;
  notification: { title: string; body: string };
  data: Record<string, string>;
  android: {
    priority: 'HIGH' | 'NORMAL';
    ttl: string;
    collapse_key: string;
    notification: { sound: 'default'; tag: string; notification_count: number };
  };
  apns: {
    headers: { 'apns-priority': '10' | '5'; 'apns-collapse-id': string; 'apns-expiration': string };
    payload: { aps: { sound: 'default'; badge: number; 'thread-id': string } };
  };
}

/** The v1 `Message` for one registration token; `now` (ms) dates `apns-expiration`. */
export function toFcmMessage(token: string, message: PushMessage, now: number): FcmMessage {
  const high = message.priority === 'high';
  const ttl = Math.min(MAX_TTL_S, Math.max(0, Math.floor(message.ttlSeconds)));
  const badge = Math.max(0, Math.floor(message.badge));
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.data)) data[key] = String(value);
  data.badge = String(badge);
  return {
    token,
    notification: { title: message.title, body: message.body },
    data,
    android: {
      priority: high ? 'HIGH' : 'NORMAL',
      ttl: `${ttl}s`,
      collapse_key: message.collapseKey,
      notification: { sound: 'default', tag: message.collapseKey, notification_count: badge },
    },
    apns: {
      headers: {
        'apns-priority': high ? '10' : '5',
        'apns-collapse-id': apnsCollapseId(message.collapseKey),
        // 0 means "deliver now or never"; otherwise the moment APNs may drop it.
        'apns-expiration': ttl === 0 ? '0' : String(Math.floor(now / 1000) + ttl),
      },
      payload: { aps: { sound: 'default', badge, 'thread-id': message.collapseKey } },
    },
  };
}

/** Keys longer than APNs allows are replaced by their SHA-256 (64 hex characters). */
export function apnsCollapseId(key: string): string {
  if (Buffer.byteLength(key, 'utf8') <= APNS_COLLAPSE_ID_MAX_BYTES) return key;
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
