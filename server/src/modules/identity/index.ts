import type { Db } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
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
  logger: Logger;
  tokens: TokenSettings;
  auth: AuthSettings;
  lookupsPerHour: number;
  now?: (() => number) | undefined;
}): IdentityModule {
  const { db, events, limits, logger } = deps;
  const tokens = new TokenService({ ...deps.tokens, ...(deps.now ? { now: deps.now } : {}) });
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
