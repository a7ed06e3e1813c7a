import type { Inbox, Team } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Executor, Transactor } from '../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { DomainEventMap, DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import { isStaff } from '../identity/policies.js';
import type { DirectoryRepository } from './directory.repository.js';
import { inboxSubject, teamSubject, userSubject } from './events.js';
import type { CalendarService } from './hours/calendar.service.js';
import { mayAdminister, mayReadSettings } from './policies.js';
import { toInbox, toTeam } from './presenters.js';
import type { SupportDefaults } from './settings.js';
import type { InboxRow } from './tables.js';
import type { TicketService } from './ticket.service.js';

/** The desk's settings: teams, agents' capacity and teams, inboxes' routing and timers. */
export class AdminService {
  constructor(
    private readonly deps: {
      db: Transactor;
      directory: DirectoryRepository;
      tickets: Pick<TicketService, 'drainAll'>;
      /** Checks an inbox's calendar exists; a change of it goes through its hours' listeners. */
      calendars: Pick<CalendarService, 'exists' | 'changingInboxHours'>;
      events: Pick<DomainEvents, 'record'>;
      live: Pick<LiveEvents, 'publish'>;
      defaults: SupportDefaults;
    },
  ) {}

  /** Every staff member may read teams and agents: they pick whom to hand a conversation to. */
  async listTeams(actor: Actor): Promise<Team[]> {
    if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
    return (await this.deps.directory.listTeams()).map(toTeam);
  }

  async createTeam(
    actor: Actor,
    input: { name: string; agentIds: string[]; supervisorIds: string[] },
  ): Promise<Team> {
    this.mayWrite(actor);
    await this.requireStaff([...input.agentIds, ...input.supervisorIds]);
    const id = await this.deps.db.transaction(async (tx) => {
      const team = await this.deps.directory.insertTeam(input.name, tx);
      if (!team) throw new AppError(409, 'support/team_name_taken');
      await this.deps.directory.setTeamMembers(team.id, 'agent', input.agentIds, tx);
      await this.deps.directory.setTeamMembers(team.id, 'supervisor', input.supervisorIds, tx);
      await this.deps.events.record(tx, {
        type: 'support.team_saved',
        actorId: actor.id,
        subject: teamSubject(team.id),
        payload: input,
      });
      return team.id;
    });
    const team = await this.team(id);
    this.announceMembers(id, [], [...team.agentIds, ...team.supervisorIds]);
    return team;
  }

  async updateTeam(
    actor: Actor,
    id: string,
    input: {
      name?: string | undefined;
      agentIds?: string[] | undefined;
      supervisorIds?: string[] | undefined;
    },
  ): Promise<Team> {
    this.mayWrite(actor);
    const before = await this.team(id);
    await this.requireStaff([...(input.agentIds ?? []), ...(input.supervisorIds ?? [])]);
    await this.deps.db.transaction(async (tx) => {
      if (input.name !== undefined && !(await this.deps.directory.renameTeam(id, input.name, tx))) {
        throw new AppError(409, 'support/team_name_taken');
      }
      if (input.agentIds) await this.deps.directory.setTeamMembers(id, 'agent', input.agentIds, tx);
      if (input.supervisorIds)
        await this.deps.directory.setTeamMembers(id, 'supervisor', input.supervisorIds, tx);
      await this.record(tx, actor, teamSubject(id), 'support.team_saved', {
        name: input.name ?? before.name,
        agentIds: input.agentIds ?? before.agentIds,
        supervisorIds: input.supervisorIds ?? before.supervisorIds,
      });
    });
    const team = await this.team(id);
    this.announceMembers(
      id,
      [...before.agentIds, ...before.supervisorIds],
      [...team.agentIds, ...team.supervisorIds],
    );
    await this.deps.tickets.drainAll();
    return team;
  }

  async listAgents(actor: Actor) {
    if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
    return { items: (await this.deps.directory.listAgents()).map((a) => this.agentView(a)) };
  }

  async getAgent(actor: Actor, id: string) {
    this.mayRead(actor);
    const [agent] = await this.deps.directory.listAgents({ ids: [id] });
    if (!agent) throw new NotFoundError('support/agent_not_found');
    return this.agentView(agent);
  }

  async updateAgent(
    actor: Actor,
    id: string,
    input: {
      maxConversations?: number | null | undefined;
      teamIds?: string[] | undefined;
      inboxLimits?: Record<string, number> | undefined;
    },
  ) {
    this.mayWrite(actor);
    if ((await this.deps.directory.ensureAgents([id])).length === 0)
      throw new NotFoundError('support/agent_not_found');
    const before = (await this.deps.directory.teamsOf(id))
      .filter((t) => t.role === 'agent')
      .map((t) => t.teamId);
    if (
      input.teamIds &&
      (await this.deps.directory.existingTeamIds(input.teamIds)).length !== new Set(input.teamIds).size
    ) {
      throw new NotFoundError('support/team_not_found');
    }
    if (input.inboxLimits) {
      const inboxes = new Set((await this.deps.directory.listInboxes()).map((i) => i.id));
      if (Object.keys(input.inboxLimits).some((inboxId) => !inboxes.has(inboxId))) {
        throw new NotFoundError('support/inbox_not_found');
      }
    }
    await this.deps.db.transaction(async (tx) => {
      if (input.maxConversations !== undefined) {
        await this.deps.directory.updateAgent(id, { maxConversations: input.maxConversations }, tx);
      }
      if (input.teamIds) await this.deps.directory.setAgentTeams(id, input.teamIds, tx);
      if (input.inboxLimits) await this.deps.directory.setInboxLimits(id, input.inboxLimits, tx);
      // What changed (null: left as it was), with the change, in one transaction.
      await this.record(tx, actor, userSubject(id), 'support.agent_saved', {
        maxConversations: input.maxConversations ?? null,
        teamIds: input.teamIds ?? before,
        inboxLimits: input.inboxLimits ?? null,
      });
    });
    const agent = await this.getAgent(actor, id);
    if (input.teamIds) {
      for (const teamId of new Set([...before, ...input.teamIds])) {
        this.announceMembers(
          teamId,
          before.includes(teamId) ? [id] : [],
          input.teamIds.includes(teamId) ? [id] : [],
        );
      }
    }
    // More room, or new teams: the queue may have work for them.
    await this.deps.tickets.drainAll();
    return agent;
  }

  async listInboxes(actor: Actor): Promise<Inbox[]> {
    this.mayRead(actor);
    return (await this.deps.directory.listInboxes()).map((i) => toInbox(i, this.deps.defaults));
  }

  async getInbox(actor: Actor, id: string): Promise<Inbox> {
    this.mayRead(actor);
    const inbox = await this.deps.directory.getInbox(id);
    if (!inbox) throw new NotFoundError('support/inbox_not_found');
    return toInbox(inbox, this.deps.defaults);
  }

  async createInbox(
    actor: Actor,
    input: { name: string; kind: InboxRow['kind']; teamIds: string[] },
  ): Promise<Inbox> {
    this.mayWrite(actor);
    if (input.kind === 'app')
      throw new ValidationError('validation/invalid', [
        { path: ['kind'], message: 'there is one app inbox' },
      ]);
    await this.requireTeams(input.teamIds);
    const inbox = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.directory.insertInbox({ name: input.name, kind: input.kind }, tx);
      await this.deps.directory.setInboxTeams(row.id, input.teamIds, tx);
      await this.deps.events.record(tx, {
        type: 'support.inbox_saved',
        actorId: actor.id,
        subject: inboxSubject(row.id),
        payload: input,
      });
      return row;
    });
    return this.getInbox(actor, inbox.id);
  }

  async updateInbox(
    actor: Actor,
    id: string,
    input: Partial<
      Pick<
        InboxRow,
        | 'name'
        | 'routing'
        | 'queueOrder'
        | 'reopenWindowSeconds'
        | 'reassignOfflineAfterSeconds'
        | 'reassignNoReplyAfterSeconds'
        | 'maxAutoReassigns'
        | 'calendarId'
      >
    > & {
      teamIds?: string[] | undefined;
    },
  ): Promise<Inbox> {
    this.mayWrite(actor);
    if (!(await this.deps.directory.getInbox(id))) throw new NotFoundError('support/inbox_not_found');
    const { teamIds, ...fields } = input;
    if (teamIds) await this.requireTeams(teamIds);
    if (input.calendarId && !(await this.deps.calendars.exists(input.calendarId)))
      throw new NotFoundError('calendar/not_found');
    const patch = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const save = () =>
      this.deps.db.transaction(async (tx) => {
        await this.deps.directory.updateInbox(id, patch, tx);
        if (teamIds) await this.deps.directory.setInboxTeams(id, teamIds, tx);
        await this.deps.events.record(tx, {
          type: 'support.inbox_saved',
          actorId: actor.id,
          subject: inboxSubject(id),
          payload: input,
        });
      });
    // Other hours for the inbox: its running deadlines move to them.
    if (input.calendarId !== undefined) await this.deps.calendars.changingInboxHours([id], save);
    else await save();
    await this.deps.tickets.drainAll();
    return this.getInbox(actor, id);
  }

  private agentView(agent: Awaited<ReturnType<DirectoryRepository['listAgents']>>[number]) {
    return {
      id: agent.userId,
      name: agent.name,
      role: agent.role,
      availability: agent.connected ? agent.availability : ('offline' as const),
      maxConversations: agent.maxConversations ?? this.deps.defaults.maxConversations,
      inboxLimits: agent.inboxLimits,
      teamIds: agent.teamIds,
      load: agent.load,
      lastAssignedAt: agent.lastAssignedAt?.toISOString() ?? null,
    };
  }

  private async team(id: string): Promise<Team> {
    const [team] = await this.deps.directory.listTeams([id]);
    if (!team) throw new NotFoundError('support/team_not_found');
    return toTeam(team);
  }

  /** Connections of people who joined or left a team join or leave its room. */
  private announceMembers(teamId: string, before: string[], after: string[]): void {
    const added = after.filter((id) => !before.includes(id));
    const removed = before.filter((id) => !after.includes(id));
    if (added.length > 0 || removed.length > 0)
      this.deps.live.publish('support.team.members', { teamId, added, removed });
  }

  private async requireStaff(userIds: string[]): Promise<void> {
    const unique = [...new Set(userIds)];
    const staff = await this.deps.directory.ensureAgents(unique);
    if (staff.length !== unique.length) {
      throw new ValidationError('support/not_an_agent', {
        notStaff: unique.filter((id) => !staff.includes(id)),
      });
    }
  }

  private async requireTeams(teamIds: string[]): Promise<void> {
    if ((await this.deps.directory.existingTeamIds(teamIds)).length !== new Set(teamIds).size) {
      throw new NotFoundError('support/team_not_found');
    }
  }

  private async record<T extends 'support.team_saved' | 'support.agent_saved'>(
    tx: Executor,
    actor: Actor,
    subject: string,
    type: T,
    payload: DomainEventMap[T],
  ): Promise<void> {
    await this.deps.events.record(tx, { type, actorId: actor.id, subject, payload });
  }

  private mayRead(actor: Actor): void {
    if (!mayReadSettings(actor)) throw new ForbiddenError('support/forbidden');
  }

  private mayWrite(actor: Actor): void {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
  }
}
