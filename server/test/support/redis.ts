import { createClient } from 'redis';

/** The Redis the suites use (keys under a prefix of their own). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.quit();
  }
}

/** True when Redis answers; under CI=true a Redis that does not answer fails the run. */
export const REDIS = await redisAnswers();
if (!REDIS && process.env.CI === 'true') throw new Error(`CI=true but Redis at ${REDIS_URL} does not answer`);
