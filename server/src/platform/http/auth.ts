import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTokenVerifier, Actor } from '../auth.js';
import { UnauthorizedError } from '../errors.js';
import type { Locale } from '../i18n/messages.js';

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

/** onRequest hook that reads `Authorization: Bearer <access token>` and sets `request.actor`. */
export function authenticate(verify: AccessTokenVerifier) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('auth/unauthenticated');
    request.actor = (await verify(match[1])).actor;
  };
}
