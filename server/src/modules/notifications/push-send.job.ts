import { z } from 'zod';
import { defineJob } from '../../platform/jobs/registry.js';
import type { PushMessage } from '../../providers/push/push.provider.js';
import type { PushDelivery } from './push-delivery.js';

const PushMessageSchema = z.object({
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.string()),
  collapseKey: z.string(),
  badge: z.number(),
  priority: z.enum(['high', 'normal']),
  ttlSeconds: z.number(),
}) satisfies z.ZodType<PushMessage>;

export const PushSendSchema = z.object({
  deviceId: z.string(),
  message: PushMessageSchema,
  /** 1 for the first try; each transient failure re-enqueues with attempt + 1. */
  attempt: z.int().min(1),
  /** Support notifications keep priority when the daily quota runs low. */
  support: z.boolean(),
});
export type PushSendJob = z.infer<typeof PushSendSchema>;

export const DeadPushSchema = PushSendSchema.extend({
  provider: z.string(),
  reason: z.string(),
  failedAt: z.string(),
});
export type DeadPushJob = z.infer<typeof DeadPushSchema>;

declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** One push to one device. */
    'push-send': PushSendJob;
    /** Pushes that kept failing or could not be sent: kept for an operator to inspect and replay. */
    'push-dead': DeadPushJob;
  }
}

/** Pushes are I/O-bound: big fetches, several fetchers, so a backlog drains at provider speed. */
export const pushSendJob = (delivery: PushDelivery) =>
  defineJob({
    name: 'push-send',
    payload: PushSendSchema,
    queue: { retryLimit: 5, retryBackoff: true, deadLetter: 'push-dead' },
    fetch: { size: 200, workers: 3 },
    performBatch: (jobs) => delivery.sendBatch(jobs),
  });

export const pushDeadQueue = () =>
  defineJob({
    name: 'push-dead',
    payload: DeadPushSchema,
    queue: { retryLimit: 0, deleteAfterSeconds: 30 * 86_400 },
  });
