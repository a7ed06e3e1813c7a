import { type Me, normalizePhone, type PlatformRole, type User } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Db } from '../../platform/db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimit, RateLimitFactory } from '../../platform/redis/rate-limit.js';
import { userSubject } from './events.js';
import { toMe, toUser } from './presenters.js';
import type { UserRow } from './tables.js';
import type { UserRepository } from './user.repository.js';

/** Parses a phone number as typed by a person, or answers 400 `auth/invalid_phone`. */
export function requirePhone(input: string): string {
  const phone = normalizePhone(input);
  if (!phone) throw new ValidationError('auth/invalid_phone');
  return phone;
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new ForbiddenError('auth/forbidden');
}

/** People: their records, names, look-ups and roles; other modules read users through here. */
export class UserService {
  private readonly db: Db;
  private readonly users: UserRepository;
  private readonly events: DomainEvents;
  private readonly lookupLimit: RateLimit;
  private readonly log: Logger;

  constructor(deps: {
    db: Db;
    users: UserRepository;
    events: DomainEvents;
    lookupsPerHour: number;
    limits: RateLimitFactory;
    logger: Logger;
  }) {
    this.db = deps.db;
    this.users = deps.users;
    this.events = deps.events;
    this.log = deps.logger.child({ component: 'auth' });
    this.lookupLimit = deps.limits({
      name: 'lookup:user:1h',
      points: deps.lookupsPerHour,
      durationSeconds: 3600,
    });
  }

  async me(userId: string): Promise<Me> {
    const user = await this.users.getById(userId);
    if (!user) throw new NotFoundError('user/not_found');
    return toMe(user);
  }

  async rename(userId: string, name: string): Promise<Me> {
    const user = await this.users.updateName(userId, name);
    if (!user) throw new NotFoundError('user/not_found');
    return toMe(user);
  }

  /**
   * Finds a user by phone number so people can start a chat. Answers only for existing users and
   * counts every look-up, found or not, against a per-user hourly limit (against enumeration).
   */
  async lookup(viewerId: string, phoneInput: string): Promise<User> {
    await this.lookupLimit.consume(viewerId);
    const user = await this.users.getByPhone(requirePhone(phoneInput));
    if (!user) throw new NotFoundError('user/not_found');
    return toUser(user);
  }

  /** The user with this (normalised) phone; a new phone becomes a customer, on the record. */
  async signUpOrFind(phone: string): Promise<UserRow> {
    const created = await this.db.transaction(async (tx) => {
      const user = await this.users.insertIfAbsent(phone, tx);
      if (user) {
        await this.events.record(tx, {
          type: 'user.signed_up',
          actorId: user.id,
          subject: userSubject(user.id),
          payload: {},
        });
      }
      return user;
    });
    if (created) {
      this.log.info({ userId: created.id }, 'new customer signed up');
      return created;
    }
    const existing = await this.users.getByPhone(phone);
    if (!existing) throw new Error('user vanished between insert and select');
    return existing;
  }

  /**
   * Creates or updates a user with a role: operators (`abrik user create`, actor null) and admins
   * (`POST /api/v1/users`). A changed role is recorded; its listener tells the person's sessions.
   */
  async createWithRole(phoneInput: string, role: PlatformRole, name?: string, actor?: Actor): Promise<Me> {
    if (actor) requireAdmin(actor);
    const phone = requirePhone(phoneInput);
    const user = await this.db.transaction(async (tx) => {
      const previous = await this.users.getByPhone(phone, tx);
      if (actor && previous?.id === actor.id && previous.role !== role)
        throw new ValidationError('user/own_role');
      const row = await this.users.upsert(phone, { role, name }, tx);
      if (previous?.role !== role) {
        await this.events.record(tx, {
          type: 'user.role_set',
          actorId: actor?.id ?? null,
          subject: userSubject(row.id),
          payload: { role, previous: previous?.role ?? null },
        });
      }
      return row;
    });
    return toMe(user);
  }

  /** An admin changes someone's role (not their own: another admin must, so one always remains). */
  async setRole(actor: Actor, userId: string, role: PlatformRole): Promise<User> {
    requireAdmin(actor);
    if (userId === actor.id) throw new ValidationError('user/own_role');
    const user = await this.db.transaction(async (tx) => {
      const previous = await this.users.getById(userId, tx);
      if (!previous) throw new NotFoundError('user/not_found');
      if (previous.role === role) return previous;
      const row = await this.users.setRole(userId, role, tx);
      await this.events.record(tx, {
        type: 'user.role_set',
        actorId: actor.id,
        subject: userSubject(userId),
        payload: { role, previous: previous.role },
      });
      return row;
    });
    this.log.info({ userId, role, by: actor.id }, 'role set');
    return toUser(user);
  }

  // ---- for other modules: no authorisation, the caller has checked what it needs -------------

  findById(id: string): Promise<UserRow | undefined> {
    return this.users.getById(id);
  }

  /** Ids from the list that belong to existing users. */
  existingIds(ids: string[]): Promise<string[]> {
    return this.users.existingIds(ids);
  }

  /** Ids of every agent and admin. */
  staffIds(): Promise<string[]> {
    return this.users.staffIds();
  }

  /** Role and last-seen of each of the users, for presence replies. */
  presenceInfo(ids: string[]): Promise<Map<string, { role: PlatformRole; lastSeenAt: Date | null }>> {
    return this.users.getPresenceInfo(ids);
  }

  setLastSeen(id: string, at: Date): Promise<void> {
    return this.users.setLastSeen(id, at);
  }
}
