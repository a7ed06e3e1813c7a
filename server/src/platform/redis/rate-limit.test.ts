import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../../test/support/logs.js';
import { REDIS, REDIS_URL } from '../../../test/support/redis.js';
import { RateLimitError } from '../errors.js';
import { connectRedis, type Redis } from './client.js';
import { rateLimits } from './rate-limit.js';

describe(rateLimits.name, () => {
  const opened: Redis[] = [];
  afterAll(async () => {
    for (const redis of opened) await redis.close();
  });
  const open = async (prefix: string) => {
    const redis = await connectRedis(REDIS_URL, prefix, capturingLogger().logger);
    opened.push(redis);
    return redis;
  };
  const spec = { name: 'test:limit', points: 2, durationSeconds: 60 };

  it.skipIf(!REDIS)(
    'keeps separate counts for two deployments sharing one Redis (REDIS_KEY_PREFIX)',
    async () => {
      const tag = randomBytes(4).toString('hex');
      const a = rateLimits(await open(`abrik-a-${tag}:`))(spec);
      const b = rateLimits(await open(`abrik-b-${tag}:`))(spec);
      await a.consume('+989121234567');
      await a.consume('+989121234567');
      await expect(a.consume('+989121234567')).rejects.toBeInstanceOf(RateLimitError);
      // The other deployment's limit for the same phone is untouched.
      await b.consume('+989121234567');
      await b.consume('+989121234567');
      await expect(b.consume('+989121234567')).rejects.toBeInstanceOf(RateLimitError);
    },
  );

  it.skipIf(!REDIS)("shares one deployment's count across its instances", async () => {
    const prefix = `abrik-${randomBytes(4).toString('hex')}:`;
    const first = rateLimits(await open(prefix))(spec);
    const second = rateLimits(await open(prefix))(spec);
    await first.consume('1.2.3.4');
    await second.consume('1.2.3.4');
    await expect(first.consume('1.2.3.4')).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
  });

  it('counts in the process without Redis, and a refund gives a point back', async () => {
    const limit = rateLimits()(spec);
    await limit.consume('k');
    await limit.consume('k');
    await limit.refund('k');
    await limit.consume('k');
    await expect(limit.consume('k')).rejects.toMatchObject({ details: { retryAfterSeconds: 60 } });
  });
});
