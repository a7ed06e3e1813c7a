import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { otpCodes, type SessionRow, sessions } from './tables.js';

export class AuthRepository {
  constructor(private readonly db: Executor) {}

  /** Stores a new pending code for the phone, replacing any earlier one. */
  async putOtp(phone: string, codeHash: string, expiresAt: Date): Promise<void> {
    await this.db
      .insert(otpCodes)
      .values({ phone, codeHash, expiresAt, attempts: 0 })
      .onConflictDoUpdate({
        target: otpCodes.phone,
        set: { codeHash, expiresAt, attempts: 0, createdAt: sql`now()` },
      });
  }

  async deleteOtp(phone: string, codeHash?: string): Promise<boolean> {
    const where = codeHash
      ? and(eq(otpCodes.phone, phone), eq(otpCodes.codeHash, codeHash))
      : eq(otpCodes.phone, phone);
    const rows = await this.db.delete(otpCodes).where(where).returning({ phone: otpCodes.phone });
    return rows.length > 0;
  }

  /**
   * Counts one attempt against the pending code and returns it, or undefined when there is none
   * or its attempts are used up. Atomic, so parallel guesses cannot exceed the limit.
   */
  async takeOtpAttempt(phone: string, maxAttempts: number) {
    const [row] = await this.db
      .update(otpCodes)
      .set({ attempts: sql`${otpCodes.attempts} + 1` })
      .where(and(eq(otpCodes.phone, phone), lt(otpCodes.attempts, maxAttempts)))
      .returning();
    return row;
  }

  async hasOtp(phone: string): Promise<boolean> {
    const rows = await this.db
      .select({ phone: otpCodes.phone })
      .from(otpCodes)
      .where(eq(otpCodes.phone, phone));
    return rows.length > 0;
  }

  async deleteExpiredOtps(now: Date): Promise<number> {
    const rows = await this.db
      .delete(otpCodes)
      .where(lt(otpCodes.expiresAt, now))
      .returning({ p: otpCodes.phone });
    return rows.length;
  }

  async insertSession(
    values: { userId: string; familyId: string; tokenHash: string; expiresAt: Date },
    db: Executor = this.db,
  ): Promise<SessionRow> {
    const [row] = await db.insert(sessions).values(values).returning();
    return row!;
  }

  async getSessionByHash(tokenHash: string): Promise<SessionRow | undefined> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
    return row;
  }

  /** Marks a live session rotated; false when another request rotated or revoked it first. */
  async markRotated(id: string, db: Executor = this.db): Promise<boolean> {
    const rows = await db
      .update(sessions)
      .set({ rotatedAt: sql`now()` })
      .where(and(eq(sessions.id, id), isNull(sessions.rotatedAt), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.length > 0;
  }

  async revokeFamily(familyId: string, db: Executor = this.db): Promise<number> {
    const rows = await db
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.familyId, familyId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.length;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const rows = await this.db
      .delete(sessions)
      .where(lt(sessions.expiresAt, now))
      .returning({ id: sessions.id });
    return rows.length;
  }
}
