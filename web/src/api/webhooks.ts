import {
  WebhookDeliveryListSchema,
  type WebhookEvent,
  WebhookListSchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '@abrik/protocol';
import { z } from 'zod';
import type { ApiClient } from './client.js';

const QueuedSchema = z.object({ queued: z.literal(true) });

/** Webhooks of the support lifecycle (admins manage them, supervisors read them). */
export function webhooks(api: ApiClient) {
  return api.request('GET', '/api/v1/support/webhooks', { schema: WebhookListSchema });
}

/** The reply holds the whole secret: the only time it is shown, with rotateWebhookSecret's. */
export function createWebhook(
  api: ApiClient,
  body: { name: string; url: string; events: WebhookEvent[]; enabled?: boolean },
) {
  return api.request('POST', '/api/v1/support/webhooks', { body, schema: WebhookWithSecretSchema });
}

export function updateWebhook(
  api: ApiClient,
  id: string,
  body: { name?: string; url?: string; events?: WebhookEvent[]; enabled?: boolean },
) {
  return api.request('PATCH', `/api/v1/support/webhooks/${id}`, { body, schema: WebhookSchema });
}

export function deleteWebhook(api: ApiClient, id: string) {
  return api.request('DELETE', `/api/v1/support/webhooks/${id}`, { schema: undefined });
}

export function rotateWebhookSecret(api: ApiClient, id: string) {
  return api.request('POST', `/api/v1/support/webhooks/${id}/rotate-secret`, {
    schema: WebhookWithSecretSchema,
  });
}

/** The last deliveries, newest first. */
export function webhookDeliveries(api: ApiClient, id: string, limit = 20) {
  return api.request('GET', `/api/v1/support/webhooks/${id}/deliveries`, {
    query: { limit },
    schema: WebhookDeliveryListSchema,
  });
}

/** Queues a `ping` delivery; its outcome shows in the deliveries. */
export function testWebhook(api: ApiClient, id: string) {
  return api.request('POST', `/api/v1/support/webhooks/${id}/test`, { schema: QueuedSchema });
}
