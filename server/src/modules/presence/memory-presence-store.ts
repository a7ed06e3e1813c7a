import type { PresenceStore } from './presence-store.js';

/** Connection counts of one process. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly counts = new Map<string, number>();
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

  local(): ReadonlyMap<string, number> {
    return this.counts;
  }

  async clusterConnections() {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  async close() {}
}
