import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis/client.js';
import { memoryReplayGuard, type ReplayGuard } from './identity.js';

/**
 * Seen identity-token ids, shared by every instance through Redis (SET NX with the token's
 * remaining life); in this process when the server runs without Redis, or while Redis does not
 * answer (as the platform's other short-lived state does: each instance then knows its own).
 */
export function replayGuard(redis: Redis | undefined, logger: Logger, now: () => number): ReplayGuard {
  const local = memoryReplayGuard(now);
  if (!redis) return local;
  const log = logger.child({ component: 'widget' });
  return {
    async claimOnce(key, ttlMs) {
      // Claimed locally first: a replay to this instance is refused even if Redis fails meanwhile.
      if (!(await local.claimOnce(key, ttlMs))) return false;
      if (!redis.isReady()) return true;
      try {
        const set = await redis.client.set(`${redis.prefix}widget:jti:${key}`, '1', {
          NX: true,
          PX: Math.max(1, Math.ceil(ttlMs)),
        });
        return set === 'OK';
      } catch (error) {
        log.warn({ err: error }, 'identity token id not shared through Redis; checked by this instance only');
        return true;
      }
    },
  };
}
