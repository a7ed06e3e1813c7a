import { type PlatformRole, STAFF_ROLES } from '@abrik/protocol';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { type UserRow, users } from './tables.js';

export class UserRepository {
  constructor(private readonly db: Executor) {}

  async getById(id: string, db: Executor = this.db): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.id, id));
    return row;
  }

  async getByPhone(phone: string, db: Executor = this.db): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.phone, phone));
    return row;
  }

  /** Ids from the list that belong to existing users. */
  async existingIds(ids: string[], db: Executor = this.db): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db.select({ id: users.id }).from(users).where(inArray(users.id, ids));
    return rows.map((r) => r.id);
  }

  /** Inserts a customer with this phone; undefined when the phone has a user already. */
  async insertIfAbsent(phone: string, db: Executor = this.db): Promise<UserRow | undefined> {
    const [inserted] = await db.insert(users).values({ phone }).onConflictDoNothing().returning();
    return inserted;
  }

  /** Creates the user or updates its role and name; used by `abrik user create`. */
  async upsert(
    phone: string,
    values: { name?: string | undefined; role: PlatformRole },
    db: Executor = this.db,
  ): Promise<UserRow> {
    const [row] = await db
      .insert(users)
      .values({ phone, role: values.role, name: values.name ?? null })
      .onConflictDoUpdate({
        target: users.phone,
        set: {
          role: values.role,
          ...(values.name !== undefined ? { name: values.name } : {}),
          updatedAt: sql`now()`,
        },
      })
      .returning();
    return row!;
  }

  async setRole(id: string, role: PlatformRole, db: Executor = this.db): Promise<UserRow> {
    const [row] = await db
      .update(users)
      .set({ role, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning();
    return row!;
  }

  async updateName(id: string, name: string): Promise<UserRow | undefined> {
    const [row] = await this.db
      .update(users)
      .set({ name, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  /** Ids of every agent and admin. */
  async staffIds(): Promise<string[]> {
    const rows = await this.db.select({ id: users.id }).from(users).where(inArray(users.role, STAFF_ROLES));
    return rows.map((r) => r.id);
  }

  async setLastSeen(id: string, at: Date): Promise<void> {
    await this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id));
  }

  /** Role and last-seen of each of the users, for presence replies. */
  async getPresenceInfo(
    ids: string[],
  ): Promise<Map<string, { role: PlatformRole; lastSeenAt: Date | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: users.id, role: users.role, lastSeenAt: users.lastSeenAt })
      .from(users)
      .where(inArray(users.id, ids));
    return new Map(rows.map((r) => [r.id, { role: r.role, lastSeenAt: r.lastSeenAt }]));
  }
}
