import type {
  Webhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookPayload,
  WebhookWithSecret,
} from '@abrik/protocol';
import { WEBHOOK_PING_EVENT } from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import type { Executor, Transactor } from '../../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError } from '../../../platform/errors.js';
import type {
  DomainEvent,
  DomainEventMap,
  DomainEvents,
  DomainEventType,
} from '../../../platform/events/domain-events.js';
import type { DomainEventRow } from '../../../platform/events/tables.js';
import type { JobQueue } from '../../../platform/jobs/queue.js';
import type { Logger } from '../../../platform/logger.js';
import { mayAdminister, mayReadSettings } from '../policies.js';
import { auditUrl, checkWebhookUrl } from './destination.js';
import { toDelivery, toWebhook, toWebhookWithSecret } from './presenters.js';
import { generateSecret } from './signing.js';
import type { WebhookRow } from './tables.js';
import type { WebhookRepository } from './webhook.repository.js';

export const webhookSubject = (id: string) => `support-webhook:${id}`;

/** The domain events that become webhook deliveries; each listener's name is stable (queued jobs carry it). */
const SOURCES = [
  'support.opened',
  'support.assigned',
  'support.status_changed',
  'support.sla_breached',
  'support.csat_received',
  'support.webhook_tested',
] as const satisfies DomainEventType[];

/** A delivery ready to send: where, what, and the secret to sign it with. */
export interface OutgoingDelivery {
  deliveryId: number;
  webhookId: string;
  url: string;
  secret: string;
  event: string;
  body: string;
}

/** What one attempt came to. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** Short, and free of secrets; null on success. */
  error: string | null;
}

/**
 * Webhooks for the support lifecycle: admins manage them, supervisors read them; durable events
 * become deliveries (one per webhook and event, whatever the listeners' retries), which the
 * `support-webhook-deliver` job sends and retries.
 */
export class WebhookService {
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      db: Transactor;
      webhooks: WebhookRepository;
      events: Pick<DomainEvents, 'record' | 'listen'>;
      jobs: Pick<JobQueue, 'sendInTransaction'>;
      settings: { allowLoopback: boolean };
      logger: Logger;
      now: () => number;
    },
  ) {
    this.log = deps.logger.child({ component: 'support.webhooks' });
  }

  // ---- settings ------------------------------------------------------------------------------

  async list(actor: Actor): Promise<Webhook[]> {
    this.mayRead(actor);
    return (await this.deps.webhooks.list()).map(toWebhook);
  }

  async create(
    actor: Actor,
    input: { name: string; url: string; events: WebhookEvent[]; enabled: boolean },
  ): Promise<WebhookWithSecret> {
    this.mayWrite(actor);
    const url = this.allowedUrl(input.url);
    const row = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.webhooks.insert({ ...input, url, secret: generateSecret() }, tx);
      await this.saved(tx, actor, row, 'created');
      return row;
    });
    return toWebhookWithSecret(row);
  }

  async update(
    actor: Actor,
    id: string,
    input: {
      name?: string | undefined;
      url?: string | undefined;
      events?: WebhookEvent[] | undefined;
      enabled?: boolean | undefined;
    },
  ): Promise<Webhook> {
    this.mayWrite(actor);
    const patch = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    if (input.url !== undefined) patch.url = this.allowedUrl(input.url);
    const row = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.webhooks.update(id, patch, tx);
      if (!row) throw new NotFoundError('support/webhook_not_found');
      await this.saved(tx, actor, row, 'updated');
      return row;
    });
    return toWebhook(row);
  }

  /** Deletes a webhook with its deliveries; those still queued find nothing and are dropped. */
  async delete(actor: Actor, id: string): Promise<void> {
    this.mayWrite(actor);
    await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.webhooks.get(id, tx);
      if (!row || !(await this.deps.webhooks.delete(id, tx))) {
        throw new NotFoundError('support/webhook_not_found');
      }
      await this.saved(tx, actor, row, 'deleted');
    });
  }

  /** A new secret at once: deliveries still to be retried are signed with it. */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookWithSecret> {
    this.mayWrite(actor);
    const row = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.webhooks.update(id, { secret: generateSecret() }, tx);
      if (!row) throw new NotFoundError('support/webhook_not_found');
      await this.saved(tx, actor, row, 'secret_rotated');
      return row;
    });
    return toWebhookWithSecret(row);
  }

  /** Queues a `ping` delivery (to a disabled webhook too): recorded, and sent by its listener. */
  async test(actor: Actor, id: string): Promise<void> {
    this.mayWrite(actor);
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.deps.webhooks.get(id, tx))) throw new NotFoundError('support/webhook_not_found');
      await this.deps.events.record(tx, {
        type: 'support.webhook_tested',
        actorId: actor.id,
        subject: webhookSubject(id),
        payload: {},
      });
    });
  }

  async deliveries(actor: Actor, id: string, limit: number): Promise<WebhookDelivery[]> {
    this.mayRead(actor);
    if (!(await this.deps.webhooks.get(id))) throw new NotFoundError('support/webhook_not_found');
    return (await this.deps.webhooks.deliveries(id, limit)).map(toDelivery);
  }

  // ---- from durable events to deliveries -----------------------------------------------------

  /** Turns the lifecycle's durable events into deliveries (at least once each; idempotent). */
  listen(): void {
    for (const type of SOURCES) {
      this.deps.events.listen(type, `support-webhooks.${type}`, (event) => this.fanOut(event));
    }
  }

  private async fanOut(event: DomainEvent): Promise<void> {
    const message = webhookMessage(event);
    if (!message) return;
    const webhookIds =
      message.event === WEBHOOK_PING_EVENT
        ? [idOf(event.subject)]
        : await this.deps.webhooks.subscribedTo(message.event);
    if (webhookIds.length === 0) return;
    await this.deps.db.transaction(async (tx) => {
      const ids = await this.deps.webhooks.insertDeliveries(
        webhookIds.map((webhookId) => ({ webhookId, eventId: event.id, event: message.event })),
        tx,
      );
      await this.deps.jobs.sendInTransaction(
        tx,
        'support-webhook-deliver',
        ids.map((deliveryId) => ({ deliveryId })),
      );
    });
  }

  // ---- what the delivery job asks -----------------------------------------------------------

  /**
   * The request for a pending delivery; null when there is nothing to send (delivered already,
   * given up, its webhook deleted or disabled since, or its URL no longer allowed).
   */
  async outgoing(deliveryId: number): Promise<OutgoingDelivery | null> {
    const found = await this.deps.webhooks.forDelivery(deliveryId);
    if (!found) {
      this.log.debug({ deliveryId }, 'webhook delivery gone (its webhook was deleted); dropped');
      return null;
    }
    const { delivery, webhook, event } = found;
    if (delivery.status !== 'pending') return null;
    const ping = delivery.event === WEBHOOK_PING_EVENT;
    if (!webhook.enabled && !ping) {
      await this.deps.webhooks.markFailed(deliveryId, 'not sent: the webhook was disabled');
      return null;
    }
    const check = checkWebhookUrl(webhook.url, this.deps.settings.allowLoopback);
    if (!check.ok) {
      await this.deps.webhooks.markFailed(deliveryId, `not sent: the URL is not allowed (${check.reason})`);
      this.log.warn(
        { webhookId: webhook.id, deliveryId, reason: check.reason },
        'webhook URL no longer allowed (WEBHOOK_ALLOW_LOOPBACK?); delivery marked failed, not retried',
      );
      return null;
    }
    const message = webhookMessage(toDomainEvent(event));
    if (!message) {
      await this.deps.webhooks.markFailed(deliveryId, 'not sent: the event is not one webhooks carry');
      return null;
    }
    const payload = {
      id: String(delivery.id),
      event: message.event,
      occurredAt: event.at.toISOString(),
      sequence: event.id,
      data: message.data,
    } as WebhookPayload;
    return {
      deliveryId,
      webhookId: webhook.id,
      url: check.url.toString(),
      secret: webhook.secret,
      event: message.event,
      body: JSON.stringify(payload),
    };
  }

  async recordAttempt(deliveryId: number, result: AttemptResult): Promise<void> {
    await this.deps.webhooks.recordAttempt(deliveryId, {
      delivered: result.ok,
      statusCode: result.statusCode,
      error: result.error,
      at: new Date(this.deps.now()),
    });
  }

  /** No retry is left: the delivery stays failed, with its last error, for admins to see. */
  async gaveUp(deliveryId: number): Promise<void> {
    await this.deps.webhooks.markFailed(deliveryId);
    this.log.warn({ deliveryId }, 'webhook delivery failed on its last attempt; marked failed, not retried');
  }

  // ---- helpers -------------------------------------------------------------------------------

  private allowedUrl(raw: string): string {
    const check = checkWebhookUrl(raw, this.deps.settings.allowLoopback);
    if (!check.ok) {
      throw new AppError(400, 'support/webhook_url_not_allowed', undefined, [
        { path: ['url'], message: check.reason },
      ]);
    }
    return check.url.toString();
  }

  /** The audit entry of a change: what the webhook is now, never its secret nor its URL's query. */
  private saved(
    tx: Executor,
    actor: Actor,
    row: WebhookRow,
    action: 'created' | 'updated' | 'deleted' | 'secret_rotated',
  ) {
    return this.deps.events.record(tx, {
      type: 'support.webhook_saved',
      actorId: actor.id,
      subject: webhookSubject(row.id),
      payload: { action, name: row.name, url: auditUrl(row.url), events: row.events, enabled: row.enabled },
    });
  }

  private mayRead(actor: Actor) {
    if (!mayReadSettings(actor)) throw new ForbiddenError('support/forbidden');
  }

  private mayWrite(actor: Actor) {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
  }
}

const idOf = (subject: string) => subject.slice(subject.indexOf(':') + 1);

function toDomainEvent(row: DomainEventRow): DomainEvent {
  return { ...row, type: row.type as DomainEventType, payload: row.payload as never };
}

type Payload<T extends DomainEventType> = DomainEventMap[T];

/**
 * The webhook event and `data` a durable event becomes, or null when it becomes none (a status
 * change other than a resolve). Only the fields listed go out: no phone numbers, no notes.
 */
export function webhookMessage(event: DomainEvent): { event: string; data: Record<string, unknown> } | null {
  const conversationId = idOf(event.subject);
  const base = { conversationId, actorId: event.actorId };
  switch (event.type) {
    case 'support.opened': {
      const p = event.payload as Payload<'support.opened'>;
      return { event: 'support.opened', data: { ...base, inboxId: p.inboxId, linkedFrom: p.linkedFrom } };
    }
    case 'support.assigned': {
      const p = event.payload as Payload<'support.assigned'>;
      return {
        event: 'support.assigned',
        data: { ...base, fromId: p.fromId, toId: p.toId, teamId: p.teamId, reason: p.reason },
      };
    }
    case 'support.status_changed': {
      const p = event.payload as Payload<'support.status_changed'>;
      return p.to === 'resolved' ? { event: 'support.resolved', data: { ...base, from: p.from } } : null;
    }
    case 'support.sla_breached': {
      const p = event.payload as Payload<'support.sla_breached'>;
      return {
        event: 'support.sla_breached',
        data: {
          ...base,
          inboxId: p.inboxId,
          teamId: p.teamId,
          assigneeId: p.assigneeId,
          kind: p.kind,
          cycle: p.cycle,
          dueAt: p.dueAt,
        },
      };
    }
    case 'support.csat_received': {
      const p = event.payload as Payload<'support.csat_received'>;
      return {
        event: 'support.csat_received',
        data: {
          ...base,
          inboxId: p.inboxId,
          teamId: p.teamId,
          agentId: p.agentId,
          cycle: p.cycle,
          rating: p.rating,
          comment: p.comment,
        },
      };
    }
    case 'support.webhook_tested':
      return { event: WEBHOOK_PING_EVENT, data: { webhookId: idOf(event.subject) } };
    default:
      return null;
  }
}
