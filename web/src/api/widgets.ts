import {
  type CreateWidgetSchema,
  type UpdateWidgetSchema,
  WidgetListSchema,
  WidgetSchema,
  WidgetWithSecretSchema,
} from '@abrik/protocol';
import type { z } from 'zod';
import type { ApiClient } from './client.js';

export type CreateWidget = z.input<typeof CreateWidgetSchema>;
export type UpdateWidget = z.input<typeof UpdateWidgetSchema>;
/** A widget as create and rotate answer it: with its secret, this once. */
export type WidgetWithSecret = z.infer<typeof WidgetWithSecretSchema>;

/** Website widgets (admins manage them, supervisors read them). */
export function widgets(api: ApiClient) {
  return api.request('GET', '/api/v1/widgets', { schema: WidgetListSchema });
}

/** The reply holds the whole secret: the only time it is shown, with rotateWidgetSecret's. */
export function createWidget(api: ApiClient, body: CreateWidget) {
  return api.request('POST', '/api/v1/widgets', { body, schema: WidgetWithSecretSchema });
}

export function updateWidget(api: ApiClient, id: string, body: UpdateWidget) {
  return api.request('PATCH', `/api/v1/widgets/${id}`, { body, schema: WidgetSchema });
}

export function deleteWidget(api: ApiClient, id: string) {
  return api.request('DELETE', `/api/v1/widgets/${id}`, { schema: undefined });
}

/** A new secret; the one before stays valid for `graceSeconds` (unset: the server's setting). */
export function rotateWidgetSecret(api: ApiClient, id: string, graceSeconds?: number) {
  return api.request('POST', `/api/v1/widgets/${id}/rotate-secret`, {
    ...(graceSeconds !== undefined ? { body: { graceSeconds } } : {}),
    schema: WidgetWithSecretSchema,
  });
}
