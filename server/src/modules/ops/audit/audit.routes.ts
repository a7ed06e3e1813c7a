import { AuditPageSchema, AuditQuerySchema } from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { AuditService } from './audit.service.js';

/** The audit trail, read-only: there is no route that changes or deletes an entry. */
export const auditRoutes =
  (deps: { audit: AuditService }): Routes =>
  async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/v1/audit',
      {
        schema: {
          tags: ['audit'],
          security: bearer,
          summary: 'Admins: admin and supervisor actions, newest first, with filters',
          querystring: AuditQuerySchema,
          response: { 200: AuditPageSchema, ...errors },
        },
      },
      async (request) => deps.audit.list(actorOf(request), request.query),
    );
  };
