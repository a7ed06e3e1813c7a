import type { SlaPolicy, SlaTarget } from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import type { Transactor } from '../../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError, pgErrorCode } from '../../../platform/errors.js';
import type { DomainEvents } from '../../../platform/events/domain-events.js';
import type { LiveEvents } from '../../../platform/events/live-events.js';
import type { JobQueue } from '../../../platform/jobs/queue.js';
import type { Logger } from '../../../platform/logger.js';
import { conversationSubject } from '../events.js';
import type { BusinessCalendar } from '../hours/calendar.js';
import { mayAdminister, mayReadSettings } from '../policies.js';
import type { TicketRow } from '../tables.js';
import type { TicketRepository } from '../ticket.repository.js';
import type { TicketChange, TicketObserver } from '../ticket.service.js';
import { toPolicy, toTarget } from './presenters.js';
import type { NewSlaPolicy, SlaRepository } from './sla.repository.js';
import { addBusiness, planSla } from './sla-plan.js';
import type { SlaPolicyRow, SlaTargetRow } from './tables.js';

/** Tries of a compare-and-set before giving up (another change won each time). */
const CAS_TRIES = 5;
/** Targets breached (or conversations reconciled) per sweep round. */
const SWEEP_BATCH = 200;

declare module '../../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** An SLA target is near its deadline (`warning`) or past it (`breached`). */
    'support.sla': { ticket: TicketRow; target: SlaTargetRow; state: 'warning' | 'breached' };
  }
}

export interface SlaServiceDeps {
  db: Transactor;
  sla: SlaRepository;
  tickets: Pick<TicketRepository, 'get' | 'isVisible'>;
  calendars: { calendarOf(inboxId: string): Promise<BusinessCalendar> };
  events: Pick<DomainEvents, 'record'>;
  live: Pick<LiveEvents, 'publish'>;
  jobs: Pick<JobQueue, 'send'>;
  logger: Logger;
  now: () => number;
}

type PolicyInput = Omit<NewSlaPolicy, never>;

/**
 * Service levels: policies per inbox and priority (admins), and each support conversation's
 * clocks — started, met, paused and resumed as the ticket changes (`observe`), warned about
 * before their deadline and marked breached at it by timers, with an hourly sweep behind both.
 */
export class SlaService implements TicketObserver {
  private readonly log: Logger;

  constructor(private readonly deps: SlaServiceDeps) {
    this.log = deps.logger.child({ component: 'sla' });
  }

  // ---- policies ------------------------------------------------------------------------------

  async listPolicies(actor: Actor): Promise<SlaPolicy[]> {
    if (!mayReadSettings(actor)) throw new ForbiddenError('support/forbidden');
    return (await this.deps.sla.listPolicies()).map(toPolicy);
  }

  async createPolicy(actor: Actor, input: PolicyInput): Promise<SlaPolicy> {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
    const row = await this.deps.db
      .transaction(async (tx) => {
        const row = await this.deps.sla.insertPolicy(input, tx);
        await this.recordSaved(tx, actor, row, 'created');
        return row;
      })
      .catch(conflict);
    return toPolicy(row);
  }

  async updatePolicy(actor: Actor, id: string, input: Partial<PolicyInput>): Promise<SlaPolicy> {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
    const row = await this.deps.db
      .transaction(async (tx) => {
        const row = await this.deps.sla.updatePolicy(id, input, tx);
        if (!row) throw new NotFoundError('support/sla_policy_not_found');
        await this.recordSaved(tx, actor, row, 'updated');
        return row;
      })
      .catch(conflict);
    return toPolicy(row);
  }

  async deletePolicy(actor: Actor, id: string): Promise<void> {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
    // Read first, outside the transaction: on the embedded database a read beside an open
    // transaction would wait for it for ever.
    const policy = await this.deps.sla.getPolicy(id);
    if (!policy) throw new NotFoundError('support/sla_policy_not_found');
    await this.deps.db.transaction(async (tx) => {
      if (!(await this.deps.sla.deletePolicy(id, tx)))
        throw new NotFoundError('support/sla_policy_not_found');
      await this.recordSaved(tx, actor, policy, 'deleted');
    });
  }

  private async recordSaved(
    tx: Parameters<DomainEvents['record']>[0],
    actor: Actor,
    row: SlaPolicyRow,
    op: string,
  ) {
    const { createdAt: _c, updatedAt: _u, ...fields } = row;
    await this.deps.events.record(tx, {
      type: 'support.sla_policy_saved',
      actorId: actor.id,
      subject: `sla-policy:${row.id}`,
      payload: { op, ...fields },
    });
  }

  // ---- a conversation's clocks ---------------------------------------------------------------

  /** Every target of a conversation, for the staff who see it. */
  async targets(actor: Actor, conversationId: string): Promise<SlaTarget[]> {
    const ticket = await this.deps.tickets.get(conversationId);
    const visible =
      ticket !== undefined &&
      (await this.deps.tickets.isVisible(conversationId, { id: actor.id, admin: actor.role === 'admin' }));
    if (!ticket || !visible) throw new NotFoundError('conversation/not_found');
    return (await this.deps.sla.listByConversation(conversationId)).map(toTarget);
  }

  /** A ticket changed: its clocks follow (TicketObserver). */
  async observe(change: TicketChange): Promise<void> {
    const reply =
      change.kind === 'agent_reply' ? { at: change.message.createdAt, by: change.agentId } : undefined;
    await this.track(change.after.conversationId, reply);
  }

  /**
   * Brings a conversation's clocks in line with its ticket as it is now (idempotent), and arms
   * the warning and breach timers of every deadline that changed.
   */
  async track(conversationId: string, reply?: { at: Date; by: string }): Promise<void> {
    for (let attempt = 0; attempt < CAS_TRIES; attempt++) {
      const ticket = await this.deps.tickets.get(conversationId);
      if (!ticket) return;
      const [policy, targets, calendar] = await Promise.all([
        this.deps.sla.policyFor(ticket.inboxId, ticket.priority),
        this.deps.sla.targetsOf(conversationId, ticket.reopenCount),
        this.deps.calendars.calendarOf(ticket.inboxId),
      ]);
      if (!policy && !targets.some((t) => t.metAt === null && t.stoppedAt === null)) return;
      const now = new Date(this.deps.now());
      const plan = planSla({ ticket, policy: policy ?? null, targets, calendar, now, reply });
      if (plan.inserts.length === 0 && plan.updates.length === 0) return;
      const written = await this.deps.db
        .transaction(async (tx) => {
          const changed: SlaTargetRow[] = [];
          for (const update of plan.updates) {
            const row = await this.deps.sla.updateTarget(update.id, update.version, update.patch, tx);
            if (!row) throw new Conflict();
            changed.push(row);
          }
          changed.push(...(await this.deps.sla.insertTargets(conversationId, plan.inserts, tx)));
          return changed;
        })
        .catch((error: unknown) => {
          // Another change won (or another process started the same clock): look again.
          if (error instanceof Conflict || isUniqueViolation(error)) return undefined;
          throw error;
        });
      if (!written) continue;
      const before = new Map(targets.map((t) => [t.id, t.dueAt?.getTime()]));
      for (const row of written) {
        if (
          row.dueAt &&
          row.metAt === null &&
          row.stoppedAt === null &&
          before.get(row.id) !== row.dueAt.getTime()
        ) {
          await this.arm(row, policy?.warnBeforeSeconds ?? 0);
        }
      }
      return;
    }
    this.log.warn({ conversationId }, 'SLA clocks not updated after repeated conflicts; the sweep retries');
  }

  private async arm(target: SlaTargetRow, warnBeforeSeconds: number): Promise<void> {
    const dueAt = target.dueAt!;
    const payload = { targetId: target.id, dueAt: dueAt.toISOString() };
    if (warnBeforeSeconds > 0) {
      await this.deps.jobs.send('support-sla-warn', payload, {
        startAfter: new Date(dueAt.getTime() - warnBeforeSeconds * 1000),
      });
    }
    await this.deps.jobs.send('support-sla-breach', payload, { startAfter: dueAt });
  }

  /** The warning timer of a deadline: staff hear it is near (moot if the deadline moved or was met). */
  async warnDue(targetId: number, dueAt: Date): Promise<void> {
    const target = await this.deps.sla.getTarget(targetId);
    if (!target || !stillDue(target, dueAt) || target.warnedAt) return;
    const ticket = await this.deps.tickets.get(target.conversationId);
    if (!ticket) return;
    const warned = await this.deps.sla.updateTarget(target.id, target.version, {
      warnedAt: new Date(this.deps.now()),
    });
    if (warned) this.deps.live.publish('support.sla', { ticket, target: warned, state: 'warning' });
  }

  /**
   * The breach timer of a deadline: past it and still unmet, the target is breached — the
   * supervisors hear it live and by push (a durable event). The ticket is looked at first, so a
   * change whose clocks were lost (a crash between) stops or pauses it instead.
   */
  async breachDue(targetId: number, dueAt: Date): Promise<void> {
    const first = await this.deps.sla.getTarget(targetId);
    if (!first || !stillDue(first, dueAt)) return;
    await this.track(first.conversationId);
    const target = await this.deps.sla.getTarget(targetId);
    const now = new Date(this.deps.now());
    if (!target || !stillDue(target, dueAt) || target.breachedAt || dueAt.getTime() > now.getTime()) return;
    const ticket = await this.deps.tickets.get(target.conversationId);
    if (!ticket) return;
    const breached = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.sla.updateTarget(target.id, target.version, { breachedAt: dueAt }, tx);
      if (!row) return undefined;
      await this.deps.events.record(tx, {
        type: 'support.sla_breached',
        actorId: null,
        subject: conversationSubject(ticket.conversationId),
        payload: {
          inboxId: ticket.inboxId,
          teamId: ticket.teamId,
          assigneeId: ticket.assigneeId,
          kind: target.kind,
          cycle: target.cycle,
          dueAt: dueAt.toISOString(),
        },
      });
      return row;
    });
    if (breached) {
      this.log.info(
        { conversationId: ticket.conversationId, kind: target.kind, dueAt: dueAt.toISOString() },
        'SLA target breached; supervisors told',
      );
      this.deps.live.publish('support.sla', { ticket, target: breached, state: 'breached' });
    }
  }

  /**
   * An inbox's hours changed (a holiday imported, a day closed, the week edited): every running
   * business-time deadline keeps the business time it had left, counted from now in the new
   * hours. Paused clocks need nothing (they keep the time left, and spend it when they resume).
   */
  async hoursChanged(before: ReadonlyMap<string, BusinessCalendar>): Promise<void> {
    // After the admin's write committed: a failure is logged, not theirs to see.
    await this.moveDeadlines(before).catch((error: unknown) =>
      this.log.error({ err: error }, 'SLA deadlines not moved to the changed hours; they keep the old ones'),
    );
  }

  private async moveDeadlines(before: ReadonlyMap<string, BusinessCalendar>): Promise<number> {
    const now = new Date(this.deps.now());
    let moved = 0;
    for (const target of await this.deps.sla.runningInBusinessTime([...before.keys()], now)) {
      const old = before.get(target.inboxId);
      if (!old || !target.dueAt) continue;
      const left = old.businessSecondsBetween(now, target.dueAt);
      const hours = await this.deps.calendars.calendarOf(target.inboxId);
      const dueAt = addBusiness(hours, now, left);
      if (dueAt?.getTime() === target.dueAt.getTime()) continue;
      // No open time ahead any more: held with its time left until the hours open again.
      const patch = dueAt
        ? { dueAt, warnedAt: null }
        : { dueAt: null, pausedAt: now, remainingSeconds: left, warnedAt: null };
      const row = await this.deps.sla.updateTarget(target.id, target.version, patch);
      if (!row) continue; // it changed meanwhile: its own change set its deadline
      moved++;
      if (row.dueAt) {
        const policy = row.policyId ? await this.deps.sla.getPolicy(row.policyId) : undefined;
        await this.arm(row, policy?.warnBeforeSeconds ?? 0);
      }
    }
    if (moved > 0) this.log.info({ moved }, 'SLA deadlines moved to the changed business hours');
    return moved;
  }

  /**
   * The hourly safety net: conversations whose clocks disagree with their ticket are brought in
   * line, and every deadline past is breached — whatever timers a crash or a lost job left.
   */
  async sweep(): Promise<{ reconciled: number; breached: number }> {
    let reconciled = 0;
    for (const conversationId of await this.deps.sla.unsettled(SWEEP_BATCH)) {
      await this.track(conversationId).catch((error: unknown) =>
        this.log.error({ err: error, conversationId }, 'SLA clocks not reconciled; the next sweep retries'),
      );
      reconciled++;
    }
    let breached = 0;
    const now = new Date(this.deps.now());
    for (const target of await this.deps.sla.overdue(now, SWEEP_BATCH)) {
      await this.breachDue(target.id, target.dueAt!);
      breached++;
    }
    return { reconciled, breached };
  }
}

/** TicketObserver's change, re-exported for the module's wiring. */
export type { TicketChange };

class Conflict extends Error {}

const stillDue = (target: SlaTargetRow, dueAt: Date) =>
  target.metAt === null && target.stoppedAt === null && target.dueAt?.getTime() === dueAt.getTime();

const isUniqueViolation = (error: unknown) => pgErrorCode(error) === '23505';

/** A policy's scope taken, or an inbox that is not there, said as such. */
function conflict(error: unknown): never {
  if (isUniqueViolation(error)) throw new AppError(409, 'support/sla_policy_exists');
  if (pgErrorCode(error) === '23503') throw new NotFoundError('support/inbox_not_found');
  throw error;
}
