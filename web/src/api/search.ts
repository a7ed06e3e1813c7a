import { SearchMessagesPageSchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';

/**
 * Messages of my conversations (or of `conversationId`) whose words begin with every word of
 * `q`, newest first; `cursor` is the previous page's `nextCursor`.
 */
export function searchMessages(
  api: ApiClient,
  query: { q: string; conversationId?: string | undefined; cursor?: string | undefined; limit?: number },
) {
  return api.request('GET', '/api/v1/search/messages', {
    query: { q: query.q, conversationId: query.conversationId, cursor: query.cursor, limit: query.limit },
    schema: SearchMessagesPageSchema,
  });
}
