import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/client.js';
import type { JobQueue } from '../jobs/queue.js';
import { defineJob } from '../jobs/registry.js';
import type { Logger } from '../logger.js';
import { domainEvents } from './tables.js';

/**
 * Every durable event's payload by type. Each module adds its own (declaration merging), so
 * recording and listening are checked against the payload of the type.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules.
export interface DomainEventMap {}
export type DomainEventType = keyof DomainEventMap & string;

export interface NewDomainEvent<T extends DomainEventType = DomainEventType> {
  type: T;
  /** Who caused it; null for the system and the command line. */
  actorId: string | null;
  /** What it is about, as `kind:id`. */
  subject: string;
  payload: DomainEventMap[T];
}

export interface DomainEvent<T extends DomainEventType = DomainEventType> extends NewDomainEvent<T> {
  id: number;
  at: Date;
}

type Handler = (event: DomainEvent) => Promise<void>;

const DispatchSchema = z.object({ eventId: z.int().positive(), listener: z.string().min(1).max(100) });
declare module '../jobs/registry.js' {
  interface Jobs {
    /** Runs one listener for one durable event. */
    'domain-event': z.infer<typeof DispatchSchema>;
  }
}

/**
 * Durable domain events. `record` writes the event in the caller's transaction together with one
 * `domain-event` job per listener of its type, so a committed change always reaches its
 * listeners (at least once: they must be idempotent) and a rolled-back one never does. Listeners
 * run apart from each other: one that fails is retried alone. Chat messages do not go through
 * here — their path is the message writer's single statement.
 */
export class DomainEvents {
  private readonly listeners = new Map<string, { type: string; handler: Handler }>();
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'events' });
  }

  /**
   * Runs `handler` for every event of `type` recorded from now on; `name` identifies the listener
   * in queued jobs, so keep it stable across versions.
   */
  listen<T extends DomainEventType>(
    type: T,
    name: string,
    handler: (event: DomainEvent<T>) => Promise<void>,
  ) {
    if (this.listeners.has(name)) throw new Error(`domain event listener ${name} is registered twice`);
    this.listeners.set(name, { type, handler: (event) => handler(event as DomainEvent<T>) });
  }

  /** Records events in the caller's transaction (or alone, given the database). */
  async record(tx: Executor, ...events: NewDomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = await tx
      .insert(domainEvents)
      .values(events)
      .returning({ id: domainEvents.id, type: domainEvents.type });
    const dispatches = rows.flatMap((row) =>
      [...this.listeners]
        .filter(([, l]) => l.type === row.type)
        .map(([listener]) => ({ eventId: row.id, listener })),
    );
    await this.jobs.sendInTransaction(tx, 'domain-event', dispatches);
  }

  /** The audit trail: events about a subject or of some types, oldest first, after an id. */
  async list(query: {
    subject?: string;
    types?: string[];
    afterId?: number;
    limit: number;
  }): Promise<DomainEvent[]> {
    const where: (SQL | undefined)[] = [
      query.subject ? eq(domainEvents.subject, query.subject) : undefined,
      query.types ? inArray(domainEvents.type, query.types) : undefined,
      query.afterId !== undefined ? gt(domainEvents.id, query.afterId) : undefined,
    ];
    const rows = await this.db
      .select()
      .from(domainEvents)
      .where(and(...where))
      .orderBy(asc(domainEvents.id))
      .limit(query.limit);
    return rows.map(toEvent);
  }

  /** The job that runs listeners. */
  job() {
    return defineJob({
      name: 'domain-event',
      payload: DispatchSchema,
      queue: { retryLimit: 10, retryBackoff: true },
      perform: async ({ eventId, listener }) => {
        const entry = this.listeners.get(listener);
        if (!entry) {
          this.log.warn({ eventId, listener }, 'no such domain event listener in this version; skipped');
          return;
        }
        const [row] = await this.db.select().from(domainEvents).where(eq(domainEvents.id, eventId));
        if (!row) {
          this.log.warn({ eventId, listener }, 'domain event not found (deleted?); skipped');
          return;
        }
        await entry.handler(toEvent(row));
      },
    });
  }
}

function toEvent(row: typeof domainEvents.$inferSelect): DomainEvent {
  return {
    id: row.id,
    type: row.type as DomainEventType,
    actorId: row.actorId,
    subject: row.subject,
    payload: row.payload as DomainEventMap[DomainEventType],
    at: row.at,
  };
}
