import type { AssignmentReason, Priority, SlaTargetKind, SupportStatus } from '@abrik/protocol';
import type { AssignmentRow, TicketRow } from './tables.js';

/** What the support module announces for realtime delivery (support.socket.ts delivers it). */
declare module '../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** A ticket changed (status, assignee, team, priority, labels, waiting): the staff concerned hear. */
    /** `formerly`: who else was concerned before this change (an assignee, a team it left). */
    'support.ticket.changed': {
      ticket: TicketRow;
      formerly?: { assigneeId: string | null; teamId: string | null } | undefined;
    };
    'support.assigned': { assignment: AssignmentRow; ticket: TicketRow };
    /** The waiting customers of an inbox may have a new place in its queue. */
    'support.queue.changed': { inboxId: string };
    /** A team's members changed: their connections join or leave its room. */
    'support.team.members': { teamId: string; added: string[]; removed: string[] };
  }
}

/** The support desk's durable events: its audit trail and what listeners act on. */
declare module '../../platform/events/domain-events.js' {
  interface DomainEventMap {
    'support.opened': { inboxId: string; linkedFrom: string | null };
    'support.assigned': {
      fromId: string | null;
      toId: string | null;
      teamId: string | null;
      reason: AssignmentReason;
      note: string | null;
    };
    /**
     * `cycle` is the ticket's cycle after the change (a reopen starts the next), `at` when it
     * happened on the desk's clock; inbox, team and assignee are the ones before the change (who
     * had it when it was resolved). Older events carry only from, to and reopened.
     */
    'support.status_changed': {
      from: SupportStatus;
      to: SupportStatus;
      reopened: boolean;
      cycle?: number;
      at?: string;
      cycleStartedAt?: string | null;
      inboxId?: string;
      teamId?: string | null;
      assigneeId?: string | null;
    };
    /** An assignee after another stayed silent: the team's supervisors take it from here. */
    'support.escalated': { inboxId: string; teamId: string | null; autoReassigns: number };
    'support.priority_changed': { from: Priority; to: Priority };
    'support.labels_changed': { labels: string[] };
    'support.team_saved': { name: string; agentIds: string[]; supervisorIds: string[] };
    /** What an update set; null where it left the value as it was. */
    'support.agent_saved': {
      maxConversations: number | null;
      teamIds: string[];
      inboxLimits: Record<string, number> | null;
    };
    'support.inbox_saved': Record<string, unknown>;
    /** A conversation's SLA target passed its deadline unmet (subject: the conversation). */
    'support.sla_breached': {
      inboxId: string;
      teamId: string | null;
      assigneeId: string | null;
      kind: SlaTargetKind;
      cycle: number;
      dueAt: string;
    };
    /** A customer rated a resolved conversation (again, when they edit it within the day). */
    'support.csat_received': {
      inboxId: string;
      teamId: string | null;
      agentId: string | null;
      cycle: number;
      rating: number;
      comment: string | null;
    };
    /** What an admin did to a calendar (`action`: created, updated, deleted) and the fields given. */
    'support.calendar_saved': Record<string, unknown>;
    /** A day set by hand; `kind` `cleared` when the override was removed. */
    'support.calendar_day_set': { date: string; kind: string; label: string };
    'support.holidays_imported': { year: number; imported: number; keptManual: number; removed: number };
    'support.sla_policy_saved': Record<string, unknown>;
    /** What an admin did to a webhook (`action`: created, updated, deleted, secret_rotated); never its secret. */
    'support.webhook_saved': Record<string, unknown>;
    /**
     * A report downloaded (subject `report:<overview|inbox|team|agent>`, by its grouping): the
     * query it answered, the format and the rows written.
     */
    'support.report_exported': {
      filters: {
        from: string;
        to: string;
        bucket: string;
        groupBy: string;
        inboxId: string | null;
        teamId: string | null;
        agentId: string | null;
      };
      format: 'csv';
      rows: number;
    };
    /** An admin asked for a test delivery (subject: the webhook); its listener sends the ping. */
    'support.webhook_tested': Record<string, never>;
  }
}

export { conversationSubject } from '../chat/events.js';
export const teamSubject = (id: string) => `support-team:${id}`;
export const inboxSubject = (id: string) => `support-inbox:${id}`;
export const userSubject = (id: string) => `user:${id}`;
export const calendarSubject = (id: string) => `calendar:${id}`;
export const reportSubject = (kind: string) => `report:${kind}`;
