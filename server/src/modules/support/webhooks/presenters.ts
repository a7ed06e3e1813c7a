import type { Webhook, WebhookDelivery, WebhookEvent, WebhookWithSecret } from '@abrik/protocol';
import type { WebhookDeliveryRow, WebhookRow } from './tables.js';

/** A webhook as staff see it: the secret only by its last four characters. */
export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as WebhookEvent[],
    enabled: row.enabled,
    secretHint: row.secret.slice(-4),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Create and rotate-secret: the one time the secret is shown. */
export const toWebhookWithSecret = (row: WebhookRow): WebhookWithSecret => ({
  ...toWebhook(row),
  secret: row.secret,
});

export function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: String(row.id),
    webhookId: row.webhookId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
