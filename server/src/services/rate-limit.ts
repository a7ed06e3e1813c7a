import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitError } from '../errors.js';

export interface LimitSpec {
  /** Name of the limit; part of every key, so limits never share counters. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** One limit: `points` actions per `durationSeconds` per key; over it throws 429 with Retry-After. */
export class RateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(readonly spec: LimitSpec) {
    this.limiter = new RateLimiterMemory({
      keyPrefix: spec.name,
      points: spec.points,
      duration: spec.durationSeconds,
    });
  }

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
