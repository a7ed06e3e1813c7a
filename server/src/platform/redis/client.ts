import { createClient } from 'redis';
import { withTimeout } from '../async.js';
import type { Logger } from '../logger.js';

function createRedisClient(url: string) {
  return createClient({
    url,
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000),
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

export interface Redis {
  client: RedisClient;
  /** Prefix for every key and stream this deployment uses (REDIS_KEY_PREFIX). */
  prefix: string;
  /** True while the connection is up and commands are answered. */
  isReady(): boolean;
  /** Called every time the connection comes back after it was lost. */
  onRecovered(listener: () => void): void;
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to Redis and keeps reconnecting (backing off to 2 s) for as long as the process lives.
 * Losing Redis is logged once, its return once; callers learn about it through `onRecovered`.
 * Commands sent while disconnected wait in node-redis' offline queue, so callers that must not
 * wait check `isReady()` first.
 */
export async function connectRedis(url: string, prefix: string, logger: Logger): Promise<Redis> {
  const log = logger.child({ component: 'redis' });
  const client = createRedisClient(url);
  const listeners: (() => void)[] = [];
  let lost = false;
  client.on('error', (error: Error) => {
    if (!lost) log.warn({ err: error }, 'Redis connection lost; serving local clients only, reconnecting');
    lost = true;
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info('Redis connection restored; cross-instance delivery resumes and clients are told to sync');
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error }, 'a Redis recovery listener failed');
      }
    }
  });
  // Start even when Redis is down: this instance serves its own clients meanwhile, and the
  // reconnect strategy keeps trying (a later 'ready' counts as a recovery).
  const connected = client.connect().then(
    () => true,
    (error: unknown) => {
      log.error({ err: error }, 'Redis connection failed for good; running without it');
      return false;
    },
  );
  const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref());
  if (!(await Promise.race([connected, timer]))) {
    lost = true;
    log.warn('Redis did not answer at start; starting without it, it is tried again in the background');
  }
  return {
    client,
    prefix,
    isReady: () => client.isReady,
    onRecovered: (listener) => listeners.push(listener),
    async ping(timeoutMs) {
      if (!client.isReady) throw new Error('Redis is not connected');
      await withTimeout(client.ping(), timeoutMs, 'Redis ping');
    },
    async close() {
      listeners.length = 0;
      if (!client.isOpen) return;
      // QUIT waits for a connection that may never come back: without one, just stop trying.
      if (!client.isReady) client.destroy();
      else await client.quit().catch(() => client.destroy());
    },
  };
}
