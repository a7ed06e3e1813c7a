import { CreateWidgetSessionSchema, ForgetWidgetSessionSchema, WidgetSessionSchema } from '@abrik/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import { isOwnOrigin, type WidgetSessionService } from './session.service.js';

const PATH = '/widget/v1/sessions';

/**
 * The chat frame's own memory of its visitor, for browsers that deny a frame on another site its
 * storage: a partitioned (CHIPS) cookie, keyed by the host site, holding the last session token.
 * HttpOnly and sent to the sessions route only; read only when our own frame asks.
 */
const cookieName = (widgetId: string) => `abrik_v_${widgetId.replaceAll('-', '')}`;
const cookieOf = (request: FastifyRequest, name: string): string | undefined => {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || undefined;
  }
  return undefined;
};
const setCookie = (reply: FastifyReply, name: string, value: string, maxAgeSeconds: number) =>
  reply.header(
    'set-cookie',
    `${name}=${value}; Path=${PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=None; Partitioned`,
  );

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
  (deps: { sessions: WidgetSessionService; rememberSeconds: number }): Routes =>
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
        const fromFrame = isOwnOrigin(origin, request.headers.host);
        const cookie = cookieName(request.body.widgetId);
        const remembered = fromFrame ? cookieOf(request, cookie) : undefined;
        const session = await deps.sessions.open({
          ...request.body,
          visitorToken: request.body.visitorToken ?? remembered,
          origin,
          host: request.headers.host,
          ip: request.ip,
          // From here on, its errors (an identity refused) are readable by the widget's page too.
          onOriginAllowed: (allowed) => allowOrigin(reply, allowed),
        });
        if (fromFrame) setCookie(reply, cookie, session.sessionToken, deps.rememberSeconds);
        return reply.status(201).send(session);
      },
    );

    r.post(
      `${PATH}/forget`,
      {
        schema: {
          tags,
          summary:
            'The chat frame forgets its visitor (the site signed them out): the frame’s cookie is cleared',
          body: ForgetWidgetSessionSchema,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        setCookie(reply, cookieName(request.body.widgetId), '', 0);
        return reply.status(204).send(null);
      },
    );
  };
