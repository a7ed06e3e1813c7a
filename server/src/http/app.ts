import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Database } from '../db/client.js';
import { AppError } from '../errors.js';
import { negotiateLocale } from '../i18n/messages.js';
import { type Logger, safeUrl } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Redis } from '../redis/client.js';
import type { AuthService } from '../services/auth.service.js';
import type { ConversationService } from '../services/conversation.service.js';
import type { DeviceService } from '../services/device.service.js';
import type { MessageService } from '../services/message.service.js';
import type { TokenService } from '../services/token.service.js';
import type { UserService } from '../services/user.service.js';
import { authenticate } from './context.js';
import { errorBody, httpErrorHandler } from './errors.js';
import { authRoutes } from './routes/auth.routes.js';
import { conversationRoutes } from './routes/conversation.routes.js';
import { deviceRoutes, vapidRoutes } from './routes/device.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { userRoutes } from './routes/user.routes.js';
import { webClientRoutes } from './routes/web.routes.js';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  database: Database;
  redis: Redis | undefined;
  instanceId: string;
  tokens: TokenService;
  auth: AuthService;
  users: UserService;
  conversations: ConversationService;
  messages: MessageService;
  devices: DeviceService;
  vapidPublicKey: string | undefined;
  /** The built web client (web/dist), served at `/`; without it, a placeholder page. */
  webDistDir: string;
  /** False in the worker role: only health and metrics. */
  api: boolean;
  bodyLimit: number;
  trustProxy: boolean;
  isDraining: () => boolean;
}

/** The Fastify app: routes are thin, every error answers `{error: {code, message}}`. */
export async function buildHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const log = deps.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: log,
    // Requests are logged once, by the onResponse hook below, without query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
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
    deps.metrics.httpDuration.observe(
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

  app.setErrorHandler(httpErrorHandler(log, (code) => deps.metrics.errorsTotal.inc({ code })));
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(new AppError(404, 'http/not_found'), request.locale));
  });

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
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(healthRoutes, {
    database: deps.database,
    redis: deps.redis,
    instanceId: deps.instanceId,
    metrics: deps.metrics,
    isDraining: deps.isDraining,
  });
  if (!deps.api) return app as unknown as FastifyInstance;
  await app.register(webClientRoutes, { root: deps.webDistDir });
  await app.register(authRoutes, { auth: deps.auth });
  await app.register(vapidRoutes, { publicKey: deps.vapidPublicKey });
  await app.register(async (scope) => {
    // onRequest, so a caller without a valid token learns that before anything else is checked.
    scope.addHook('onRequest', authenticate(deps.tokens));
    await scope.register(userRoutes, { users: deps.users });
    await scope.register(deviceRoutes, { devices: deps.devices });
    await scope.register(conversationRoutes, {
      conversations: deps.conversations,
      messages: deps.messages,
      onMessageStored: () => deps.metrics.messagesTotal.inc({ transport: 'http' }),
    });
  });
  // The pino logger instance narrows Fastify's logger type; callers need the plain instance.
  return app as unknown as FastifyInstance;
}
