import type { LiveEvents } from '../../platform/events/live-events.js';
import type { LatePort } from '../../platform/late-port.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { UserService } from '../identity/user.service.js';
import { MemoryPresenceStore } from './memory-presence-store.js';
import { type AvailabilityPort, PresenceService } from './presence.service.js';
import { presenceSocket } from './presence.socket.js';
import type { PresenceStore } from './presence-store.js';
import { RedisPresenceStore } from './redis-presence-store.js';

export interface PresenceModule extends Module {
  presence: PresenceService;
  /** Who is connected where; notifications ask it who is online and what they are looking at. */
  store: PresenceStore;
  /** Starts heartbeats (with Redis), after the gateway subscribed to presence changes. */
  start(): Promise<void>;
}

/** Who is online, across instances with Redis; staff availability; what each connection shows. */
export function createPresenceModule(deps: {
  redis: Redis | undefined;
  users: UserService;
  conversations: ConversationService;
  live: LiveEvents;
  logger: Logger;
  instanceId: string;
  heartbeatSeconds: number;
  instanceTtlSeconds: number;
  /** After a user's last connection closes, wait this long before announcing them offline. */
  offlineGraceMs: number;
  /** With Redis: after a clean shutdown, how long its users have to reconnect elsewhere. */
  leaveGraceMs: number;
  groupLimit: number;
  /** Staff availability, from the support desk once it is built. */
  availability?: LatePort<AvailabilityPort>;
}): PresenceModule {
  const { redis, logger } = deps;
  let presence: PresenceService | undefined;
  const store: PresenceStore = redis
    ? new RedisPresenceStore(redis, {
        instanceId: deps.instanceId,
        heartbeatMs: deps.heartbeatSeconds * 1000,
        instanceTtlMs: deps.instanceTtlSeconds * 1000,
        leaveGraceMs: deps.leaveGraceMs,
        onChange: (changes) => void presence?.applyChanges(changes),
        logger,
      })
    : new MemoryPresenceStore();
  presence = new PresenceService({
    store,
    users: deps.users,
    conversations: deps.conversations,
    live: deps.live,
    logger,
    offlineGraceMs: deps.offlineGraceMs,
    groupLimit: deps.groupLimit,
    ...(deps.availability ? { availability: deps.availability } : {}),
  });
  const service = presence;
  return {
    name: 'presence',
    presence: service,
    store,
    start: () => store.start(),
    socket: presenceSocket({ presence: service, live: deps.live, logger }),
    async stop() {
      await service.flush();
      await store.close();
    },
  };
}
