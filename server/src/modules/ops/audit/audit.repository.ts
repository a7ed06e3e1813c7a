import { and, desc, eq, gte, inArray, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client.js';
import { domainEvents } from '../../../platform/events/tables.js';
import { users } from '../../identity/tables.js';

export interface AuditRow {
  id: number;
  type: string;
  actorId: string | null;
  actorName: string | null;
  subject: string;
  payload: unknown;
  at: Date;
}

/** Reads the audit trail: durable events of the audit types, with who did them. Never writes. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  /** Newest first. `personOnly` of the types count only with an actor. */
  list(query: {
    types: string[];
    personOnly: readonly string[];
    actorId?: string | undefined;
    subject?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    beforeId?: number | undefined;
    limit: number;
  }): Promise<AuditRow[]> {
    const e = domainEvents;
    const anyActor = query.types.filter((t) => !query.personOnly.includes(t));
    const withActor = query.types.filter((t) => query.personOnly.includes(t));
    const where: (SQL | undefined)[] = [
      or(
        anyActor.length > 0 ? inArray(e.type, anyActor) : undefined,
        withActor.length > 0 ? and(inArray(e.type, withActor), isNotNull(e.actorId)) : undefined,
      ),
      query.actorId ? eq(e.actorId, query.actorId) : undefined,
      query.subject ? eq(e.subject, query.subject) : undefined,
      query.from ? gte(e.at, query.from) : undefined,
      query.to ? lt(e.at, query.to) : undefined,
      query.beforeId !== undefined ? lt(e.id, query.beforeId) : undefined,
    ];
    return this.db
      .select({
        id: e.id,
        type: e.type,
        actorId: e.actorId,
        actorName: users.name,
        subject: e.subject,
        payload: e.payload,
        at: e.at,
      })
      .from(e)
      .leftJoin(users, eq(users.id, e.actorId))
      .where(and(...where))
      .orderBy(desc(e.id))
      .limit(query.limit);
  }
}
