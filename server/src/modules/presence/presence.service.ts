import type { Availability, Presence } from '@abrik/protocol';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { LatePort } from '../../platform/late-port.js';
import type { Logger } from '../../platform/logger.js';
import type { ConversationService } from '../chat/conversation.service.js';
import { isStaff } from '../identity/policies.js';
import type { UserService } from '../identity/user.service.js';
import type { PresenceChange, PresenceStore } from './presence-store.js';

declare module '../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** Someone came online or went offline, or (staff) changed their availability. */
    'presence.changed': PresenceChange & { availability?: Availability };
  }
}

/** Staff availability as the support desk keeps it (set by staff with `presence:set`). */
export interface AvailabilityPort {
  availability(userIds: string[]): Promise<Map<string, Availability>>;
}

/**
 * Who is online: a user is online while any of their connections lives (on any instance, when the
 * store is shared). A user whose last connection closes is announced offline only after
 * `offlineGraceMs` and only if no connection came back meanwhile, so a page reload does not flash
 * offline→online to everyone. Last-seen is stored when someone goes offline.
 */
export class PresenceService {
  private readonly pendingOffline = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;

  private readonly store: PresenceStore;
  private readonly users: Pick<UserService, 'presenceInfo' | 'setLastSeen'>;
  private readonly conversations: Pick<ConversationService, 'contactsOf' | 'sharedWith'>;
  private readonly live: LiveEvents;
  private readonly offlineGraceMs: number;
  private readonly groupLimit: number;
  private readonly availabilityPort: LatePort<AvailabilityPort> | undefined;

  constructor(deps: {
    store: PresenceStore;
    users: Pick<UserService, 'presenceInfo' | 'setLastSeen'>;
    conversations: Pick<ConversationService, 'contactsOf' | 'sharedWith'>;
    live: LiveEvents;
    logger: Logger;
    offlineGraceMs: number;
    /** Groups bigger than this get no presence broadcasts (members ask with presence:query). */
    groupLimit: number;
    /** The support desk, once built: staff availability in presence replies. */
    availability?: LatePort<AvailabilityPort>;
  }) {
    this.availabilityPort = deps.availability;
    this.store = deps.store;
    this.users = deps.users;
    this.conversations = deps.conversations;
    this.live = deps.live;
    this.offlineGraceMs = deps.offlineGraceMs;
    this.groupLimit = deps.groupLimit;
    this.log = deps.logger.child({ component: 'presence' });
  }

  async connected(userId: string): Promise<void> {
    const pending = this.pendingOffline.get(userId);
    if (pending) {
      clearTimeout(pending);
      this.pendingOffline.delete(userId);
    }
    const { cameOnline } = await this.store.connect(userId);
    // A reconnect within the grace period: the user was not announced offline, so nothing to announce.
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
    const [online, info] = await Promise.all([this.store.online(visible), this.users.presenceInfo(visible)]);
    const staff = visible.filter((id) => {
      const role = info.get(id)?.role;
      return role !== undefined && isStaff({ role });
    });
    const availability =
      (await this.availabilityPort?.get()?.availability(staff)) ?? new Map<string, Availability>();
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

  /** Which conversation a connection shows (null: none): web pushes skip it. */
  setFocus(userId: string, connectionId: string, conversationId: string | null): Promise<void> {
    return this.store.setFocus(userId, connectionId, conversationId);
  }

  /** Who hears about this user's presence: everyone sharing a conversation (not a big group) with them. */
  audience(userId: string): Promise<string[]> {
    return this.conversations.contactsOf(userId, this.groupLimit);
  }

  /** Changes the store found by itself: a dead instance's users, or a reconcile after an outage. */
  async applyChanges(changes: PresenceChange[]) {
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

  private announce(change: PresenceChange) {
    this.live.publish('presence.changed', change);
  }
}
