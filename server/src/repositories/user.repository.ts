import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type UserRow, users } from '../db/schema.js';

export type Role = UserRow['role'];

export class UserRepository {
  constructor(private readonly db: Executor) {}

  async getById(id: string, db: Executor = this.db): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.id, id));
    return row;
  }

  async getByPhone(phone: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.phone, phone));
    return row;
  }

  /** Ids from the list that belong to existing users. */
  async existingIds(ids: string[], db: Executor = this.db): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db.select({ id: users.id }).from(users).where(inArray(users.id, ids));
    return rows.map((r) => r.id);
  }

  /** The user with this phone, created as a customer when there is none. */
  async getOrCreateByPhone(phone: string): Promise<{ user: UserRow; created: boolean }> {
    const [inserted] = await this.db.insert(users).values({ phone }).onConflictDoNothing().returning();
    if (inserted) return { user: inserted, created: true };
    const existing = await this.getByPhone(phone);
    if (!existing) throw new Error('user vanished between insert and select');
    return { user: existing, created: false };
  }

  /** Creates the user or updates its role and name; used by `abrik user create`. */
  async upsert(phone: string, values: { name?: string | undefined; role: Role }): Promise<UserRow> {
    const [row] = await this.db
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
    const rows = await this.db
      .select({ id: users.id })
      .from(users)
      .where(inArray(users.role, ['agent', 'admin']));
    return rows.map((r) => r.id);
  }

  async setLastSeen(id: string, at: Date): Promise<void> {
    await this.db.update(users).set({ lastSeenAt: at }).where(eq(users.id, id));
  }

  /** Role and last-seen of each of the users, for presence replies. */
  async getPresenceInfo(ids: string[]): Promise<Map<string, { role: Role; lastSeenAt: Date | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: users.id, role: users.role, lastSeenAt: users.lastSeenAt })
      .from(users)
      .where(inArray(users.id, ids));
    return new Map(rows.map((r) => [r.id, { role: r.role, lastSeenAt: r.lastSeenAt }]));
  }
}
