import type { CannedReply } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import { AppError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { isStaff } from '../identity/policies.js';
import type { CannedReplyRepository } from './canned-reply.repository.js';
import type { DirectoryRepository } from './directory.repository.js';
import { isAdmin, mayManageCanned } from './policies.js';
import { toCannedReply } from './presenters.js';
import type { CannedReplyRow } from './tables.js';
import { renderTemplate, shortcutKey } from './templates.js';
import type { TicketService } from './ticket.service.js';

/** Canned replies: kept per person, per team or for everyone; looked up by `/shortcut`; filled in. */
export class CannedReplyService {
  constructor(
    private readonly deps: {
      replies: CannedReplyRepository;
      directory: Pick<DirectoryRepository, 'teamsOf' | 'existingTeamIds'>;
      tickets: Pick<TicketService, 'get'>;
      names: (ids: string[]) => Promise<Map<string, string | null>>;
    },
  ) {}

  async list(
    actor: Actor,
    query: { shortcut?: string | undefined; q?: string | undefined },
  ): Promise<CannedReply[]> {
    this.staffOnly(actor);
    const teams = isAdmin(actor) ? 'all' : (await this.deps.directory.teamsOf(actor.id)).map((t) => t.teamId);
    const rows = await this.deps.replies.visibleTo(actor.id, teams, {
      keyPrefix: query.shortcut !== undefined ? shortcutKey(query.shortcut) : undefined,
      q: query.q,
    });
    return rows.map(toCannedReply);
  }

  async create(
    actor: Actor,
    input: {
      scope: CannedReplyRow['scope'];
      teamId?: string | undefined;
      shortcut: string;
      title?: string | undefined;
      body: string;
    },
  ): Promise<CannedReply> {
    this.staffOnly(actor);
    const reply = {
      scope: input.scope,
      ownerId: input.scope === 'personal' ? actor.id : null,
      teamId: input.teamId ?? null,
    };
    if (reply.teamId && (await this.deps.directory.existingTeamIds([reply.teamId])).length === 0) {
      throw new NotFoundError('support/team_not_found');
    }
    await this.mayManage(actor, reply);
    const row = await this.deps.replies.insert({
      ...reply,
      shortcut: input.shortcut,
      shortcutKey: shortcutKey(input.shortcut),
      title: input.title ?? null,
      body: input.body,
    });
    if (!row) throw new AppError(409, 'support/shortcut_taken');
    return toCannedReply(row);
  }

  async update(
    actor: Actor,
    id: string,
    input: { shortcut?: string | undefined; title?: string | null | undefined; body?: string | undefined },
  ): Promise<CannedReply> {
    const existing = await this.owned(actor, id);
    const row = await this.deps.replies.update(existing.id, {
      ...(input.shortcut !== undefined
        ? { shortcut: input.shortcut, shortcutKey: shortcutKey(input.shortcut) }
        : {}),
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
    });
    if (!row) throw new AppError(409, 'support/shortcut_taken');
    return toCannedReply(row);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const existing = await this.owned(actor, id);
    await this.deps.replies.delete(existing.id);
  }

  /** The reply filled in for a conversation the caller serves; `unresolved` lists what could not be. */
  async render(
    actor: Actor,
    id: string,
    conversationId: string,
  ): Promise<{ text: string; unresolved: string[] }> {
    this.staffOnly(actor);
    const reply = await this.usable(actor, id);
    const ticket = await this.deps.tickets.get(actor, conversationId);
    const names = await this.deps.names([ticket.customer.id, actor.id]);
    return renderTemplate(reply.body, {
      'customer.name': ticket.customer.name ?? names.get(ticket.customer.id),
      'agent.name': names.get(actor.id),
      'conversation.id': ticket.conversationId,
      'conversation.subject': ticket.subject,
    });
  }

  /** A reply the caller may use (own, their team's, shared), else 404. */
  private async usable(actor: Actor, id: string): Promise<CannedReplyRow> {
    const reply = await this.deps.replies.get(id);
    if (!reply) throw new NotFoundError('support/canned_reply_not_found');
    const teams = (await this.deps.directory.teamsOf(actor.id)).map((t) => t.teamId);
    const usable =
      reply.scope === 'shared' ||
      (reply.scope === 'personal' && reply.ownerId === actor.id) ||
      (reply.scope === 'team' && (teams.includes(reply.teamId ?? '') || isAdmin(actor)));
    if (!usable) throw new NotFoundError('support/canned_reply_not_found');
    return reply;
  }

  /** A reply the caller may change, else 404 (not theirs to see) or 403 (theirs to see only). */
  private async owned(actor: Actor, id: string): Promise<CannedReplyRow> {
    this.staffOnly(actor);
    const reply = await this.usable(actor, id);
    await this.mayManage(actor, reply);
    return reply;
  }

  private async mayManage(
    actor: Actor,
    reply: Pick<CannedReplyRow, 'scope' | 'ownerId' | 'teamId'>,
  ): Promise<void> {
    const supervised = (await this.deps.directory.teamsOf(actor.id))
      .filter((t) => t.role === 'supervisor')
      .map((t) => t.teamId);
    if (!mayManageCanned(actor, reply, supervised)) throw new ForbiddenError('support/forbidden');
  }

  private staffOnly(actor: Actor): void {
    if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
  }
}
