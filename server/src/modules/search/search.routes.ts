import { SearchMessagesPageSchema, SearchMessagesQuerySchema } from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, ErrorReply, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { SearchService } from './search.service.js';

/** Search in messages: across one's conversations, or inside one. */
export const searchRoutes =
  (deps: { search: SearchService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/v1/search/messages',
      {
        schema: {
          tags: ['search'],
          security: bearer,
          summary:
            'Messages whose words begin with every word of q (Persian letters, digits, ZWNJ and diacritics folded), newest first, in conversations the caller is a member of; conversationId limits it to one',
          querystring: SearchMessagesQuerySchema,
          response: { 200: SearchMessagesPageSchema, ...errors, 429: ErrorReply },
        },
      },
      async (request) => deps.search.messages(actorOf(request), request.query),
    );
  };
