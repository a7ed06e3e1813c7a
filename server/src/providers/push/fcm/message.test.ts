import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PushMessage } from '../push.provider.js';
import { apnsCollapseId, toFcmMessage } from './message.js';

const TOKEN = 'fYx3Zk2WQ9e8Lr0VbN1mTq:APA91bHq7Lk2v9Xw3Rz8Tn5Yp1Bd6Fg4Hj0Kl2Mn8Qr7St3Uv5Wx9Yz1';
/** Not on a whole second: `apns-expiration` must round down. */
const NOW = Date.UTC(2026, 2, 1, 9, 30, 0) + 999;
const NOW_S = Date.UTC(2026, 2, 1, 9, 30, 0) / 1000;

function message(overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    title: 'Reza',
    body: 'See you at ten',
    data: { conversationId: 'conv_1', kind: 'message' },
    collapseKey: 'conversation:conv_1',
    badge: 2,
    priority: 'high',
    ttlSeconds: 60,
    ...overrides,
  };
}

describe(toFcmMessage.name, () => {
  it('maps a high-priority message to HIGH on Android and apns-priority 10', () => {
    expect(toFcmMessage(TOKEN, message(), NOW)).toStrictEqual({
      token: TOKEN,
      notification: { title: 'Reza', body: 'See you at ten' },
      data: { conversationId: 'conv_1', kind: 'message', badge: '2' },
      android: {
        priority: 'HIGH',
        ttl: '60s',
        collapse_key: 'conversation:conv_1',
        notification: { sound: 'default', tag: 'conversation:conv_1', notification_count: 2 },
      },
      apns: {
        headers: {
          'apns-priority': '10',
          'apns-collapse-id': 'conversation:conv_1',
          'apns-expiration': String(NOW_S + 60),
        },
        payload: { aps: { sound: 'default', badge: 2, 'thread-id': 'conversation:conv_1' } },
      },
    });
  });

  it('maps normal priority to NORMAL and apns-priority 5', () => {
    const sent = toFcmMessage(TOKEN, message({ priority: 'normal' }), NOW);
    expect(sent.android.priority).toBe('NORMAL');
    expect(sent.apns.headers['apns-priority']).toBe('5');
  });

  it.each([
    [0, '0s', '0'],
    [-30, '0s', '0'],
    [90.9, '90s', String(NOW_S + 90)],
    [2_419_200, '2419200s', String(NOW_S + 2_419_200)],
    [2_419_201, '2419200s', String(NOW_S + 2_419_200)],
  ])(
    'keeps a TTL of %s s within 0…4 weeks (android %s, apns-expiration %s)',
    (ttlSeconds, ttl, expiration) => {
      const sent = toFcmMessage(TOKEN, message({ ttlSeconds }), NOW);
      expect(sent.android.ttl).toBe(ttl);
      expect(sent.apns.headers['apns-expiration']).toBe(expiration);
    },
  );

  it('floors the badge at 0, as a whole number, and it wins over a data key named badge', () => {
    const data = { badge: '99', url: '/c/1' };
    const sent = toFcmMessage(TOKEN, message({ badge: -1, data }), NOW);
    expect(sent.data).toStrictEqual({ badge: '0', url: '/c/1' });
    expect(sent.android.notification.notification_count).toBe(0);
    expect(sent.apns.payload.aps.badge).toBe(0);
    expect(toFcmMessage(TOKEN, message({ badge: 4.7 }), NOW).apns.payload.aps.badge).toBe(4);
    // The caller's data is copied, not changed.
    expect(data).toStrictEqual({ badge: '99', url: '/c/1' });
  });
});

describe(apnsCollapseId.name, () => {
  it('keeps a key of up to 64 bytes as it is', () => {
    const key = 'k'.repeat(64);
    expect(apnsCollapseId(key)).toBe(key);
  });

  it('replaces a longer key by its SHA-256 in hex, counting bytes rather than characters', () => {
    const long = 'k'.repeat(65);
    expect(apnsCollapseId(long)).toBe(createHash('sha256').update(long).digest('hex'));
    // 33 Persian letters are 66 bytes of UTF-8.
    const persian = 'گ'.repeat(33);
    expect(apnsCollapseId(persian)).toBe(createHash('sha256').update(persian, 'utf8').digest('hex'));
    expect(apnsCollapseId(persian)).toHaveLength(64);
  });
});
