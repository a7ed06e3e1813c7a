import {
  CreateWidgetSchema,
  RotateWidgetSecretSchema,
  UpdateWidgetSchema,
  WidgetListSchema,
  WidgetParamsSchema,
  WidgetSchema,
  WidgetWithSecretSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { WidgetAdminService } from './admin.service.js';

/** Widgets' settings: admins write, supervisors read. */
export const widgetAdminRoutes =
  (deps: { admin: WidgetAdminService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['widget settings'];
    const security = bearer;
    const { admin } = deps;
    const one = (summary: string) => ({ tags, security, summary, params: WidgetParamsSchema });

    r.get(
      '/api/v1/widgets',
      {
        schema: {
          tags,
          security,
          summary: 'Website widgets',
          response: { 200: WidgetListSchema, ...errors },
        },
      },
      async (request) => ({ items: await admin.list(actorOf(request)) }),
    );
    r.post(
      '/api/v1/widgets',
      {
        schema: {
          tags,
          security,
          summary: 'Create a widget; its secret is answered this once',
          body: CreateWidgetSchema,
          response: { 201: WidgetWithSecretSchema, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await admin.create(actorOf(request), request.body)),
    );
    r.get(
      '/api/v1/widgets/:id',
      {
        schema: {
          ...one('One widget, with the snippet to paste'),
          response: { 200: WidgetSchema, ...errors },
        },
      },
      async (request) => admin.get(actorOf(request), request.params.id),
    );
    r.patch(
      '/api/v1/widgets/:id',
      {
        schema: {
          ...one('Change a widget'),
          body: UpdateWidgetSchema,
          response: { 200: WidgetSchema, ...errors },
        },
      },
      async (request) => admin.update(actorOf(request), request.params.id, request.body),
    );
    r.delete(
      '/api/v1/widgets/:id',
      {
        schema: {
          ...one('Delete a widget (and its contacts’ links)'),
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await admin.delete(actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    r.post(
      '/api/v1/widgets/:id/rotate-secret',
      {
        schema: {
          ...one('A new secret, answered this once; the one before stays valid for the grace'),
          // Optional: a POST without a body reaches the handler as null.
          body: RotateWidgetSecretSchema.nullish(),
          response: { 200: WidgetWithSecretSchema, ...errors },
        },
      },
      async (request) => admin.rotateSecret(actorOf(request), request.params.id, request.body?.graceSeconds),
    );
  };
