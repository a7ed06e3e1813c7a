import type { Presence } from '@abrik/protocol';
import type { Logger } from '../logger.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { DomainEvents } from './events.js';

/**
 * Who is online, for one instance: a user is online while any of their connections lives. A user
 * whose last connection closes is announced offline only after `offlineGraceMs`, so a page reload
 * does not flash offline→online to everyone. (With several instances this moves to Redis.)
 */
export class PresenceService {
  private readonly connections = new Map<string, number>();
  private readonly pendingOffline = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    logger: Logger,
    private readonly offlineGraceMs = 3000,
  ) {
    this.log = logger.child({ component: 'presence' });
  }

  connected(userId: string): void {
    const count = (this.connections.get(userId) ?? 0) + 1;
    this.connections.set(userId, count);
    const pending = this.pendingOffline.get(userId);
    if (pending) {
      clearTimeout(pending);
      this.pendingOffline.delete(userId);
      return; // never announced offline, so nothing to announce now
    }
    if (count === 1) this.events.publish('presence.changed', { userId, status: 'online', lastSeenAt: null });
  }

  disconnected(userId: string): void {
    const count = (this.connections.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.connections.set(userId, count);
      return;
    }
    this.connections.delete(userId);
    const timer = setTimeout(() => {
      this.pendingOffline.delete(userId);
      void this.goOffline(userId);
    }, this.offlineGraceMs);
    timer.unref();
    this.pendingOffline.set(userId, timer);
  }

  isOnline(userId: string): boolean {
    return this.connections.has(userId) || this.pendingOffline.has(userId);
  }

  /** Presence of the given users, limited to those who share a conversation with the viewer. */
  async query(viewerId: string, userIds: string[]): Promise<Presence[]> {
    const visible = await this.conversations.sharedWith(viewerId, [...new Set(userIds)]);
    const lastSeen = await this.users.getLastSeen(visible);
    return visible.map((userId) => ({
      userId,
      status: this.isOnline(userId) ? 'online' : 'offline',
      lastSeenAt: lastSeen.get(userId)?.toISOString() ?? null,
    }));
  }

  /** Who hears about this user's presence: everyone sharing a conversation with them. */
  audience(userId: string): Promise<string[]> {
    return this.conversations.contactsOf(userId);
  }

  /** Records last-seen for everyone still connected, announces nothing; used at shutdown. */
  async flush(): Promise<void> {
    for (const timer of this.pendingOffline.values()) clearTimeout(timer);
    const everyone = [...this.connections.keys(), ...this.pendingOffline.keys()];
    this.pendingOffline.clear();
    const now = new Date();
    await Promise.allSettled(everyone.map((id) => this.users.setLastSeen(id, now)));
  }

  private async goOffline(userId: string): Promise<void> {
    const lastSeenAt = new Date();
    try {
      await this.users.setLastSeen(userId, lastSeenAt);
    } catch (error) {
      this.log.warn({ err: error, userId }, 'could not store last-seen; presence is announced anyway');
    }
    this.events.publish('presence.changed', { userId, status: 'offline', lastSeenAt });
  }
}
