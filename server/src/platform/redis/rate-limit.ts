import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitError } from '../errors.js';
import type { Redis } from './client.js';

export interface LimitSpec {
  /** Name of the limit; part of every key, so limits never share counters. */
  name: string;
  points: number;
  durationSeconds: number;
}

type Limiter = RateLimiterMemory | RateLimiterRedis;

/** One limit: `points` actions per `durationSeconds` per key; over it throws 429 with Retry-After. */
export class RateLimit {
  constructor(
    readonly spec: LimitSpec,
    private readonly limiter: Limiter,
  ) {}

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        throw new RateLimitError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
      }
      throw error;
    }
  }

  /** Gives a point back, e.g. when the action it paid for failed on our side. */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }
}

export type RateLimitFactory = (spec: LimitSpec) => RateLimit;

/**
 * Makes limits that count in Redis when there is one, so they hold across instances, and in this
 * process otherwise. Keys carry REDIS_KEY_PREFIX, so deployments sharing a Redis keep their own
 * counts. While Redis is unreachable the limits count per process (the insurance limiter).
 */
export function rateLimits(redis?: Redis): RateLimitFactory {
  return (spec) => {
    const options = {
      keyPrefix: `${redis?.prefix ?? ''}rl:${spec.name}`,
      points: spec.points,
      duration: spec.durationSeconds,
    };
    if (!redis) return new RateLimit(spec, new RateLimiterMemory(options));
    return new RateLimit(
      spec,
      new RateLimiterRedis({
        ...options,
        // Once a key is over, it is refused from memory until its window ends: a flood costs
        // Redis one call per instance, not one per refused attempt.
        inMemoryBlockOnConsumed: spec.points + 1,
        storeClient: redis.client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      }),
    );
  };
}
