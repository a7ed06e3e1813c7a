import { type SlaPolicy, SlaPolicyListSchema, SlaPolicySchema, SlaTargetListSchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';

/** What an admin sets on a policy: everything but its id and time of change. */
export type SlaPolicyInput = Omit<SlaPolicy, 'id' | 'updatedAt'>;

/** SLA policies, most specific first (admins write, supervisors read). */
export function slaPolicies(api: ApiClient) {
  return api.request('GET', '/api/v1/support/sla-policies', { schema: SlaPolicyListSchema });
}

export function createSlaPolicy(api: ApiClient, body: SlaPolicyInput) {
  return api.request('POST', '/api/v1/support/sla-policies', { body, schema: SlaPolicySchema });
}

export function updateSlaPolicy(api: ApiClient, id: string, body: Partial<SlaPolicyInput>) {
  return api.request('PATCH', `/api/v1/support/sla-policies/${id}`, { body, schema: SlaPolicySchema });
}

export function deleteSlaPolicy(api: ApiClient, id: string) {
  return api.request('DELETE', `/api/v1/support/sla-policies/${id}`, { schema: undefined });
}

/** A conversation's SLA targets, every cycle (staff who see the conversation). */
export function slaTargets(api: ApiClient, conversationId: string) {
  return api.request('GET', `/api/v1/support/conversations/${conversationId}/sla`, {
    schema: SlaTargetListSchema,
  });
}
