import type { Presence } from '@abrik/protocol';
import type { Logger } from '../logger.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { Actor } from './access.js';
import type { DomainEvents } from './events.js';
import type { Availability, PresenceStore } from './presence.store.js';

const STAFF = new Set(['agent', 'admin']);

/**
 * Who is online: a user is online while any of their connections lives (on any instance, when the
 * store is shared). A user whose last connection closes is announced offline only after
 * `offlineGraceMs` and only if no connection came back meanwhile, so a page reload does not flash
 * offline→online to everyone. Last-seen is stored when someone goes offline.
 */
export class PresenceService {
  private readonly pendingOffline = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;

  constructor(
    private readonly store: PresenceStore,
    private readonly users: UserRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    logger: Logger,
    private readonly offlineGraceMs = 3000,
    /** Groups bigger than this get no presence broadcasts (members ask with presence:query). */
    private readonly groupLimit = 100,
  ) {
    this.log = logger.child({ component: 'presence' });
  }

  async connected(userId: string): Promise<void> {
    const pending = this.pendingOffline.get(userId);
    if (pending) {
      clearTimeout(pending);
      this.pendingOffline.delete(userId);
    }
    const { cameOnline } = await this.store.connect(userId);
    // A reconnect within the grace period was never announced offline: nothing to announce now.
    if (cameOnline && !pending) this.announce({ userId, status: 'online', lastSeenAt: null });
  }

  async disconnected(userId: string): Promise<void> {
    const { lastHere } = await this.store.disconnect(userId);
    if (!lastHere) return;
    clearTimeout(this.pendingOffline.get(userId));
    const timer = setTimeout(() => {
      this.pendingOffline.delete(userId);
      void this.confirmOffline(userId);
    }, this.offlineGraceMs);
    timer.unref();
    this.pendingOffline.set(userId, timer);
  }

  /** Presence of the given users, limited to those who share a conversation with the viewer. */
  async query(viewerId: string, userIds: string[]): Promise<Presence[]> {
    const visible = await this.conversations.sharedWith(viewerId, [...new Set(userIds)]);
    const [online, info] = await Promise.all([
      this.store.online(visible),
      this.users.getPresenceInfo(visible),
    ]);
    const staff = visible.filter((id) => STAFF.has(info.get(id)?.role ?? ''));
    const availability = await this.store.availability(staff);
    return visible.map((userId) => {
      const isOnline = online.has(userId) || this.pendingOffline.has(userId);
      return {
        userId,
        status: isOnline ? 'online' : 'offline',
        lastSeenAt: info.get(userId)?.lastSeenAt?.toISOString() ?? null,
        ...(availability.has(userId)
          ? { availability: isOnline ? availability.get(userId)! : 'offline' }
          : {}),
      } satisfies Presence;
    });
  }

  /** An agent or admin says whether they take support work; contacts are told. */
  async setAvailability(actor: Actor, availability: Availability): Promise<void> {
    await this.store.setAvailability(actor.id, availability);
    this.events.publish('presence.changed', {
      userId: actor.id,
      status: 'online',
      lastSeenAt: null,
      availability,
    });
  }

  /** Which conversation a connection shows (null: none): web pushes skip it. */
  setFocus(userId: string, connectionId: string, conversationId: string | null): Promise<void> {
    return this.store.setFocus(userId, connectionId, conversationId);
  }

  /** Who hears about this user's presence: everyone sharing a conversation (not a big group) with them. */
  audience(userId: string): Promise<string[]> {
    return this.conversations.contactsOf(userId, this.groupLimit);
  }

  /** Changes the store found by itself: a dead instance's users, or a reconcile after an outage. */
  async applyChanges(changes: { userId: string; status: 'online' | 'offline'; lastSeenAt: Date | null }[]) {
    for (const change of changes) {
      if (change.status === 'offline' && change.lastSeenAt) {
        await this.users.setLastSeen(change.userId, change.lastSeenAt).catch((error: unknown) => {
          this.log.warn(
            { err: error, userId: change.userId },
            'could not store last-seen; presence is announced anyway',
          );
        });
      }
      this.announce(change);
    }
  }

  /** Records last-seen for this instance's users at shutdown, announces nothing. */
  async flush(): Promise<void> {
    for (const timer of this.pendingOffline.values()) clearTimeout(timer);
    const everyone = [...this.store.local().keys(), ...this.pendingOffline.keys()];
    this.pendingOffline.clear();
    const now = new Date();
    await Promise.allSettled(everyone.map((id) => this.users.setLastSeen(id, now)));
  }

  /** True when the user counts as online from this instance's point of view (tests, doctor). */
  async isOnline(userId: string): Promise<boolean> {
    return this.pendingOffline.has(userId) || (await this.store.online([userId])).has(userId);
  }

  private async confirmOffline(userId: string): Promise<void> {
    try {
      if (!(await this.store.isOffline(userId))) return; // still connected on another instance
    } catch (error) {
      this.log.warn(
        { err: error, userId },
        'could not check presence; announcing offline from this instance',
      );
    }
    const lastSeenAt = new Date();
    await this.applyChanges([{ userId, status: 'offline', lastSeenAt }]);
  }

  private announce(change: { userId: string; status: 'online' | 'offline'; lastSeenAt: Date | null }) {
    this.events.publish('presence.changed', change);
  }
}
