import type { PresenceStatus } from '@abrik/protocol';

/** A user came online or went offline (everywhere); `lastSeenAt` when offline. */
export interface PresenceChange {
  userId: string;
  status: PresenceStatus;
  lastSeenAt: Date | null;
}

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
  /** Records which conversation a connection shows (null: none); forgotten when it disconnects. */
  setFocus(userId: string, connectionId: string, conversationId: string | null): Promise<void>;
  /** Of the users, those with a connection that shows this conversation now. */
  watching(userIds: string[], conversationId: string): Promise<Set<string>>;
  /** Users connected to this instance, with their connection counts. */
  local(): ReadonlyMap<string, number>;
  /** Connections over every live instance, or undefined when the store cannot tell. */
  clusterConnections(): Promise<number | undefined>;
  close(): Promise<void>;
}
