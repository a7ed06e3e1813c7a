import type { Redis } from './client.js';

/**
 * Short-lived values (seconds), shared by every instance through Redis when it is there and
 * answering; otherwise kept in this process (one instance, or Redis down: each instance knows
 * what it set itself). Values are small strings.
 */
export interface EphemeralStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export function ephemeralStore(redis: Redis | undefined, name: string, now = Date.now): EphemeralStore {
  const local = new Map<string, { value: string; until: number }>();
  const fullKey = (key: string) => `${redis?.prefix ?? ''}${name}:${key}`;
  const sweep = () => {
    const at = now();
    for (const [key, entry] of local) if (entry.until <= at) local.delete(key);
  };
  return {
    async get(key) {
      const entry = local.get(key);
      if (entry && entry.until > now()) return entry.value;
      if (!redis?.isReady()) return undefined;
      try {
        return (await redis.client.get(fullKey(key))) ?? undefined;
      } catch {
        return undefined; // Redis failing: what this instance knows is all there is
      }
    },
    async set(key, value, ttlMs) {
      if (local.size > 10_000) sweep();
      local.set(key, { value, until: now() + ttlMs });
      if (!redis?.isReady()) return;
      try {
        await redis.client.set(fullKey(key), value, { PX: Math.max(1, Math.ceil(ttlMs)) });
      } catch {
        // Kept locally; other instances learn it when their own check comes to this one.
      }
    },
  };
}
