import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors.js';
import type { Locale } from '../i18n/messages.js';
import type { Actor } from '../services/access.js';
import type { TokenService } from '../services/token.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    locale: Locale;
  }
}

/** The signed-in caller; routes behind `authenticate` always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthorizedError();
  return request.actor;
}

/** preHandler that reads `Authorization: Bearer <access token>` and sets `request.actor`. */
export function authenticate(tokens: TokenService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('auth/unauthenticated');
    const claims = await tokens.verifyAccess(match[1]);
    request.actor = { id: claims.userId, role: claims.role };
  };
}
