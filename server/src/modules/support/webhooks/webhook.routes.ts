import {
  CreateWebhookSchema,
  SupportParamsSchema,
  UpdateWebhookSchema,
  WebhookDeliveryListSchema,
  WebhookDeliveryQuerySchema,
  WebhookListSchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { WebhookService } from './webhook.service.js';

/** Webhooks of the support lifecycle: admins manage them, supervisors read them. */
export const webhookRoutes =
  (deps: { webhooks: WebhookService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support webhooks'];
    const security = bearer;
    const { webhooks } = deps;
    const one = (summary: string) => ({ tags, security, summary, params: SupportParamsSchema });

    r.get(
      '/api/v1/support/webhooks',
      {
        schema: {
          tags,
          security,
          summary: 'Webhooks (secrets by their last four characters)',
          response: { 200: WebhookListSchema, ...errors },
        },
      },
      async (request) => ({ items: await webhooks.list(actorOf(request)) }),
    );
    r.post(
      '/api/v1/support/webhooks',
      {
        schema: {
          tags,
          security,
          summary: 'Create a webhook; the reply shows its secret, this once',
          body: CreateWebhookSchema,
          response: { 201: WebhookWithSecretSchema, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await webhooks.create(actorOf(request), request.body)),
    );
    r.patch(
      '/api/v1/support/webhooks/:id',
      {
        schema: {
          ...one('Rename, point elsewhere, change events, enable or disable'),
          body: UpdateWebhookSchema,
          response: { 200: WebhookSchema, ...errors },
        },
      },
      async (request) => webhooks.update(actorOf(request), request.params.id, request.body),
    );
    r.delete(
      '/api/v1/support/webhooks/:id',
      { schema: { ...one('Delete a webhook and its deliveries'), response: { 204: z.null(), ...errors } } },
      async (request, reply) => {
        await webhooks.delete(actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    r.post(
      '/api/v1/support/webhooks/:id/rotate-secret',
      {
        schema: {
          ...one('A new secret, at once; the reply shows it, this once'),
          response: { 200: WebhookWithSecretSchema, ...errors },
        },
      },
      async (request) => webhooks.rotateSecret(actorOf(request), request.params.id),
    );
    r.get(
      '/api/v1/support/webhooks/:id/deliveries',
      {
        schema: {
          ...one('The last deliveries, newest first'),
          querystring: WebhookDeliveryQuerySchema,
          response: { 200: WebhookDeliveryListSchema, ...errors },
        },
      },
      async (request) => ({
        items: await webhooks.deliveries(actorOf(request), request.params.id, request.query.limit),
      }),
    );
    r.post(
      '/api/v1/support/webhooks/:id/test',
      {
        schema: {
          ...one('Queue a ping delivery; see its outcome in the deliveries'),
          response: { 202: z.object({ queued: z.literal(true) }), ...errors },
        },
      },
      async (request, reply) => {
        await webhooks.test(actorOf(request), request.params.id);
        return reply.status(202).send({ queued: true });
      },
    );
  };
