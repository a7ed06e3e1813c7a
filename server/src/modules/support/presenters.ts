import type { Assignment, CannedReply, Inbox, SupportTicket, Team } from '@abrik/protocol';
import type { InboxWithTeams, TeamWithMembers } from './directory.repository.js';
import { type SupportDefaults, timersOf } from './settings.js';
import type { SlaTargetRow } from './sla/tables.js';
import type { AssignmentRow, CannedReplyRow, TicketRow } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTicket(
  row: TicketRow,
  extra: { subject: string | null; customerName: string | null; sla?: SlaTargetRow | undefined },
): SupportTicket {
  return {
    conversationId: row.conversationId,
    notesConversationId: row.notesConversationId,
    inboxId: row.inboxId,
    teamId: row.teamId,
    assigneeId: row.assigneeId,
    status: row.status,
    priority: row.priority,
    labels: row.labels,
    subject: extra.subject,
    customer: { id: row.customerId, name: extra.customerName },
    waitingSince: iso(row.waitingSince),
    queuedAt: iso(row.queuedAt),
    firstCustomerMessageAt: iso(row.firstCustomerMessageAt),
    firstAgentReplyAt: iso(row.firstAgentReplyAt),
    lastActivityAt: row.lastActivityAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
    snoozedUntil: iso(row.snoozedUntil),
    snoozedUntilReply: row.snoozedUntilReply,
    reopenCount: row.reopenCount,
    autoReassigns: row.autoReassigns,
    escalated: row.escalatedAt !== null,
    linkedFrom: row.linkedFrom,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    sla: extra.sla
      ? {
          kind: extra.sla.kind,
          dueAt: iso(extra.sla.dueAt),
          breachedAt: iso(extra.sla.breachedAt),
          paused: extra.sla.dueAt === null,
        }
      : null,
  };
}

/** What the staff rooms hear of a change (clients drop events older than the version they hold). */
export function toTicketEvent(row: TicketRow) {
  return {
    conversationId: row.conversationId,
    inboxId: row.inboxId,
    teamId: row.teamId,
    assigneeId: row.assigneeId,
    status: row.status,
    priority: row.priority,
    labels: row.labels,
    waitingSince: iso(row.waitingSince),
    escalated: row.escalatedAt !== null,
    version: row.version,
  };
}

export function toAssignment(row: AssignmentRow): Assignment {
  return {
    conversationId: row.conversationId,
    fromId: row.fromId,
    toId: row.toId,
    teamId: row.teamId,
    reason: row.reason,
    note: row.note,
    actorId: row.actorId,
    at: row.at.toISOString(),
  };
}

export function toTeam(row: TeamWithMembers): Team {
  return {
    id: row.id,
    name: row.name,
    agentIds: row.agentIds,
    supervisorIds: row.supervisorIds,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toInbox(row: InboxWithTeams, defaults: SupportDefaults): Inbox {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    routing: row.routing,
    queueOrder: row.queueOrder,
    teamIds: row.teamIds,
    ...timersOf(row, defaults),
    calendarId: row.calendarId,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toCannedReply(row: CannedReplyRow): CannedReply {
  return {
    id: row.id,
    scope: row.scope,
    ownerId: row.ownerId,
    teamId: row.teamId,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
