import type { Db } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';
import { ephemeralStore } from '../../platform/redis/ephemeral.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { SmsProvider } from '../../providers/sms/sms.provider.js';
import { AuthRepository } from './auth.repository.js';
import { authRoutes } from './auth.routes.js';
import { AuthService, type AuthSettings } from './auth.service.js';
import { authPurgeJob } from './auth-purge.job.js';
import { sessionSocket } from './session.socket.js';
import { TokenService, type TokenSettings } from './token.service.js';
import { UserRepository } from './user.repository.js';
import { userRoutes } from './user.routes.js';
import { UserService } from './user.service.js';

export interface IdentityModule extends Module {
  auth: AuthService;
  tokens: TokenService;
  users: UserService;
}

/** Sign-in with SMS codes, access and refresh tokens, users and their platform roles. */
export function createIdentityModule(deps: {
  db: Db;
  events: DomainEvents;
  live: LiveEvents;
  sms: SmsProvider;
  limits: RateLimitFactory;
  /** Shares ended sessions and recent rotations across instances; without it, per process. */
  redis: Redis | undefined;
  logger: Logger;
  tokens: TokenSettings;
  auth: AuthSettings;
  lookupsPerHour: number;
  now?: (() => number) | undefined;
}): IdentityModule {
  const { db, events, limits, logger } = deps;
  const revoked = ephemeralStore(deps.redis, 'session-revoked');
  const tokens = new TokenService({
    ...deps.tokens,
    ...(deps.now ? { now: deps.now } : {}),
    isRevoked: async (sessionId) => (await revoked.get(sessionId)) !== undefined,
  });
  const users = new UserService({
    db,
    users: new UserRepository(db),
    events,
    lookupsPerHour: deps.lookupsPerHour,
    limits,
    logger,
  });
  const auth = new AuthService({
    db,
    auth: new AuthRepository(db),
    users,
    tokens,
    sms: deps.sms,
    events,
    settings: deps.auth,
    limits,
    logger,
    sessions: {
      revoked,
      rotations: ephemeralStore(deps.redis, 'refresh-rotated'),
      ended: (sessionId) => deps.live.publish('identity.session_ended', { sessionId }),
    },
    ...(deps.now ? { now: deps.now } : {}),
  });
  // At least once (a durable listener): a second `session:changed` only refreshes once more.
  events.listen('user.role_set', 'identity.tell-sessions', async (event) => {
    deps.live.publish('identity.role_changed', {
      userId: event.subject.slice('user:'.length),
      role: event.payload.role,
    });
  });
  return {
    name: 'identity',
    auth,
    tokens,
    users,
    routes: { public: [authRoutes({ auth })], authenticated: [userRoutes({ users })] },
    socket: sessionSocket(deps.live),
    jobs: [authPurgeJob(auth)],
  };
}
