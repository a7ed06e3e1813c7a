import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AccessTokenVerifier } from '../auth.js';
import { AppError } from '../errors.js';
import { negotiateLocale } from '../i18n/messages.js';
import { type Logger, safeUrl } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Routes } from '../module.js';
import { authenticate } from './auth.js';
import { errorBody, httpErrorHandler, toAppError } from './errors.js';
import { webClient } from './web-client.js';

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  verifyAccessToken: AccessTokenVerifier;
  /** The modules' routes: public ones, and those behind the access token. */
  routes: { public: Routes[]; authenticated: Routes[] };
  /** The built web client (web/dist), served at `/`; without it, a placeholder page. False: none. */
  webDistDir: string | false;
  bodyLimit: number;
  trustProxy: boolean;
}

/**
 * Paths the server answers itself (not the web client's pages). The widget's API is one; its
 * loader script (`/widget/loader.js`, loaded by other sites) is a static file, not.
 */
const SERVER_OWN = /^\/(api|health|metrics|widget\/v1)(\/|\?|$)/;

/** The Fastify server: routes are thin, every error answers `{error: {code, message}}`. */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const log = options.logger.child({ component: 'http' });
  const app = Fastify({
    // As Fastify's own logger type, so routes and plugins see the plain FastifyInstance.
    loggerInstance: log as FastifyBaseLogger,
    // Requests are logged once, by the onResponse hook below, without query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // Errors Node's HTTP parser meets before Fastify has a request (headers or URL too large, a
    // malformed request, a timeout): our shape too, in Persian (no headers were read to choose).
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const code = (error as NodeJS.ErrnoException).code;
      const appError =
        code === 'HPE_HEADER_OVERFLOW'
          ? new AppError(431, 'http/headers_too_large')
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? new AppError(408, 'http/request_timeout')
            : new AppError(400, 'http/bad_request');
      options.metrics.errorsTotal.inc({ code: appError.code });
      const body = JSON.stringify(errorBody(appError, 'fa'));
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(error);
    },
    // Errors the router meets before any route (a malformed or overlong URL): the same shape as
    // every other error, and never the URL echoed back.
    frameworkErrors: (error, request, reply) => {
      const appError = toAppError(error);
      options.metrics.errorsTotal.inc({ code: appError.code });
      const body = errorBody(appError, negotiateLocale(request.headers['accept-language']));
      void (reply as FastifyReply).status(appError.status).send(body);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API speaks JSON only: other bodies answer 415.
  app.removeContentTypeParser(['text/plain']);
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'fa');

  app.addHook('onRequest', async (request, reply) => {
    request.locale = negotiateLocale(request.headers['accept-language']);
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const line = {
      reqId: request.id,
      method: request.method,
      url: safeUrl(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      userId: request.actor?.id,
    };
    if (reply.statusCode >= 500) log.warn(line, 'request answered with a server error');
    else log.debug(line, 'request');
  });

  // The server's own answers (the API, its docs, health, metrics) carry the security headers the
  // web client's pages carry (web-client.ts sets those, with the pages' own policy).
  app.addHook('onSend', async (request, reply, payload) => {
    if (!SERVER_OWN.test(request.url)) return payload;
    const docs = request.url.startsWith('/api/docs');
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-resource-policy': 'same-origin',
      // Data, never a page: nothing may load or frame it. The docs viewer loads its own scripts.
      'content-security-policy': docs
        ? "frame-ancestors 'none'"
        : "default-src 'none'; frame-ancestors 'none'",
    };
    for (const [name, value] of Object.entries(headers)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });

  app.setErrorHandler(httpErrorHandler(log, (code) => options.metrics.errorsTotal.inc({ code })));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(new AppError(404, 'http/not_found'), request.locale));
  });

  // Answers over 1 kB (JSON lists, the docs) go out brotli- or gzip-compressed when the client
  // accepts it; the web client's files carry the copies the build compressed (web-client.ts),
  // which this leaves alone. Socket.IO bypasses Fastify (it compresses its own polling bodies).
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024 });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Abrik Chat API',
        version: '1',
        description:
          'Phone sign-in, conversations and messages. Realtime events travel over Socket.IO on the same port (see docs/api.md). Errors are `{error: {code, message}}`; messages follow Accept-Language (fa by default, en).',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          // A website widget visitor's session token (audience `widget`), for the /widget/v1 routes.
          widgetSession: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  for (const routes of options.routes.public) await app.register(routes);
  if (options.webDistDir !== false) await app.register(webClient, { root: options.webDistDir });
  await app.register(async (scope) => {
    // onRequest, so a caller without a valid token learns that before anything else is checked.
    scope.addHook('onRequest', authenticate(options.verifyAccessToken));
    for (const routes of options.routes.authenticated) await scope.register(routes);
  });
  return app;
}
