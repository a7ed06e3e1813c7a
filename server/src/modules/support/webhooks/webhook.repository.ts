import { and, arrayContains, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../../platform/db/client.js';
import { type DomainEventRow, domainEvents } from '../../../platform/events/tables.js';
import {
  supportWebhookDeliveries,
  supportWebhooks,
  type WebhookDeliveryRow,
  type WebhookRow,
} from './tables.js';

type WebhookFields = Pick<WebhookRow, 'name' | 'url' | 'secret' | 'events' | 'enabled'>;

/** Webhooks and their deliveries. */
export class WebhookRepository {
  constructor(private readonly db: Db) {}

  list(): Promise<WebhookRow[]> {
    return this.db
      .select()
      .from(supportWebhooks)
      .orderBy(asc(supportWebhooks.createdAt), asc(supportWebhooks.id));
  }

  async get(id: string, db: Executor = this.db): Promise<WebhookRow | undefined> {
    const [row] = await db.select().from(supportWebhooks).where(eq(supportWebhooks.id, id));
    return row;
  }

  async insert(values: WebhookFields, tx: Executor): Promise<WebhookRow> {
    const [row] = await tx.insert(supportWebhooks).values(values).returning();
    return row!;
  }

  async update(id: string, patch: Partial<WebhookFields>, tx: Executor): Promise<WebhookRow | undefined> {
    const [row] = await tx
      .update(supportWebhooks)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(supportWebhooks.id, id))
      .returning();
    return row;
  }

  /** Deletes a webhook with its deliveries; false when there was none. */
  async delete(id: string, tx: Executor): Promise<boolean> {
    const rows = await tx
      .delete(supportWebhooks)
      .where(eq(supportWebhooks.id, id))
      .returning({ id: supportWebhooks.id });
    return rows.length > 0;
  }

  /** The enabled webhooks subscribed to an event. */
  async subscribedTo(event: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: supportWebhooks.id })
      .from(supportWebhooks)
      .where(and(eq(supportWebhooks.enabled, true), arrayContains(supportWebhooks.events, [event])));
    return rows.map((r) => r.id);
  }

  /**
   * One delivery per webhook of a durable event; the ids of those inserted now — none for a
   * webhook that already has this event (a listener run twice).
   */
  async insertDeliveries(
    rows: { webhookId: string; eventId: number; event: string }[],
    tx: Executor,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    const inserted = await tx
      .insert(supportWebhookDeliveries)
      .values(rows)
      .onConflictDoNothing()
      .returning({ id: supportWebhookDeliveries.id });
    return inserted.map((r) => r.id);
  }

  /** The last deliveries of a webhook, newest first. */
  deliveries(webhookId: string, limit: number): Promise<WebhookDeliveryRow[]> {
    return this.db
      .select()
      .from(supportWebhookDeliveries)
      .where(eq(supportWebhookDeliveries.webhookId, webhookId))
      .orderBy(desc(supportWebhookDeliveries.id))
      .limit(limit);
  }

  /** A delivery with its webhook and the durable event it carries. */
  async forDelivery(
    id: number,
  ): Promise<{ delivery: WebhookDeliveryRow; webhook: WebhookRow; event: DomainEventRow } | undefined> {
    const [row] = await this.db
      .select({ delivery: supportWebhookDeliveries, webhook: supportWebhooks, event: domainEvents })
      .from(supportWebhookDeliveries)
      .innerJoin(supportWebhooks, eq(supportWebhooks.id, supportWebhookDeliveries.webhookId))
      .innerJoin(domainEvents, eq(domainEvents.id, supportWebhookDeliveries.eventId))
      .where(eq(supportWebhookDeliveries.id, id));
    return row;
  }

  /** Counts an attempt and what came of it; a delivered one is done. */
  async recordAttempt(
    id: number,
    attempt: { delivered: boolean; statusCode: number | null; error: string | null; at: Date },
  ): Promise<void> {
    await this.db
      .update(supportWebhookDeliveries)
      .set({
        attempts: sql`${supportWebhookDeliveries.attempts} + 1`,
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        lastAttemptAt: attempt.at,
        ...(attempt.delivered ? { status: 'delivered' as const, deliveredAt: attempt.at } : {}),
      })
      .where(eq(supportWebhookDeliveries.id, id));
  }

  /** Gives a pending delivery up; `error` replaces the last one when given. */
  async markFailed(id: number, error?: string): Promise<void> {
    await this.db
      .update(supportWebhookDeliveries)
      .set({ status: 'failed', ...(error !== undefined ? { lastError: error } : {}) })
      .where(and(eq(supportWebhookDeliveries.id, id), eq(supportWebhookDeliveries.status, 'pending')));
  }
}
