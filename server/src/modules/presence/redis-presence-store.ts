import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis/client.js';
import type { PresenceChange, PresenceStore } from './presence-store.js';

export interface RedisPresenceOptions {
  instanceId: string;
  heartbeatMs: number;
  /** An instance whose heartbeat is older than this is dead, and its users' connections with it. */
  instanceTtlMs: number;
  /** After a clean shutdown, how long its users have to reconnect elsewhere before going offline. */
  leaveGraceMs: number;
  /** Presence changes the store found by itself (a dead instance's users, a reconcile). */
  onChange: (changes: PresenceChange[]) => void;
  logger: Logger;
  now?: () => number;
}

const keys = (p: string) => ({
  instances: `${p}presence:instances`, // zset: instance → last heartbeat (ms)
  connections: `${p}presence:connections`, // hash: instance → open connections
  leaving: `${p}presence:leaving`, // zset: instance shut down cleanly → when to sweep it (ms)
  lock: `${p}presence:sweep-lock`,
  focus: (userId: string) => `${p}presence:focus:${userId}`, // hash: connection → conversation
  user: (userId: string) => `${p}presence:user:${userId}`, // hash: instance → connections
  usersOf: (instanceId: string) => `${p}presence:instance:${instanceId}:users`, // set
});

// Sets this instance's count for the user (absolute, so a repeat heals rather than drifts) and
// answers how many instances hold connections of the user.
const PUT = `
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[3])
end
return redis.call('HLEN', KEYS[1])`;

// Heartbeat: answers 1 when this instance was still registered, 0 when it had been given up
// for dead (its users were swept) and must put its connections back.
const BEAT = `
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if known then return 1 else return 0 end`;

// Removes a dead instance's share of every user's presence; answers the users left with none.
const SWEEP = `
local gone = {}
local users = redis.call('SMEMBERS', KEYS[1])
for _, user in ipairs(users) do
  local key = ARGV[2] .. user
  redis.call('HDEL', key, ARGV[1])
  if redis.call('HLEN', key) == 0 then table.insert(gone, user) end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return gone`;

/**
 * Presence shared by every instance through Redis. Each instance keeps its own connection counts
 * (the truth for its share) and mirrors them into Redis; a heartbeat marks it alive. Whichever
 * instance holds the sweep lock removes the share of instances whose heartbeat stopped — a
 * SIGKILLed instance's users go offline within one TTL plus one heartbeat, with no restart.
 * After a Redis outage or a false death, the instance writes its share again (reconcile).
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly counts = new Map<string, number>();
  private readonly log: Logger;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private dirty = false;
  private readonly K: ReturnType<typeof keys>;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisPresenceOptions,
  ) {
    this.log = options.logger.child({ component: 'presence', instance: options.instanceId });
    this.now = options.now ?? Date.now;
    this.K = keys(redis.prefix);
    redis.onRecovered(() => {
      this.dirty = true;
      void this.heartbeat();
    });
  }

  /** Starts the heartbeat (and the sweeping of dead instances). */
  async start(): Promise<void> {
    // A previous process with the same INSTANCE_ID (a restart) may have left a share behind:
    // its connections are gone, so clear it before writing ours.
    if (this.redis.isReady()) {
      try {
        const gone = await this.sweep(this.options.instanceId);
        await this.redis.client.zRem(this.K.leaving, this.options.instanceId);
        if (gone.length > 0) {
          const at = new Date(this.now());
          this.options.onChange(gone.map((userId) => ({ userId, status: 'offline', lastSeenAt: at })));
        }
      } catch (error) {
        this.log.warn({ err: error }, 'could not clear an earlier share of this instance id');
      }
    }
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  async connect(userId: string) {
    const count = (this.counts.get(userId) ?? 0) + 1;
    this.counts.set(userId, count);
    const instances = await this.put(userId, count);
    // Without Redis, judge from what this instance sees; the reconcile corrects it later.
    return { cameOnline: count === 1 && (instances === undefined || instances === 1) };
  }

  async disconnect(userId: string) {
    const count = (this.counts.get(userId) ?? 1) - 1;
    if (count > 0) this.counts.set(userId, count);
    else this.counts.delete(userId);
    await this.put(userId, Math.max(count, 0));
    return { lastHere: count <= 0 };
  }

  async isOffline(userId: string) {
    if (this.counts.has(userId)) return false;
    if (!this.redis.isReady()) return true;
    try {
      return (await this.redis.client.hLen(this.K.user(userId))) === 0;
    } catch {
      return true;
    }
  }

  async online(userIds: string[]) {
    const result = new Set(userIds.filter((id) => this.counts.has(id)));
    const others = userIds.filter((id) => !result.has(id));
    if (others.length === 0 || !this.redis.isReady()) return result;
    try {
      const multi = this.redis.client.multi();
      for (const id of others) multi.hLen(this.K.user(id));
      const replies = await multi.exec();
      others.forEach((id, i) => {
        if (Number(replies[i]) > 0) result.add(id);
      });
    } catch (error) {
      this.log.warn({ err: error }, 'presence lookup in Redis failed; answering from this instance only');
    }
    return result;
  }

  async setFocus(userId: string, connectionId: string, conversationId: string | null) {
    if (!this.redis.isReady()) return;
    const key = this.K.focus(userId);
    if (conversationId) {
      // Expires with the instance's TTL if nothing refreshes it (a crashed instance's focus).
      await this.redis.client
        .multi()
        .hSet(key, connectionId, conversationId)
        .pExpire(key, this.options.instanceTtlMs * 20)
        .exec();
    } else {
      await this.redis.client.hDel(key, connectionId);
    }
  }

  async watching(userIds: string[], conversationId: string) {
    const result = new Set<string>();
    if (userIds.length === 0 || !this.redis.isReady()) return result;
    const multi = this.redis.client.multi();
    for (const id of userIds) multi.hVals(this.K.focus(id));
    const replies = await multi.exec();
    userIds.forEach((id, i) => {
      const focused = replies[i];
      if (Array.isArray(focused) && focused.includes(conversationId)) result.add(id);
    });
    return result;
  }

  local(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Connections on every live instance together, or undefined without Redis. */
  async clusterConnections(): Promise<number | undefined> {
    if (!this.redis.isReady()) return undefined;
    const live = await this.redis.client.zRangeByScore(
      this.K.instances,
      this.now() - this.options.instanceTtlMs,
      '+inf',
    );
    if (live.length === 0) return 0;
    const counts = await this.redis.client.hmGet(this.K.connections, live);
    return counts.reduce((sum, n) => sum + Number(n ?? 0), 0);
  }

  /**
   * Leaves the cluster: the heartbeat stops and this instance's share is dated so that the sweep
   * removes it `leaveGraceMs` from now. Users whose clients reconnect to another instance within
   * that time (they do at once after a SIGTERM) are never shown offline; the others are announced
   * offline by a surviving instance, as after a crash but sooner.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    if (!this.redis.isReady()) return;
    const now = this.now();
    try {
      await this.redis.client
        .multi()
        .zAdd(this.K.instances, { score: now, value: this.options.instanceId })
        .zAdd(this.K.leaving, { score: now + this.options.leaveGraceMs, value: this.options.instanceId })
        .hSet(this.K.connections, this.options.instanceId, '0')
        .exec();
    } catch (error) {
      this.log.warn({ err: error }, 'could not mark this instance as leaving; its share expires by TTL');
    }
  }

  private async put(userId: string, count: number): Promise<number | undefined> {
    if (!this.redis.isReady()) {
      this.dirty = true;
      return undefined;
    }
    try {
      const instances = await this.redis.client.eval(PUT, {
        keys: [this.K.user(userId), this.K.usersOf(this.options.instanceId)],
        arguments: [this.options.instanceId, String(count), userId],
      });
      return Number(instances);
    } catch (error) {
      this.dirty = true;
      this.log.warn(
        { err: error, userId },
        'presence update in Redis failed; it is written again on reconnect',
      );
      return undefined;
    }
  }

  private heartbeat(): Promise<void> {
    this.beating ??= this.beat().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async beat(): Promise<void> {
    if (!this.redis.isReady()) return;
    const { client } = this.redis;
    const id = this.options.instanceId;
    try {
      const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
      const known = await client.eval(BEAT, {
        keys: [this.K.instances, this.K.connections],
        arguments: [id, String(this.now()), String(total)],
      });
      if (Number(known) === 0 || this.dirty) await this.reconcile();
      const locked = await client.set(this.K.lock, id, { NX: true, PX: this.options.heartbeatMs });
      if (locked) await this.sweepDead();
    } catch (error) {
      this.log.warn({ err: error }, 'presence heartbeat failed; retried at the next beat');
    }
  }

  /** Writes this instance's share again and drops what it no longer holds. */
  private async reconcile(): Promise<void> {
    this.dirty = false;
    const { client } = this.redis;
    const id = this.options.instanceId;
    const recorded = await client.sMembers(this.K.usersOf(id));
    const changes: PresenceChange[] = [];
    const at = new Date(this.now());
    for (const userId of recorded) {
      if (this.counts.has(userId)) continue;
      const left = await this.put(userId, 0);
      if (left === 0) changes.push({ userId, status: 'offline', lastSeenAt: at });
    }
    for (const [userId, count] of this.counts) {
      await this.put(userId, count);
      // Others may have been told this user went offline while Redis was away.
      changes.push({ userId, status: 'online', lastSeenAt: null });
    }
    this.log.info(
      { users: this.counts.size, offline: changes.filter((c) => c.status === 'offline').length },
      'presence written again to Redis',
    );
    if (changes.length > 0) this.options.onChange(changes);
  }

  /** Sweeps instances whose heartbeat stopped, and those that left cleanly and whose grace is over. */
  private async sweepDead(): Promise<void> {
    const { client } = this.redis;
    const now = this.now();
    const stale = await client.zRangeByScore(this.K.instances, '-inf', now - this.options.instanceTtlMs);
    const left = await client.zRangeByScore(this.K.leaving, '-inf', now);
    for (const instance of new Set([...stale, ...left])) {
      if (instance === this.options.instanceId) continue;
      const lastBeat = await client.zScore(this.K.instances, instance);
      const gone = await this.sweep(instance);
      await client.zRem(this.K.leaving, instance);
      const lastSeenAt = new Date(lastBeat ?? now);
      this.log[left.includes(instance) ? 'info' : 'warn'](
        { otherInstance: instance, lastHeartbeat: lastSeenAt.toISOString(), offline: gone.length },
        left.includes(instance)
          ? 'instance shut down; users who did not reconnect elsewhere are offline'
          : 'instance stopped sending heartbeats; its connections are gone and its users offline',
      );
      if (gone.length > 0)
        this.options.onChange(gone.map((userId) => ({ userId, status: 'offline', lastSeenAt })));
    }
  }

  private async sweep(instance: string): Promise<string[]> {
    const gone = await this.redis.client.eval(SWEEP, {
      keys: [this.K.usersOf(instance), this.K.instances, this.K.connections],
      arguments: [instance, this.K.user('')],
    });
    return (gone as string[]) ?? [];
  }
}
