import type {
  ConversationSupport,
  Priority,
  SupportCustomer,
  SupportListQuery,
  SupportStatus,
  SupportTicket,
  SupportWidgetContact,
} from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Executor, Transactor } from '../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { DomainEvents, NewDomainEvent } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import { t } from '../../platform/i18n/messages.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { LatePort } from '../../platform/late-port.js';
import type { Logger } from '../../platform/logger.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { MessageService } from '../chat/message.service.js';
import type { ConversationRow, MessageRow } from '../chat/tables.js';
import { isStaff } from '../identity/policies.js';
import type { CsatService } from './csat/csat.service.js';
import type { DirectoryRepository, InboxWithTeams } from './directory.repository.js';
import { conversationSubject } from './events.js';
import { type LifecycleEvent, type Transition, transition } from './lifecycle.js';
import { isAdmin, mayAnnotate, mayAssignOthers, mayClaim, mayWork } from './policies.js';
import { toAssignment, toTicket } from './presenters.js';
import type { QueueService } from './queue.service.js';
import type { Assigned, Reassignment, RoutingService } from './routing.service.js';
import { type SupportDefaults, timersOf } from './settings.js';
import type { SlaTargetRow } from './sla/tables.js';
import { APP_INBOX_ID, type TicketRow } from './tables.js';
import { hasTemplateVariable } from './templates.js';
import type { TicketPatch, TicketRepository, Viewer } from './ticket.repository.js';

/** Tries of a compare-and-set before giving up (another change won each time). */
const CAS_TRIES = 5;
const cursorOf = (row: { lastActivityAt: Date; conversationId: string }) =>
  Buffer.from(`${row.lastActivityAt.toISOString()}|${row.conversationId}`).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new ValidationError('validation/invalid', [
      { path: ['cursor'], message: 'not a cursor from this API' },
    ]);
  }
  return { at: date, id };
}

export interface TicketServiceDeps {
  db: Transactor;
  tickets: TicketRepository;
  directory: DirectoryRepository;
  routing: RoutingService;
  queue: QueueService;
  conversations: Pick<
    ConversationService,
    'insertNotes' | 'addStaff' | 'removeStaff' | 'create' | 'postSystem' | 'findById'
  >;
  messages: Pick<MessageService, 'send'>;
  events: Pick<DomainEvents, 'record'>;
  live: Pick<LiveEvents, 'publish'>;
  jobs: Pick<JobQueue, 'send' | 'cancel'>;
  defaults: SupportDefaults;
  logger: Logger;
  now: () => number;
  /** Each conversation's SLA clock nearest its deadline, for the staff's views. */
  slaClocks?: { nextDue(conversationIds: string[]): Promise<Map<string, SlaTargetRow>> };
  /** Who follows tickets as they change (SLA clocks, report events, the out-of-hours notice), in order. */
  observers?: TicketObserver[];
  /** The satisfaction survey of each conversation's standing resolve, for its support view. */
  csat?: Pick<CsatService, 'views'>;
  /** The website widget, once built: what it knows of a visitor customer. */
  widgetContacts?: LatePort<WidgetContactPort>;
}

/** What the desk asks the website widget about a customer who came through it. */
export interface WidgetContactPort {
  contactOf(customerId: string, conversationId: string): Promise<SupportWidgetContact | null>;
}

/** What happened to a ticket, as those who follow tickets hear it (after it committed). */
export type TicketChange =
  | { kind: 'customer_message'; before: TicketRow; after: TicketRow; message: MessageRow }
  | { kind: 'agent_reply'; before: TicketRow; after: TicketRow; message: MessageRow; agentId: string }
  | { kind: 'status'; before: TicketRow; after: TicketRow; reopened: boolean; actorId: string | null };

/**
 * Follows tickets. Must be idempotent: a message's change is heard again when its job is
 * retried (an observer's failure fails the job), and a status change whose observers failed is
 * only logged — each observer's own sweep brings it in line later.
 */
export interface TicketObserver {
  observe(change: TicketChange): Promise<void>;
}

/**
 * The support conversations' tickets: opening, the lifecycle (every change a compare-and-set on
 * the version), what agents do, what messages and timers do, and what each viewer sees.
 */
export class TicketService {
  private readonly log: Logger;

  constructor(private readonly deps: TicketServiceDeps) {
    this.log = deps.logger.child({ component: 'support' });
  }

  // ---- opening (asked by chat) -------------------------------------------------------------

  /** Inside the transaction creating a support conversation: its notes and its ticket, queued. */
  async opened(
    tx: Executor,
    conversation: ConversationRow,
    customer: Actor,
    options: { linkedFrom?: string; inboxId?: string },
  ) {
    const now = new Date(this.deps.now());
    // A follow-up stays in the inbox of the conversation it follows (a widget's, say).
    const linked = options.linkedFrom ? await this.deps.tickets.get(options.linkedFrom, tx) : undefined;
    const inboxId = options.inboxId ?? linked?.inboxId ?? APP_INBOX_ID;
    const notes = await this.deps.conversations.insertNotes(tx, conversation);
    await this.deps.tickets.insert(
      {
        conversationId: conversation.id,
        notesConversationId: notes.id,
        inboxId,
        customerId: customer.id,
        status: 'open',
        queuedAt: now,
        lastActivityAt: now,
        linkedFrom: options.linkedFrom ?? null,
      },
      tx,
    );
    await this.deps.events.record(tx, {
      type: 'support.opened',
      actorId: customer.id,
      subject: conversationSubject(conversation.id),
      payload: { inboxId, linkedFrom: options.linkedFrom ?? null },
    });
  }

  /** Once the conversation committed: an agent takes it now, or it waits with its place told. */
  async afterOpened(conversationId: string): Promise<void> {
    const ticket = await this.deps.tickets.get(conversationId);
    if (!ticket) return;
    this.announce(ticket);
    await this.drain(ticket.inboxId);
  }

  // ---- what viewers see ----------------------------------------------------------------------

  async views(actor: Actor, conversationIds: string[]): Promise<Map<string, ConversationSupport>> {
    const tickets = await this.deps.tickets.getMany(conversationIds);
    const names = await this.deps.tickets.names(tickets.flatMap((t) => (t.assigneeId ? [t.assigneeId] : [])));
    const surveys = (await this.deps.csat?.views(tickets)) ?? new Map();
    const queued = tickets.filter((t) => t.queuedAt !== null && t.assigneeId === null && t.status === 'open');
    const places = new Map<string, { position: number; etaSeconds: number | null }>();
    for (const inboxId of new Set(queued.map((t) => t.inboxId))) {
      const inbox = await this.deps.directory.getInbox(inboxId);
      if (!inbox) continue;
      for (const place of await this.deps.queue.places(inbox)) places.set(place.conversationId, place);
    }
    const staff = isStaff(actor);
    return new Map(
      tickets.map((ticket) => {
        const place = places.get(ticket.conversationId);
        const view: ConversationSupport = {
          status: ticket.status,
          assigneeId: ticket.assigneeId,
          assigneeName: ticket.assigneeId ? (names.get(ticket.assigneeId) ?? null) : null,
          teamId: ticket.teamId,
          priority: ticket.priority,
          queuePosition: place?.position ?? null,
          etaSeconds: place?.etaSeconds ?? null,
          linkedFrom: ticket.linkedFrom,
          version: ticket.version,
          ...(staff ? { notesConversationId: ticket.notesConversationId } : {}),
          csat: surveys.get(ticket.conversationId) ?? null,
        };
        return [ticket.conversationId, view];
      }),
    );
  }

  /** Whether a staff member (not a member) may serve this support or notes conversation. */
  async mayServe(actor: Actor, conversation: ConversationRow): Promise<boolean> {
    if (!isStaff(actor)) return false;
    const ticket =
      conversation.kind === 'notes'
        ? await this.deps.tickets.getByNotes(conversation.id)
        : await this.deps.tickets.get(conversation.id);
    return ticket !== undefined && this.deps.tickets.isVisible(ticket.conversationId, viewer(actor));
  }

  /** The notes conversation of a support conversation the staff member sees; they join it. */
  async notesFor(actor: Actor, conversationId: string): Promise<string> {
    if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
    const ticket = await this.visibleTicket(actor, conversationId);
    await this.deps.conversations.addStaff(actor.id, [ticket.notesConversationId], actor.id);
    return ticket.notesConversationId;
  }

  /** Refuses a staff reply to a customer that still carries a canned reply's unfilled variable. */
  async guardReply(_actor: Actor, conversationId: string, body: string): Promise<void> {
    if (hasTemplateVariable(body) && (await this.deps.tickets.get(conversationId))) {
      throw new ValidationError('support/unresolved_variable');
    }
  }

  /** Staff on duty for a support conversation: serving it, connected and `online`. */
  async onDuty(conversationId: string): Promise<string[]> {
    const ticket = await this.deps.tickets.get(conversationId);
    if (!ticket) return [];
    const serving = await this.deps.tickets.servingAgents(ticket.inboxId, ticket.teamId);
    const agents = await this.deps.directory.listAgents({ ids: serving });
    return agents.filter((a) => a.connected && a.availability === 'online').map((a) => a.userId);
  }

  /** Whether an agent who serves this inbox is connected and `online` now (a live answer is likely). */
  async agentsOnline(inboxId: string): Promise<boolean> {
    const serving = await this.deps.tickets.servingAgents(inboxId, null);
    if (serving.length === 0) return false;
    const agents = await this.deps.directory.listAgents({ ids: serving });
    return agents.some((a) => a.connected && a.availability === 'online');
  }

  /** A support conversation's status, undefined for any other conversation. */
  async statusOf(conversationId: string): Promise<SupportStatus | undefined> {
    return (await this.deps.tickets.get(conversationId))?.status;
  }

  /** Who hears of an escalation: the supervisors of its team (every supervisor and admin without one). */
  async supervisorsOf(conversationId: string): Promise<string[]> {
    const ticket = await this.deps.tickets.get(conversationId);
    return ticket ? this.deps.tickets.supervisorsFor(ticket.inboxId, ticket.teamId) : [];
  }

  async list(actor: Actor, query: SupportListQuery) {
    requireStaff(actor);
    const me = viewer(actor);
    const rows = await this.deps.tickets.list(me, {
      scope: query.scope,
      statuses: query.status,
      assignee: query.assignee,
      teamId: query.teamId,
      inboxId: query.inboxId,
      label: query.label,
      priorities: query.priority,
      q: query.q,
      limit: query.limit,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const last = rows.at(-1);
    const clocks = (await this.deps.slaClocks?.nextDue(rows.map((r) => r.conversationId))) ?? new Map();
    return {
      items: rows.map((r) =>
        toTicket(r, { subject: r.subject, customerName: r.customerName, sla: clocks.get(r.conversationId) }),
      ),
      nextCursor: rows.length === query.limit && last ? cursorOf(last) : null,
      counts: await this.deps.tickets.counts(me),
    };
  }

  async get(actor: Actor, conversationId: string): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    return this.present(ticket);
  }

  async assignments(actor: Actor, conversationId: string) {
    requireStaff(actor);
    await this.visibleTicket(actor, conversationId);
    return { items: (await this.deps.tickets.assignments(conversationId)).map(toAssignment) };
  }

  /**
   * The customer of a conversation the caller sees: name, phone, and their other support
   * conversations that the caller may also see (newest first, at most 20).
   */
  async customer(actor: Actor, conversationId: string): Promise<SupportCustomer> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    const [contact, earlier] = await Promise.all([
      this.deps.tickets.contact(ticket.customerId),
      this.deps.tickets.ofCustomer(ticket.customerId, 21),
    ]);
    if (!contact) throw new NotFoundError('conversation/not_found');
    const widget =
      (await this.deps.widgetContacts?.get()?.contactOf(ticket.customerId, conversationId)) ?? null;
    const others = earlier.filter((t) => t.conversationId !== conversationId).slice(0, 20);
    const seen = await Promise.all(
      others.map((t) => this.deps.tickets.isVisible(t.conversationId, viewer(actor))),
    );
    const shown = others.filter((_, i) => seen[i]);
    const subjects = await this.deps.tickets.subjects(shown.map((t) => t.conversationId));
    return {
      id: ticket.customerId,
      name: contact.name,
      // A visitor's user key is not a phone number: never shown as one.
      phone: widget ? '' : contact.phone,
      widget,
      conversations: shown.map((t) => ({
        conversationId: t.conversationId,
        status: t.status,
        subject: subjects.get(t.conversationId) ?? null,
        assigneeId: t.assigneeId,
        createdAt: t.createdAt.toISOString(),
        resolvedAt: t.resolvedAt?.toISOString() ?? null,
        lastActivityAt: t.lastActivityAt.toISOString(),
      })),
    };
  }

  /** Per inbox the caller may read: conversations waiting and the oldest wait. */
  async queueSummary(actor: Actor) {
    requireStaff(actor);
    const [inboxes, sizes, teams] = await Promise.all([
      this.deps.directory.listInboxes(),
      this.deps.tickets.queueSizes(),
      this.deps.directory.teamsOf(actor.id),
    ]);
    const mine = new Set(teams.map((t) => t.teamId));
    // The inboxes they serve: their teams', and those no team is set for (every agent's).
    const served = inboxes.filter(
      (inbox) => isAdmin(actor) || inbox.teamIds.length === 0 || inbox.teamIds.some((id) => mine.has(id)),
    );
    const now = this.deps.now();
    return {
      inboxes: served.map((inbox) => {
        const size = sizes.find((s) => s.inboxId === inbox.id);
        return {
          inboxId: inbox.id,
          name: inbox.name,
          queued: size?.queued ?? 0,
          oldestWaitSeconds: size?.oldest
            ? Math.max(0, Math.round((now - size.oldest.getTime()) / 1000))
            : null,
        };
      }),
    };
  }

  // ---- what staff do -------------------------------------------------------------------------

  /** Assigns to someone (supervisors, admins), or back to the queue (also the assignee). */
  async assign(actor: Actor, conversationId: string, agentId: string | null): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    if (agentId === null) {
      if (!mayWork(actor, ticket)) throw new ForbiddenError('support/forbidden');
      return this.reassign(ticket, { to: null, reason: 'unassign', actorId: actor.id });
    }
    if (agentId === actor.id && !mayAssignOthers(actor)) return this.claim(actor, conversationId);
    if (!mayAssignOthers(actor)) throw new ForbiddenError('support/forbidden');
    await this.requireServing(agentId, ticket.inboxId, ticket.teamId);
    return this.reassign(ticket, { to: agentId, reason: 'manual', actorId: actor.id });
  }

  /** Takes a conversation nobody has, within one's capacity. */
  async claim(actor: Actor, conversationId: string): Promise<SupportTicket> {
    if (!mayClaim(actor)) throw new ForbiddenError('support/forbidden');
    const ticket = await this.visibleTicket(actor, conversationId);
    await this.deps.directory.ensureAgents([actor.id]);
    return this.reassign(ticket, { to: actor.id, reason: 'claim', actorId: actor.id, claim: true });
  }

  /** To another agent, another team (its queue), or both; a note goes beside it as a private note. */
  async transfer(
    actor: Actor,
    conversationId: string,
    input: { agentId?: string | undefined; teamId?: string | undefined; note?: string | undefined },
  ): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    if (!mayWork(actor, ticket)) throw new ForbiddenError('support/forbidden');
    if (input.teamId && (await this.deps.directory.existingTeamIds([input.teamId])).length === 0) {
      throw new NotFoundError('support/team_not_found');
    }
    const teamId = input.teamId ?? ticket.teamId;
    if (input.agentId) await this.requireServing(input.agentId, ticket.inboxId, teamId);
    const note = input.note?.trim() ? input.note.trim() : null;
    if (note) {
      // Written first, while the giver still serves the conversation (after the transfer they
      // may not). Its id follows the version: a transfer retried after a failure writes it once.
      await this.deps.messages.send(actor, {
        conversationId,
        clientMsgId: `transfer-${ticket.version}-${conversationId.slice(0, 8)}`,
        body: note,
        internal: true,
      });
    }
    return this.reassign(ticket, {
      to: input.agentId ?? null,
      reason: 'transfer',
      actorId: actor.id,
      note,
      teamId,
      patch: { excludedAgentIds: [], autoReassigns: 0 },
    });
  }

  async setStatus(
    actor: Actor,
    conversationId: string,
    input: {
      status: 'open' | 'pending' | 'snoozed' | 'resolved';
      snoozeUntil?: string | undefined;
      version?: number | undefined;
    },
  ): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    if (!mayWork(actor, ticket)) throw new ForbiddenError('support/forbidden');
    if (input.version !== undefined && input.version !== ticket.version) {
      throw new AppError(409, 'support/version_conflict');
    }
    const now = new Date(this.deps.now());
    let event: LifecycleEvent;
    switch (input.status) {
      case 'open':
        event = { type: 'set_open' };
        break;
      case 'pending':
        event = { type: 'set_pending' };
        break;
      case 'resolved':
        event = { type: 'resolve', at: now };
        break;
      case 'snoozed': {
        const until = input.snoozeUntil ? new Date(input.snoozeUntil) : null;
        if (until && until.getTime() <= now.getTime()) {
          throw new ValidationError('validation/invalid', [
            { path: ['snoozeUntil'], message: 'must be in the future' },
          ]);
        }
        event = { type: 'snooze', until };
        break;
      }
    }
    const result = await this.apply(conversationId, event, actor.id, input.version);
    if (typeof result === 'string') throw new AppError(409, 'support/invalid_transition');
    return this.present(result);
  }

  async setPriority(actor: Actor, conversationId: string, priority: Priority): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    if (!mayAnnotate(actor)) throw new ForbiddenError('support/forbidden');
    const updated = await this.patch(ticket.conversationId, () => ({ priority }), {
      type: 'support.priority_changed',
      actorId: actor.id,
      payload: { from: ticket.priority, to: priority },
    });
    await this.drain(updated.inboxId); // a priority-ordered queue may serve it sooner
    return this.present(updated);
  }

  async setLabels(actor: Actor, conversationId: string, labels: string[]): Promise<SupportTicket> {
    requireStaff(actor);
    const ticket = await this.visibleTicket(actor, conversationId);
    if (!mayAnnotate(actor)) throw new ForbiddenError('support/forbidden');
    const unique = [...new Set(labels)];
    const updated = await this.patch(ticket.conversationId, () => ({ labels: unique }), {
      type: 'support.labels_changed',
      actorId: actor.id,
      payload: { labels: unique },
    });
    return this.present(updated);
  }

  // ---- what messages do (from the notify-message job) ----------------------------------------

  /** Support messages just stored, in order: the customer's and the staff's change the ticket. */
  async messagesStored(messages: MessageRow[]): Promise<void> {
    for (const message of messages) {
      const ticket = await this.deps.tickets.get(message.conversationId);
      if (!ticket || message.senderId === null) continue;
      try {
        if (message.senderId === ticket.customerId) await this.customerWrote(ticket, message);
        else await this.staffReplied(ticket, message);
      } catch (error) {
        this.log.error(
          { err: error, conversationId: message.conversationId, messageId: message.id },
          'support ticket not updated for a message; the job retries it',
        );
        throw error;
      }
    }
  }

  private async customerWrote(ticket: TicketRow, message: MessageRow): Promise<void> {
    const inbox = await this.inbox(ticket.inboxId);
    const event: LifecycleEvent = {
      type: 'customer_message',
      at: message.createdAt,
      reopenWindowSeconds: timersOf(inbox, this.deps.defaults).reopenWindowSeconds,
    };
    const outcome = await this.apply(
      ticket.conversationId,
      event,
      ticket.customerId,
      undefined,
      (current, step) =>
        // Left as it is (a message from before a resolve): it waits for nobody.
        step.kind === 'same' && current.status !== 'open'
          ? { firstCustomerMessageAt: current.firstCustomerMessageAt ?? message.createdAt }
          : {
              waitingSince: current.waitingSince ?? message.createdAt,
              firstCustomerMessageAt: current.firstCustomerMessageAt ?? message.createdAt,
              lastActivityAt: message.createdAt,
            },
    );
    if (outcome === 'follow_up') await this.followUp(ticket, message);
    else if (outcome !== 'invalid') {
      await this.notify({ kind: 'customer_message', before: ticket, after: outcome, message });
    }
  }

  private async staffReplied(ticket: TicketRow, message: MessageRow): Promise<void> {
    const updated = await this.patch(ticket.conversationId, (current) => ({
      firstAgentReplyAt: current.firstAgentReplyAt ?? message.createdAt,
      cycleFirstReplyAt:
        current.cycleFirstReplyAt ?? (answersCycle(current, message) ? message.createdAt : null),
      // What this reply answered, kept past the wait it clears (reports time replies from it). A
      // retried job sees its own reply as the latest and leaves both as they are.
      ...(isLater(message.createdAt, current.lastStaffReplyAt)
        ? { lastStaffReplyAt: message.createdAt, lastReplyWaitedSince: current.waitingSince }
        : {}),
      waitingSince: null,
      autoReassigns: 0,
      excludedAgentIds: [],
      escalatedAt: null,
      lastActivityAt: message.createdAt,
    }));
    if (message.senderId) {
      await this.notify({
        kind: 'agent_reply',
        before: ticket,
        after: updated,
        message,
        agentId: message.senderId,
      });
    }
    const current = await this.deps.tickets.get(ticket.conversationId);
    // An agent answering a conversation nobody has takes it.
    if (current && current.assigneeId === null && current.status === 'open' && message.senderId) {
      await this.deps.directory.ensureAgents([message.senderId]);
      await this.reassign(current, {
        to: message.senderId,
        reason: 'claim',
        actorId: message.senderId,
      }).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
    }
  }

  /**
   * A customer wrote to a closed conversation (or one resolved beyond its reopen window): a new
   * one starts, linked to it, with their message — once, whatever the retries.
   */
  private async followUp(ticket: TicketRow, message: MessageRow): Promise<void> {
    if (ticket.status === 'resolved' && ticket.resolvedAt) {
      await this.apply(
        ticket.conversationId,
        { type: 'close', resolvedAt: ticket.resolvedAt, at: new Date(this.deps.now()) },
        null,
      );
    }
    const customer: Actor = { id: ticket.customerId, role: 'customer' };
    const subject = (await this.deps.conversations.findById(ticket.conversationId))?.subject;
    const existing = await this.deps.tickets.followUpOf(ticket.conversationId);
    const target =
      existing ??
      (
        await this.deps.conversations.create(
          customer,
          { kind: 'support', ...(subject ? { subject } : {}) },
          { linkedFrom: ticket.conversationId },
        )
      ).conversation.id;
    // The customer's message was counted against their send rate when they sent it.
    await this.deps.messages.send(
      customer,
      { conversationId: target, clientMsgId: `follow-up:${message.id}`, body: message.body ?? '' },
      undefined,
      { metered: false },
    );
  }

  // ---- timers ------------------------------------------------------------------------------

  /** The snooze set for `until` is over: the conversation opens again. */
  async snoozeEnded(conversationId: string, until: Date): Promise<void> {
    await this.apply(conversationId, { type: 'snooze_expired', until }, null);
  }

  /** The reopen window after the resolve at `resolvedAt` is over: closed for good. */
  async reopenWindowEnded(conversationId: string, resolvedAt: Date): Promise<void> {
    await this.apply(conversationId, { type: 'close', resolvedAt, at: new Date(this.deps.now()) }, null);
  }

  /**
   * The assignee has not answered the customer in time (armed at `since`): the conversation goes
   * to someone else, never back to them — or, after `maxAutoReassigns` silent agents, to the
   * supervisors instead of round again.
   */
  async noReplyDue(conversationId: string, assigneeId: string, since: Date): Promise<void> {
    const ticket = await this.deps.tickets.get(conversationId);
    if (!ticket) return;
    const inbox = await this.inbox(ticket.inboxId);
    const timers = timersOf(inbox, this.deps.defaults);
    const still = (t: TicketRow) =>
      t.status === 'open' &&
      t.assigneeId === assigneeId &&
      t.waitingSince !== null &&
      noReplySince(t)?.getTime() === since.getTime();
    if (!still(ticket)) return;
    const due = since.getTime() + timers.reassignNoReplyAfterSeconds * 1000;
    if (this.deps.now() < due) {
      // Woken early (the inbox's timer changed, a clock step): look again when it is due.
      await this.deps.jobs.send(
        'support-no-reply',
        { conversationId, assigneeId, since: since.toISOString() },
        { startAfter: new Date(due) },
      );
      return;
    }
    const escalate = ticket.autoReassigns >= timers.maxAutoReassigns;
    const names = await this.deps.tickets.names([assigneeId]);
    const assigned = await this.deps.routing.reassign(conversationId, {
      to: null,
      reason: escalate ? 'escalate' : 'no_reply',
      actorId: null,
      onlyIf: still,
      patch: escalate
        ? { escalatedAt: new Date(this.deps.now()) }
        : {
            autoReassigns: ticket.autoReassigns + 1,
            excludedAgentIds: [...new Set([...ticket.excludedAgentIds, assigneeId])],
          },
      events: escalate
        ? [
            {
              type: 'support.escalated',
              actorId: null,
              subject: conversationSubject(conversationId),
              payload: {
                inboxId: ticket.inboxId,
                teamId: ticket.teamId,
                autoReassigns: ticket.autoReassigns + 1,
              },
            },
          ]
        : [],
    });
    if (!assigned) return;
    const desk = t('fa').desk;
    await this.deps.conversations.postSystem(
      ticket.notesConversationId,
      escalate
        ? desk.escalated(ticket.autoReassigns + 1)
        : desk.noReply(names.get(assigneeId) ?? t('fa').someone, timers.reassignNoReplyAfterSeconds),
    );
    await this.applied(assigned);
    await this.drain(ticket.inboxId);
  }

  /**
   * An assignee went offline at `offlineSince`: what they hold goes back to the queue once each
   * conversation's inbox grace has passed, with a note beside it. Answers when to look again
   * (the shortest grace still running), or undefined.
   */
  async assigneeOffline(agentId: string, offlineSince: Date): Promise<Date | undefined> {
    const agent = await this.deps.directory.getAgent(agentId);
    const away = agent && (!agent.connected || agent.availability === 'offline');
    if (!away || agent.offlineSince?.getTime() !== offlineSince.getTime()) return undefined;
    const now = this.deps.now();
    const names = await this.deps.tickets.names([agentId]);
    let next: number | undefined;
    const inboxes = new Set<string>();
    for (const ticket of await this.deps.tickets.heldBy(agentId)) {
      const grace = timersOf(
        await this.inbox(ticket.inboxId),
        this.deps.defaults,
      ).reassignOfflineAfterSeconds;
      const due = offlineSince.getTime() + grace * 1000;
      if (due > now) {
        next = Math.min(next ?? due, due);
        continue;
      }
      const assigned = await this.deps.routing.reassign(ticket.conversationId, {
        to: null,
        reason: 'offline',
        actorId: null,
        onlyIf: (t) => t.assigneeId === agentId && (t.status === 'open' || t.status === 'pending'),
      });
      if (!assigned) continue;
      await this.deps.conversations.postSystem(
        ticket.notesConversationId,
        t('fa').desk.offline(names.get(agentId) ?? t('fa').someone, grace),
      );
      await this.applied(assigned);
      inboxes.add(ticket.inboxId);
    }
    for (const inboxId of inboxes) await this.drain(inboxId);
    return next === undefined ? undefined : new Date(next);
  }

  /** The safety net behind the timers: whatever is due now is done (a lost job, a restart). */
  async sweep(): Promise<void> {
    const now = new Date(this.deps.now());
    const { defaults } = this.deps;
    for (const due of await this.deps.tickets.due(now, {
      reopenWindowSeconds: defaults.reopenWindowSeconds,
      noReplySeconds: defaults.reassignNoReplyAfterSeconds,
    })) {
      const ticket = await this.deps.tickets.get(due.conversationId);
      if (!ticket) continue;
      if (due.kind === 'snooze' && ticket.snoozedUntil)
        await this.snoozeEnded(ticket.conversationId, ticket.snoozedUntil);
      if (due.kind === 'close' && ticket.resolvedAt)
        await this.reopenWindowEnded(ticket.conversationId, ticket.resolvedAt);
      const since = noReplySince(ticket);
      if (due.kind === 'no_reply' && ticket.assigneeId && since) {
        await this.noReplyDue(ticket.conversationId, ticket.assigneeId, since);
      }
    }
    const shortestGrace = Math.min(
      defaults.reassignOfflineAfterSeconds,
      ...(await this.deps.directory.listInboxes()).map(
        (i) => i.reassignOfflineAfterSeconds ?? Number.POSITIVE_INFINITY,
      ),
    );
    for (const agent of await this.deps.directory.offlineWithWork(
      new Date(now.getTime() - shortestGrace * 1000),
    )) {
      await this.assigneeOffline(agent.userId, agent.offlineSince);
    }
    await this.drainAll();
  }

  // ---- routing -----------------------------------------------------------------------------

  /** Hands out the inbox's queue (every inbox's, without one) to whoever is available now. */
  async drain(inboxId: string): Promise<void> {
    const inbox = await this.deps.directory.getInbox(inboxId);
    if (!inbox) return;
    for (const assigned of await this.deps.routing.drain(inbox)) await this.applied(assigned);
    this.deps.queue.changed(inboxId);
  }

  async drainAll(): Promise<void> {
    for (const inbox of await this.deps.directory.listInboxes()) await this.drain(inbox.id);
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Applies a lifecycle event as a compare-and-set, retrying with the fresh ticket when another
   * change won; `extra` adds fields computed from the ticket. Answers the new ticket, or what
   * the event could not do.
   */
  private async apply(
    conversationId: string,
    event: LifecycleEvent,
    actorId: string | null,
    expectedVersion?: number,
    extra?: (ticket: TicketRow, step: Transition) => TicketPatch,
  ): Promise<TicketRow | 'invalid' | 'follow_up'> {
    for (let attempt = 0; attempt < CAS_TRIES; attempt++) {
      const ticket = await this.deps.tickets.get(conversationId);
      if (!ticket) throw new NotFoundError('conversation/not_found');
      if (expectedVersion !== undefined && ticket.version !== expectedVersion) {
        throw new AppError(409, 'support/version_conflict');
      }
      const step: Transition = transition(ticket, event);
      if (step.kind === 'invalid') return 'invalid';
      if (step.kind === 'follow_up') return 'follow_up';
      const patch: TicketPatch = { ...extra?.(ticket, step) };
      if (step.kind === 'move') Object.assign(patch, step.patch, this.statusEffects(ticket, step));
      if (Object.keys(patch).length === 0) return ticket;
      const updated = await this.deps.db.transaction(async (tx) => {
        const row = await this.deps.tickets.update(conversationId, ticket.version, patch, tx);
        if (row && step.kind === 'move') {
          await this.deps.events.record(tx, {
            type: 'support.status_changed',
            actorId,
            subject: conversationSubject(conversationId),
            payload: {
              from: ticket.status,
              to: step.status,
              reopened: step.reopened,
              cycle: row.reopenCount,
              at: row.lastActivityAt.toISOString(),
              cycleStartedAt: row.cycleStartedAt?.toISOString() ?? null,
              inboxId: ticket.inboxId,
              teamId: ticket.teamId,
              assigneeId: ticket.assigneeId,
            },
          });
        }
        return row;
      });
      if (!updated) continue; // another change won: look again
      await this.afterChange(ticket, updated, step.kind === 'move' && step.reopened, actorId);
      return updated;
    }
    throw new AppError(409, 'support/version_conflict');
  }

  /** The fields a status change brings with it: the queue, the reopen count, the silence timers. */
  private statusEffects(ticket: TicketRow, step: Extract<Transition, { kind: 'move' }>): TicketPatch {
    const now = new Date(this.deps.now());
    const patch: TicketPatch = { status: step.status, lastActivityAt: now };
    if (step.reopened) {
      // A reopened conversation starts a new cycle: back to the queue, its last assignee
      // preferred if they are available (afterChange tries them first).
      Object.assign(patch, {
        reopenCount: ticket.reopenCount + 1,
        cycleStartedAt: now,
        cycleFirstReplyAt: null,
        previousAssigneeId: ticket.assigneeId ?? ticket.previousAssigneeId,
        assigneeId: null,
        assignedAt: null,
        autoReassigns: 0,
        excludedAgentIds: [],
        escalatedAt: null,
      });
    }
    const unassigned = step.reopened || ticket.assigneeId === null;
    patch.queuedAt = step.status === 'open' && unassigned ? (ticket.queuedAt ?? now) : null;
    if (step.status === 'resolved') patch.waitingSince = null;
    return patch;
  }

  /** After a ticket changed: timers armed, the previous assignee tried, the queue served, staff told. */
  private async afterChange(
    before: TicketRow,
    after: TicketRow,
    reopened: boolean,
    actorId: string | null,
  ): Promise<void> {
    const { jobs } = this.deps;
    const { conversationId } = after;
    // Timers the change made moot are cancelled (each also checks the ticket when it runs).
    if (before.snoozedUntil && before.snoozedUntil.getTime() !== after.snoozedUntil?.getTime()) {
      await jobs.cancel('support-snooze', { conversationId, until: before.snoozedUntil.toISOString() });
    }
    if (before.status === 'resolved' && after.status !== 'resolved' && after.status !== 'closed') {
      await jobs.cancel('support-close', { conversationId });
    }
    if (
      after.status === 'snoozed' &&
      after.snoozedUntil &&
      after.snoozedUntil.getTime() !== before.snoozedUntil?.getTime()
    ) {
      await jobs.send(
        'support-snooze',
        { conversationId: after.conversationId, until: after.snoozedUntil.toISOString() },
        { startAfter: after.snoozedUntil },
      );
    }
    if (after.status === 'resolved' && before.status !== 'resolved' && after.resolvedAt) {
      const window = timersOf(await this.inbox(after.inboxId), this.deps.defaults).reopenWindowSeconds;
      await jobs.send(
        'support-close',
        { conversationId: after.conversationId, resolvedAt: after.resolvedAt.toISOString() },
        { startAfter: new Date(after.resolvedAt.getTime() + window * 1000) },
      );
    }
    await this.armNoReply(before, after);
    this.announce(after);
    await this.notify({ kind: 'status', before, after, reopened, actorId }).catch((error: unknown) =>
      this.log.error(
        { err: error, conversationId },
        'a ticket observer failed on a status change; its sweep brings it in line',
      ),
    );
    if (reopened && after.previousAssigneeId) await this.tryPrevious(after);
    if (before.status !== after.status || before.queuedAt?.getTime() !== after.queuedAt?.getTime()) {
      await this.drain(after.inboxId);
    }
  }

  /** On reopen the previous assignee takes it back — only if they could take it now. */
  private async tryPrevious(ticket: TicketRow): Promise<void> {
    const previous = ticket.previousAssigneeId;
    if (!previous) return;
    const inbox = await this.inbox(ticket.inboxId);
    if (inbox.routing === 'manual') return;
    const available = await this.deps.tickets.candidates(
      inbox.id,
      inbox.routing,
      this.deps.defaults.maxConversations,
    );
    if (!available.includes(previous)) return;
    const assigned = await this.deps.routing.reassign(ticket.conversationId, {
      to: previous,
      reason: 'auto',
      actorId: null,
      onlyIf: (t) => t.assigneeId === null && t.status === 'open',
    });
    if (assigned) await this.applied(assigned);
  }

  /** A customer waits on an assignee: a timer checks they answer in time (any earlier one is moot). */
  private async armNoReply(before: TicketRow, after: TicketRow): Promise<void> {
    const timerOf = (t: TicketRow) => {
      const since = noReplySince(t);
      return t.assigneeId && since && t.status === 'open' ? { assigneeId: t.assigneeId, since } : null;
    };
    const was = timerOf(before);
    const now = timerOf(after);
    if (was?.assigneeId === now?.assigneeId && was?.since.getTime() === now?.since.getTime()) return;
    if (was) {
      // Answered, handed on, resolved…: the silence it was counting is over.
      await this.deps.jobs.cancel('support-no-reply', {
        conversationId: after.conversationId,
        assigneeId: was.assigneeId,
      });
    }
    if (!now || !after.assigneeId) return;
    const since = now.since;
    const seconds = timersOf(await this.inbox(after.inboxId), this.deps.defaults).reassignNoReplyAfterSeconds;
    await this.deps.jobs.send(
      'support-no-reply',
      { conversationId: after.conversationId, assigneeId: after.assigneeId, since: since.toISOString() },
      { startAfter: new Date(since.getTime() + seconds * 1000) },
    );
  }

  /** An assignment changed: memberships follow it, timers are armed, everyone concerned hears. */
  async applied(assigned: Assigned): Promise<void> {
    const { ticket, assignment, from } = assigned;
    const conversations = [ticket.conversationId, ticket.notesConversationId];
    if (from && from !== ticket.assigneeId)
      await this.deps.conversations.removeStaff(from, conversations, assignment.actorId);
    if (ticket.assigneeId)
      await this.deps.conversations.addStaff(ticket.assigneeId, conversations, assignment.actorId);
    await this.armNoReply({ ...ticket, assigneeId: from }, ticket);
    this.deps.live.publish('support.assigned', { assignment, ticket });
    this.announce(ticket, { assigneeId: from, teamId: assigned.fromTeamId });
    this.deps.queue.changed(ticket.inboxId);
  }

  private async reassign(ticket: TicketRow, change: Reassignment): Promise<SupportTicket> {
    const assigned = await this.deps.routing.reassign(ticket.conversationId, change);
    if (!assigned) throw new NotFoundError('conversation/not_found');
    await this.applied(assigned);
    // Whoever was freed may take the next waiting conversation.
    if (assigned.from) await this.drain(assigned.ticket.inboxId);
    return this.present(assigned.ticket);
  }

  /** A compare-and-set of fields that are no status change (priority, labels, reply times). */
  private async patch(
    conversationId: string,
    fields: (ticket: TicketRow) => TicketPatch,
    event?: Omit<NewDomainEvent, 'subject'>,
  ): Promise<TicketRow> {
    for (let attempt = 0; attempt < CAS_TRIES; attempt++) {
      const ticket = await this.deps.tickets.get(conversationId);
      if (!ticket) throw new NotFoundError('conversation/not_found');
      const updated = await this.deps.db.transaction(async (tx) => {
        const row = await this.deps.tickets.update(conversationId, ticket.version, fields(ticket), tx);
        if (row && event) {
          await this.deps.events.record(tx, { ...event, subject: conversationSubject(conversationId) });
        }
        return row;
      });
      if (!updated) continue;
      await this.armNoReply(ticket, updated);
      this.announce(updated);
      return updated;
    }
    throw new AppError(409, 'support/version_conflict');
  }

  /** Tells the ticket's observers, in order; the first failure stops and throws. */
  private async notify(change: TicketChange): Promise<void> {
    for (const observer of this.deps.observers ?? []) await observer.observe(change);
  }

  private announce(ticket: TicketRow, formerly?: { assigneeId: string | null; teamId: string | null }): void {
    this.deps.live.publish('support.ticket.changed', { ticket, formerly });
  }

  /** The ticket, if the actor may see it (staff by team, customers their own); else 404. */
  private async visibleTicket(actor: Actor, conversationId: string): Promise<TicketRow> {
    const ticket = await this.deps.tickets.get(conversationId);
    const visible =
      ticket !== undefined &&
      (isStaff(actor)
        ? await this.deps.tickets.isVisible(conversationId, viewer(actor))
        : ticket.customerId === actor.id);
    if (!ticket || !visible) throw new NotFoundError('conversation/not_found');
    return ticket;
  }

  /** The agent must be staff who may serve this inbox (and team). */
  private async requireServing(agentId: string, inboxId: string, teamId: string | null): Promise<void> {
    const role = await this.deps.tickets.roleOf(agentId);
    if (!role) throw new NotFoundError('support/agent_not_found');
    if (role === 'customer') throw new ValidationError('support/not_an_agent');
    if (role === 'agent' && !(await this.deps.tickets.servingAgents(inboxId, teamId)).includes(agentId)) {
      throw new ValidationError('support/not_an_agent');
    }
    await this.deps.directory.ensureAgents([agentId]);
  }

  private async inbox(id: string): Promise<InboxWithTeams> {
    const inbox = await this.deps.directory.getInbox(id);
    if (!inbox) throw new NotFoundError('support/inbox_not_found');
    return inbox;
  }

  private async present(ticket: TicketRow): Promise<SupportTicket> {
    const [subjects, names, clocks] = await Promise.all([
      this.deps.tickets.subjects([ticket.conversationId]),
      this.deps.tickets.names([ticket.customerId]),
      this.deps.slaClocks?.nextDue([ticket.conversationId]),
    ]);
    return toTicket(ticket, {
      subject: subjects.get(ticket.conversationId) ?? null,
      customerName: names.get(ticket.customerId) ?? null,
      sla: clocks?.get(ticket.conversationId),
    });
  }
}

/** The viewer of the desk an actor is. */
export function viewer(actor: Actor): Viewer {
  return { id: actor.id, admin: isAdmin(actor) };
}

/** Since when the assignee owes the customer an answer: the later of the assignment and the customer's wait. */
export function noReplySince(ticket: Pick<TicketRow, 'assignedAt' | 'waitingSince'>): Date | null {
  if (!ticket.assignedAt || !ticket.waitingSince) return null;
  return new Date(Math.max(ticket.assignedAt.getTime(), ticket.waitingSince.getTime()));
}

const isLater = (at: Date, than: Date | null) => than === null || at.getTime() > than.getTime();

/**
 * Whether a staff message answers the customer in the ticket's current cycle: after the
 * customer's first message (a conversation opened by the customer), or after the reopen.
 */
function answersCycle(ticket: TicketRow, message: MessageRow): boolean {
  const start = ticket.reopenCount === 0 ? ticket.firstCustomerMessageAt : ticket.cycleStartedAt;
  return start !== null && message.createdAt.getTime() >= start.getTime();
}

/** The desk's staff routes are the staff's: a customer has their conversation's own view. */
function requireStaff(actor: Actor): void {
  if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
}
