import { type CsatAnswer, CsatLinkSchema, CsatViewSchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';

/** The customer rates the latest resolve of their support conversation (again, within the day). */
export function rateConversation(api: ApiClient, conversationId: string, answer: CsatAnswer) {
  return api.request('PUT', `/api/v1/support/conversations/${conversationId}/csat`, {
    body: answer,
    schema: CsatViewSchema,
  });
}

/** The SMS link's survey, without sign-in. */
export function csatLink(api: ApiClient, token: string) {
  return api.request('GET', `/api/v1/csat/${encodeURIComponent(token)}`, {
    schema: CsatLinkSchema,
    auth: false,
  });
}

export function answerCsatLink(api: ApiClient, token: string, answer: CsatAnswer) {
  return api.request('PUT', `/api/v1/csat/${encodeURIComponent(token)}`, {
    body: answer,
    schema: CsatLinkSchema,
    auth: false,
  });
}
