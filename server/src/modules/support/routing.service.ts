import type { AssignmentReason } from '@abrik/protocol';
import type { Executor, Transactor } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import type { DomainEvents, NewDomainEvent } from '../../platform/events/domain-events.js';
import type { InboxWithTeams } from './directory.repository.js';
import { conversationSubject } from './events.js';
import type { SupportDefaults } from './settings.js';
import type { AssignmentRow, TicketRow } from './tables.js';
import type { TicketPatch, TicketRepository } from './ticket.repository.js';

export interface Assigned {
  ticket: TicketRow;
  assignment: AssignmentRow;
  /** The assignee before. */
  from: string | null;
  /** The team before (a transfer may have changed it). */
  fromTeamId: string | null;
}

/** A change of assignee: to whom (null: back to the queue), why, by whom, and what else changes. */
export interface Reassignment {
  to: string | null;
  reason: AssignmentReason;
  actorId: string | null;
  note?: string | null;
  /** The team it goes with; undefined keeps the ticket's (or takes the assignee's). */
  teamId?: string | null;
  /** A claim: only while nobody has it, and only with room under the agent's capacity. */
  claim?: boolean;
  /** Only if the ticket still looks like this (a timer's view); otherwise nothing happens. */
  onlyIf?: (ticket: TicketRow) => boolean;
  patch?: TicketPatch;
  /** Further durable events of the same change, written in its transaction (an escalation). */
  events?: NewDomainEvent[];
}

/**
 * Assignment, as one transaction each: the conversation (and, out of the queue, the agent) locked
 * — skipping what another assignment holds — capacity checked again under the agent's lock, the
 * ticket, the assignment row and its durable event written together. Correct with several
 * instances and workers: no conversation goes to two agents, no agent over capacity.
 */
export class RoutingService {
  constructor(
    private readonly deps: {
      db: Transactor;
      tickets: TicketRepository;
      events: Pick<DomainEvents, 'record'>;
      defaults: SupportDefaults;
      now: () => number;
    },
  ) {}

  /** Hands the inbox's queue out to its available agents until one or the other runs out. */
  async drain(inbox: InboxWithTeams): Promise<Assigned[]> {
    if (inbox.routing === 'manual') return [];
    const assigned: Assigned[] = [];
    for (let round = 0; round < 1000; round++) {
      const next = await this.handOutOne(inbox, inbox.routing);
      if (!next) break;
      assigned.push(next);
    }
    return assigned;
  }

  /**
   * The next queued conversation to the agent the policy puts first, as one transaction: the
   * choice is made under the routing lock, so two instances draining at once cannot both give
   * to the same "least recently assigned" agent. Undefined when the queue or the agents run out.
   */
  private handOutOne(
    inbox: InboxWithTeams,
    policy: 'round_robin' | 'least_loaded',
  ): Promise<Assigned | undefined> {
    const { tickets, defaults } = this.deps;
    return this.deps.db.transaction(async (tx) => {
      await tickets.lockRouting(tx);
      const candidates = await tickets.candidates(inbox.id, policy, defaults.maxConversations, tx);
      for (const agentId of candidates) {
        // Capacity checked again under the agent's lock (a claim or a manual assign may race).
        if (!(await tickets.lockAgentWithRoom(agentId, inbox.id, defaults.maxConversations, tx))) continue;
        // None for them (excluded after their silence, another team's): perhaps for the next.
        const ticket = await tickets.takeQueued(inbox.id, agentId, inbox.queueOrder, tx);
        if (!ticket) continue;
        const teamId = ticket.teamId ?? (await tickets.teamFor(agentId, inbox.id, tx));
        return this.write(tx, ticket, { to: agentId, reason: 'auto', actorId: null, teamId });
      }
      return undefined;
    });
  }

  /** Changes the assignee of one conversation (by hand, a claim, a transfer, a timer). */
  async reassign(conversationId: string, change: Reassignment): Promise<Assigned | undefined> {
    const { tickets, defaults } = this.deps;
    return this.deps.db.transaction(async (tx) => {
      const ticket = await tickets.lock(conversationId, tx);
      if (!ticket) return undefined;
      if (change.onlyIf && !change.onlyIf(ticket)) return undefined;
      if (change.claim && ticket.assigneeId !== null) throw new AppError(409, 'support/already_assigned');
      if (change.to !== null) {
        if (ticket.status === 'resolved' || ticket.status === 'closed') {
          throw new AppError(409, 'support/invalid_transition');
        }
        await tickets.lockAgent(change.to, tx);
        if (
          change.claim &&
          !(await tickets.hasRoom(change.to, ticket.inboxId, defaults.maxConversations, tx))
        ) {
          throw new AppError(409, 'support/over_capacity');
        }
      }
      const teamId =
        change.teamId !== undefined
          ? change.teamId
          : (ticket.teamId ?? (change.to ? await tickets.teamFor(change.to, ticket.inboxId, tx) : null));
      return this.write(tx, ticket, { ...change, teamId });
    });
  }

  private async write(
    tx: Executor,
    ticket: TicketRow,
    change: Reassignment & { teamId: string | null },
  ): Promise<Assigned> {
    const { tickets, events } = this.deps;
    const now = new Date(this.deps.now());
    const toQueue = change.to === null;
    const patch: TicketPatch = {
      assigneeId: change.to,
      teamId: change.teamId,
      assignedAt: toQueue ? null : now,
      // Back in the queue it keeps its place: from when the customer started waiting.
      queuedAt: toQueue
        ? ticket.status === 'open'
          ? (ticket.waitingSince ?? ticket.queuedAt ?? now)
          : null
        : null,
      ...(toQueue ? {} : { escalatedAt: null }),
      ...change.patch,
    };
    const updated = await tickets.update(ticket.conversationId, ticket.version, patch, tx);
    if (!updated) throw new AppError(409, 'support/version_conflict'); // the row is locked: cannot happen
    if (change.to) await tickets.markAssigned(change.to, tx);
    const assignment = await tickets.insertAssignment(
      {
        conversationId: ticket.conversationId,
        fromId: ticket.assigneeId,
        toId: change.to,
        teamId: change.teamId,
        reason: change.reason,
        note: change.note ?? null,
        actorId: change.actorId,
        queuedAt: ticket.assigneeId === null && change.to ? ticket.queuedAt : null,
        at: now,
      },
      tx,
    );
    await events.record(tx, {
      type: 'support.assigned',
      actorId: change.actorId,
      subject: conversationSubject(ticket.conversationId),
      payload: {
        fromId: ticket.assigneeId,
        toId: change.to,
        teamId: change.teamId,
        reason: change.reason,
        note: change.note ?? null,
      },
    });
    for (const event of change.events ?? []) {
      await events.record(tx, event);
    }
    return { ticket: updated, assignment, from: ticket.assigneeId, fromTeamId: ticket.teamId };
  }
}
