import {
  CsatAnswerSchema,
  CsatViewSchema,
  StartWidgetConversationSchema,
  SupportParamsSchema,
  WidgetAttributesChangeSchema,
  WidgetAttributesSchema,
  WidgetStartedSchema,
  WidgetStateSchema,
} from '@abrik/protocol';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { WidgetVisitorService } from './visitor.service.js';

/** The visitor's session token from `Authorization: Bearer …` (the chat frame holds it). */
const bearerOf = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]{1,4096})$/i.exec(header) : null;
  return match?.[1];
};

/**
 * The chat frame's routes (same origin as the frame, so no CORS): the visitor's state, their first
 * message, their attributes, their rating. Bearer: a visitor session token (audience `widget`).
 */
export const visitorRoutes =
  (deps: { visitors: WidgetVisitorService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['widget'];
    const security = [{ widgetSession: [] }];
    const { visitors } = deps;
    const session = (request: FastifyRequest) => visitors.session(bearerOf(request));

    r.get(
      '/widget/v1/state',
      {
        schema: {
          tags,
          security,
          summary: 'What the chat frame shows: the widget, its hours, the visitor and their conversations',
          response: { 200: WidgetStateSchema, ...errors },
        },
      },
      async (request) => visitors.state(await session(request), request.ip),
    );

    r.post(
      '/widget/v1/conversations',
      {
        schema: {
          tags,
          security,
          summary:
            'The visitor’s first message opens a conversation (and makes them a contact); retried with the same clientMsgId it answers the same one',
          body: StartWidgetConversationSchema,
          response: { 201: WidgetStartedSchema, ...errors },
        },
      },
      async (request, reply) => {
        const started = await visitors.start(await session(request), request.body, request.ip);
        return reply.status(201).send(started);
      },
    );

    r.patch(
      '/widget/v1/attributes',
      {
        schema: {
          tags,
          security,
          summary: 'Merge the site’s attributes into the visitor’s contact (null removes one); unverified',
          body: WidgetAttributesChangeSchema,
          response: { 200: z.object({ attributes: WidgetAttributesSchema }), ...errors },
        },
      },
      async (request) => ({
        attributes: await visitors.setAttributes(await session(request), request.body.attributes),
      }),
    );

    r.post(
      '/widget/v1/conversations/:id/csat',
      {
        schema: {
          tags,
          security,
          summary: 'The visitor rates their conversation’s latest resolve (or changes it within a day)',
          params: SupportParamsSchema,
          body: CsatAnswerSchema,
          response: { 200: CsatViewSchema, ...errors },
        },
      },
      async (request) =>
        visitors.answerCsat(await session(request), request.params.id, request.body, request.ip),
    );
  };
