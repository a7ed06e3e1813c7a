import { CreateWidgetSessionSchema, WidgetSessionSchema } from '@abrik/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { WidgetSessionService } from './session.service.js';

const PATH = '/widget/v1/sessions';

/**
 * CORS for the widget's public routes: only a widget's allowed origins are ever named in
 * `Access-Control-Allow-Origin` (never `*`, never credentials). The preflight has no body, so it
 * asks whether any enabled widget lists the origin; the request itself checks its own widget.
 */
function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
}

const originOf = (request: FastifyRequest) => {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
};

/** `POST /widget/v1/sessions`: public, no bearer; the widget's origins decide. */
export const sessionRoutes =
  (deps: { sessions: WidgetSessionService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['widget'];

    r.options(PATH, { schema: { hide: true } }, async (request, reply) => {
      const origin = originOf(request);
      reply.header('vary', 'Origin');
      if (origin && (await deps.sessions.originKnown(origin))) {
        allowOrigin(reply, origin);
        reply.header('access-control-allow-methods', 'POST');
        reply.header('access-control-allow-headers', 'content-type, accept-language');
        reply.header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    });

    r.post(
      PATH,
      {
        schema: {
          tags,
          summary:
            'Open a visitor session of a widget (public; the Origin must be one of the widget’s). An anonymous visitor leaves nothing stored.',
          body: CreateWidgetSessionSchema,
          response: { 201: WidgetSessionSchema, ...errors },
        },
      },
      async (request, reply) => {
        const origin = originOf(request);
        const session = await deps.sessions.open({
          ...request.body,
          origin,
          host: request.headers.host,
          ip: request.ip,
          // From here on, its errors (an identity refused) are readable by the widget's page too.
          onOriginAllowed: (allowed) => allowOrigin(reply, allowed),
        });
        return reply.status(201).send(session);
      },
    );
  };
