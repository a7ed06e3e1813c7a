import {
  AgentListSchema,
  AgentSchema,
  AssignmentHistorySchema,
  CannedReplyListSchema,
  CannedReplySchema,
  InboxListSchema,
  InboxSchema,
  type PlatformRole,
  type Priority,
  RenderedCannedReplySchema,
  SupportCustomerSchema,
  SupportListSchema,
  SupportQueueSchema,
  SupportTicketSchema,
  TeamSchema,
  UserSchema,
} from '@abrik/protocol';
import { z } from 'zod';
import type { ApiClient } from './client.js';

const TeamListSchema = z.object({ items: z.array(TeamSchema) });

/** Filters of the console's list (`GET /api/v1/support/conversations`). */
export interface TicketFilters {
  scope?: 'all' | 'teams';
  status?: string;
  assignee?: 'me' | 'none' | string;
  teamId?: string;
  inboxId?: string;
  label?: string;
  priority?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface AgentChanges {
  maxConversations?: number | null;
  teamIds?: string[];
  inboxLimits?: Record<string, number>;
}

export interface InboxChanges {
  name?: string;
  routing?: 'round_robin' | 'least_loaded' | 'manual';
  queueOrder?: 'oldest' | 'priority_then_oldest';
  teamIds?: string[];
  reopenWindowSeconds?: number | null;
  reassignOfflineAfterSeconds?: number | null;
  reassignNoReplyAfterSeconds?: number | null;
  maxAutoReassigns?: number | null;
  /** Its business hours; null: always open. */
  calendarId?: string | null;
}

export interface CannedReplyInput {
  scope?: 'personal' | 'team' | 'shared';
  teamId?: string;
  shortcut: string;
  title?: string;
  body: string;
}

/** The support desk's staff and settings routes, typed and checked like the rest of the API. */
export class SupportApi {
  constructor(private readonly api: ApiClient) {}

  // ---- the console ---------------------------------------------------------------------------
  tickets(filters: TicketFilters) {
    return this.api.request('GET', '/api/v1/support/conversations', {
      query: { ...filters },
      schema: SupportListSchema,
    });
  }
  ticket(id: string) {
    return this.api.request('GET', `/api/v1/support/conversations/${id}`, { schema: SupportTicketSchema });
  }
  queue() {
    return this.api.request('GET', '/api/v1/support/queue', { schema: SupportQueueSchema });
  }
  assignments(id: string) {
    return this.api.request('GET', `/api/v1/support/conversations/${id}/assignments`, {
      schema: AssignmentHistorySchema,
    });
  }
  customer(id: string) {
    return this.api.request('GET', `/api/v1/support/conversations/${id}/customer`, {
      schema: SupportCustomerSchema,
    });
  }
  claim(id: string) {
    return this.api.request('POST', `/api/v1/support/conversations/${id}/claim`, {
      schema: SupportTicketSchema,
    });
  }
  assign(id: string, agentId: string | null) {
    return this.api.request('POST', `/api/v1/support/conversations/${id}/assign`, {
      body: { agentId },
      schema: SupportTicketSchema,
    });
  }
  transfer(id: string, body: { agentId?: string; teamId?: string; note?: string }) {
    return this.api.request('POST', `/api/v1/support/conversations/${id}/transfer`, {
      body,
      schema: SupportTicketSchema,
    });
  }
  setStatus(
    id: string,
    body: { status: 'open' | 'pending' | 'snoozed' | 'resolved'; snoozeUntil?: string; version?: number },
  ) {
    return this.api.request('POST', `/api/v1/support/conversations/${id}/status`, {
      body,
      schema: SupportTicketSchema,
    });
  }
  setPriority(id: string, priority: Priority) {
    return this.api.request('PUT', `/api/v1/support/conversations/${id}/priority`, {
      body: { priority },
      schema: SupportTicketSchema,
    });
  }
  setLabels(id: string, labels: string[]) {
    return this.api.request('PUT', `/api/v1/support/conversations/${id}/labels`, {
      body: { labels },
      schema: SupportTicketSchema,
    });
  }

  // ---- canned replies ------------------------------------------------------------------------
  cannedReplies(query: { shortcut?: string; q?: string } = {}) {
    return this.api.request('GET', '/api/v1/support/canned-replies', {
      query,
      schema: CannedReplyListSchema,
    });
  }
  renderCannedReply(id: string, conversationId: string) {
    return this.api.request('POST', `/api/v1/support/canned-replies/${id}/render`, {
      body: { conversationId },
      schema: RenderedCannedReplySchema,
    });
  }
  createCannedReply(body: CannedReplyInput) {
    return this.api.request('POST', '/api/v1/support/canned-replies', { body, schema: CannedReplySchema });
  }
  updateCannedReply(id: string, body: { shortcut?: string; title?: string | null; body?: string }) {
    return this.api.request('PATCH', `/api/v1/support/canned-replies/${id}`, {
      body,
      schema: CannedReplySchema,
    });
  }
  deleteCannedReply(id: string) {
    return this.api.request('DELETE', `/api/v1/support/canned-replies/${id}`, { schema: undefined });
  }

  // ---- settings ------------------------------------------------------------------------------
  teams() {
    return this.api.request('GET', '/api/v1/support/teams', { schema: TeamListSchema });
  }
  createTeam(body: { name: string; agentIds?: string[]; supervisorIds?: string[] }) {
    return this.api.request('POST', '/api/v1/support/teams', { body, schema: TeamSchema });
  }
  updateTeam(id: string, body: { name?: string; agentIds?: string[]; supervisorIds?: string[] }) {
    return this.api.request('PATCH', `/api/v1/support/teams/${id}`, { body, schema: TeamSchema });
  }
  agents() {
    return this.api.request('GET', '/api/v1/support/agents', { schema: AgentListSchema });
  }
  updateAgent(id: string, body: AgentChanges) {
    return this.api.request('PATCH', `/api/v1/support/agents/${id}`, { body, schema: AgentSchema });
  }
  inboxes() {
    return this.api.request('GET', '/api/v1/support/inboxes', { schema: InboxListSchema });
  }
  createInbox(body: { name: string; kind?: 'widget'; teamIds?: string[] }) {
    return this.api.request('POST', '/api/v1/support/inboxes', { body, schema: InboxSchema });
  }
  updateInbox(id: string, body: InboxChanges) {
    return this.api.request('PATCH', `/api/v1/support/inboxes/${id}`, { body, schema: InboxSchema });
  }

  // ---- roles (admins) ------------------------------------------------------------------------
  /** Gives the person with this phone a role, creating them if the phone is new. */
  setRoleByPhone(body: { phone: string; role: PlatformRole; name?: string }) {
    return this.api.request('POST', '/api/v1/users', { body, schema: UserSchema });
  }
  setRole(userId: string, role: PlatformRole) {
    return this.api.request('PUT', `/api/v1/users/${userId}/role`, { body: { role }, schema: UserSchema });
  }
}
