/** An agent's own availability for support work, next to being connected at all. */
export type Availability = 'available' | 'away';

/**
 * Where connection counts live. One instance: in memory. Several: in Redis, so a user is online
 * while any connection on any instance lives. Implementations answer from what they know when
 * their backend is unavailable, and converge again once it returns.
 */
export interface PresenceStore {
  /** Starts background work (heartbeats); resolves once the store is usable. */
  start(): Promise<void>;
  /** One more connection of the user here; `cameOnline` when it is their first anywhere. */
  connect(userId: string): Promise<{ cameOnline: boolean }>;
  /** One connection fewer; `lastHere` when no connection of the user remains on this instance. */
  disconnect(userId: string): Promise<{ lastHere: boolean }>;
  /** True when the user has no connection anywhere (checked again after the offline grace). */
  isOffline(userId: string): Promise<boolean>;
  online(userIds: string[]): Promise<Set<string>>;
  setAvailability(userId: string, availability: Availability): Promise<void>;
  /** Records which conversation a connection shows (null: none); forgotten when it disconnects. */
  setFocus(userId: string, connectionId: string, conversationId: string | null): Promise<void>;
  /** Of the users, those with a connection that shows this conversation now. */
  watching(userIds: string[], conversationId: string): Promise<Set<string>>;
  availability(userIds: string[]): Promise<Map<string, Availability>>;
  /** Users connected to this instance, with their connection counts. */
  local(): ReadonlyMap<string, number>;
  /** Connections over every live instance, or undefined when the store cannot tell. */
  clusterConnections(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Connection counts of one process. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly counts = new Map<string, number>();
  private readonly away = new Set<string>();
  private readonly focus = new Map<string, Map<string, string>>();

  async start() {}

  async setFocus(userId: string, connectionId: string, conversationId: string | null) {
    const mine = this.focus.get(userId) ?? new Map<string, string>();
    if (conversationId) mine.set(connectionId, conversationId);
    else mine.delete(connectionId);
    if (mine.size > 0) this.focus.set(userId, mine);
    else this.focus.delete(userId);
  }

  async watching(userIds: string[], conversationId: string) {
    return new Set(
      userIds.filter((id) => [...(this.focus.get(id)?.values() ?? [])].includes(conversationId)),
    );
  }

  async connect(userId: string) {
    const count = (this.counts.get(userId) ?? 0) + 1;
    this.counts.set(userId, count);
    return { cameOnline: count === 1 };
  }

  async disconnect(userId: string) {
    const count = (this.counts.get(userId) ?? 1) - 1;
    if (count > 0) this.counts.set(userId, count);
    else this.counts.delete(userId);
    return { lastHere: count <= 0 };
  }

  async isOffline(userId: string) {
    return !this.counts.has(userId);
  }

  async online(userIds: string[]) {
    return new Set(userIds.filter((id) => this.counts.has(id)));
  }

  async setAvailability(userId: string, availability: Availability) {
    if (availability === 'away') this.away.add(userId);
    else this.away.delete(userId);
  }

  async availability(userIds: string[]) {
    return new Map(
      userIds.map((id): [string, Availability] => [id, this.away.has(id) ? 'away' : 'available']),
    );
  }

  local(): ReadonlyMap<string, number> {
    return this.counts;
  }

  async clusterConnections() {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  async close() {}
}
