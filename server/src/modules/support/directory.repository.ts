import { STAFF_ROLES } from '@abrik/protocol';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { users } from '../identity/tables.js';
import {
  type AgentRow,
  type InboxRow,
  supportAgentInboxLimits,
  supportAgents,
  supportInboxes,
  supportInboxTeams,
  supportTeamMembers,
  supportTeams,
  type TeamRow,
} from './tables.js';

export interface TeamWithMembers extends TeamRow {
  agentIds: string[];
  supervisorIds: string[];
}
export interface InboxWithTeams extends InboxRow {
  teamIds: string[];
}
export interface AgentProfile {
  userId: string;
  name: string | null;
  role: string;
  availability: AgentRow['availability'];
  connected: boolean;
  offlineSince: Date | null;
  maxConversations: number | null;
  lastAssignedAt: Date | null;
  teamIds: string[];
  inboxLimits: Record<string, number>;
  load: number;
}

/** Teams, inboxes and agent profiles: who serves what. */
export class DirectoryRepository {
  constructor(private readonly db: Executor) {}

  // ---- teams ----

  async listTeams(ids?: string[]): Promise<TeamWithMembers[]> {
    const teams = await this.db
      .select()
      .from(supportTeams)
      .where(ids ? inArray(supportTeams.id, ids) : undefined)
      .orderBy(asc(supportTeams.name));
    if (teams.length === 0) return [];
    const members = await this.db
      .select()
      .from(supportTeamMembers)
      .where(
        inArray(
          supportTeamMembers.teamId,
          teams.map((t) => t.id),
        ),
      );
    return teams.map((team) => ({
      ...team,
      agentIds: members.filter((m) => m.teamId === team.id && m.role === 'agent').map((m) => m.userId),
      supervisorIds: members
        .filter((m) => m.teamId === team.id && m.role === 'supervisor')
        .map((m) => m.userId),
    }));
  }

  /** Inserts a team; undefined when the name is taken. */
  async insertTeam(name: string, db: Executor = this.db): Promise<TeamRow | undefined> {
    const [row] = await db.insert(supportTeams).values({ name }).onConflictDoNothing().returning();
    return row;
  }

  /** Renames a team; false when the name is taken by another. */
  async renameTeam(id: string, name: string, db: Executor = this.db): Promise<boolean> {
    const taken = await db
      .select({ id: supportTeams.id })
      .from(supportTeams)
      .where(and(eq(supportTeams.name, name), sql`${supportTeams.id} <> ${id}`));
    if (taken.length > 0) return false;
    await db.update(supportTeams).set({ name }).where(eq(supportTeams.id, id));
    return true;
  }

  /** Replaces a team's members of one role. */
  async setTeamMembers(
    teamId: string,
    role: 'agent' | 'supervisor',
    userIds: string[],
    db: Executor = this.db,
  ): Promise<void> {
    await db
      .delete(supportTeamMembers)
      .where(and(eq(supportTeamMembers.teamId, teamId), eq(supportTeamMembers.role, role)));
    if (userIds.length > 0) {
      await db
        .insert(supportTeamMembers)
        .values([...new Set(userIds)].map((userId) => ({ teamId, userId, role })))
        .onConflictDoNothing();
    }
  }

  /** Replaces the teams a user is an agent of. */
  async setAgentTeams(userId: string, teamIds: string[], db: Executor = this.db): Promise<void> {
    await db
      .delete(supportTeamMembers)
      .where(and(eq(supportTeamMembers.userId, userId), eq(supportTeamMembers.role, 'agent')));
    if (teamIds.length > 0) {
      await db
        .insert(supportTeamMembers)
        .values([...new Set(teamIds)].map((teamId) => ({ teamId, userId, role: 'agent' as const })))
        .onConflictDoNothing();
    }
  }

  /** The teams a user belongs to (as agent or supervisor), by role. */
  async teamsOf(userId: string): Promise<{ teamId: string; role: 'agent' | 'supervisor' }[]> {
    return this.db
      .select({ teamId: supportTeamMembers.teamId, role: supportTeamMembers.role })
      .from(supportTeamMembers)
      .where(eq(supportTeamMembers.userId, userId));
  }

  /** Of the ids, those of existing teams. */
  async existingTeamIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select({ id: supportTeams.id })
      .from(supportTeams)
      .where(inArray(supportTeams.id, ids));
    return rows.map((r) => r.id);
  }

  // ---- inboxes ----

  async listInboxes(ids?: string[]): Promise<InboxWithTeams[]> {
    const inboxes = await this.db
      .select()
      .from(supportInboxes)
      .where(ids ? inArray(supportInboxes.id, ids) : undefined)
      .orderBy(asc(supportInboxes.createdAt));
    if (inboxes.length === 0) return [];
    const links = await this.db
      .select()
      .from(supportInboxTeams)
      .where(
        inArray(
          supportInboxTeams.inboxId,
          inboxes.map((i) => i.id),
        ),
      );
    return inboxes.map((inbox) => ({
      ...inbox,
      teamIds: links.filter((l) => l.inboxId === inbox.id).map((l) => l.teamId),
    }));
  }

  async getInbox(id: string): Promise<InboxWithTeams | undefined> {
    return (await this.listInboxes([id]))[0];
  }

  async insertInbox(
    values: { name: string; kind: InboxRow['kind'] },
    db: Executor = this.db,
  ): Promise<InboxRow> {
    const [row] = await db.insert(supportInboxes).values(values).returning();
    return row!;
  }

  async updateInbox(
    id: string,
    patch: Partial<Omit<InboxRow, 'id' | 'kind' | 'createdAt'>>,
    db: Executor = this.db,
  ): Promise<void> {
    if (Object.keys(patch).length > 0)
      await db.update(supportInboxes).set(patch).where(eq(supportInboxes.id, id));
  }

  async setInboxTeams(inboxId: string, teamIds: string[], db: Executor = this.db): Promise<void> {
    await db.delete(supportInboxTeams).where(eq(supportInboxTeams.inboxId, inboxId));
    if (teamIds.length > 0) {
      await db
        .insert(supportInboxTeams)
        .values([...new Set(teamIds)].map((teamId) => ({ inboxId, teamId })))
        .onConflictDoNothing();
    }
  }

  // ---- agents ----

  /** Profiles of staff users (every staff user has one, made on first need). */
  async listAgents(options: { ids?: string[]; teamIds?: string[] } = {}): Promise<AgentProfile[]> {
    const rows = await queryRows<{
      user_id: string;
      name: string | null;
      role: string;
      availability: AgentRow['availability'] | null;
      connected: boolean | null;
      offline_since: Date | string | null;
      max_conversations: number | null;
      last_assigned_at: Date | string | null;
      team_ids: string[] | null;
      limits: Record<string, number> | null;
      load: number;
    }>(
      this.db,
      sql`select u.id as user_id, u.name, u.role, a.availability, a.connected, a.offline_since,
            a.max_conversations, a.last_assigned_at,
            (select array_agg(distinct tm.team_id) from support_team_members tm where tm.user_id = u.id) as team_ids,
            (select jsonb_object_agg(l.inbox_id, l.max_conversations) from support_agent_inbox_limits l where l.user_id = u.id) as limits,
            (select count(*)::int from support_tickets t where t.assignee_id = u.id and t.status in ('open', 'pending')) as load
          from users u left join support_agents a on a.user_id = u.id
          where u.role = any(${sql.param([...STAFF_ROLES])}::text[])
            ${options.ids ? sql`and u.id = any(${sql.param(options.ids)}::uuid[])` : sql``}
            ${
              options.teamIds
                ? sql`and exists (select 1 from support_team_members tm where tm.user_id = u.id and tm.team_id = any(${sql.param(options.teamIds)}::uuid[]))`
                : sql``
            }
          order by u.name nulls last, u.id`,
    );
    const date = (v: Date | string | null) => (v === null ? null : new Date(v));
    return rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      role: r.role,
      availability: r.availability ?? 'online',
      connected: r.connected ?? false,
      offlineSince: date(r.offline_since),
      maxConversations: r.max_conversations,
      lastAssignedAt: date(r.last_assigned_at),
      teamIds: r.team_ids ?? [],
      inboxLimits: r.limits ?? {},
      load: Number(r.load),
    }));
  }

  /** Makes sure staff users have a profile; answers the ids that are staff. */
  async ensureAgents(userIds: string[], db: Executor = this.db): Promise<string[]> {
    if (userIds.length === 0) return [];
    const staff = await db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, userIds), inArray(users.role, [...STAFF_ROLES])));
    if (staff.length > 0) {
      await db
        .insert(supportAgents)
        .values(staff.map((s) => ({ userId: s.id })))
        .onConflictDoNothing();
    }
    return staff.map((s) => s.id);
  }

  async updateAgent(
    userId: string,
    patch: Partial<Pick<AgentRow, 'availability' | 'maxConversations'>>,
    db: Executor = this.db,
  ): Promise<void> {
    await db
      .update(supportAgents)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(supportAgents.userId, userId));
  }

  /**
   * What the agent set. `offline` by hand counts as gone, as no connection does: `offlineSince`
   * starts (kept if already running); anything else, while connected, ends it. Answers it.
   */
  async setAvailability(userId: string, availability: AgentRow['availability']): Promise<Date | null> {
    const rows = await queryRows<{ offline_since: Date | string | null }>(
      this.db,
      sql`update support_agents set availability = ${availability},
            offline_since = case when ${availability} = 'offline' then coalesce(offline_since, now())
                                 when connected then null else offline_since end,
            updated_at = now()
          where user_id = ${userId} returning offline_since`,
    );
    const since = rows[0]?.offline_since;
    return since ? new Date(since) : null;
  }

  async setInboxLimits(
    userId: string,
    limits: Record<string, number>,
    db: Executor = this.db,
  ): Promise<void> {
    await db.delete(supportAgentInboxLimits).where(eq(supportAgentInboxLimits.userId, userId));
    const entries = Object.entries(limits);
    if (entries.length > 0) {
      await db
        .insert(supportAgentInboxLimits)
        .values(entries.map(([inboxId, maxConversations]) => ({ userId, inboxId, maxConversations })));
    }
  }

  /**
   * A staff user's first connection anywhere (true) or the end of their last (false); answers
   * whether they have a profile (customers have none and are left alone).
   */
  async setConnected(userId: string, connected: boolean): Promise<boolean> {
    const rows = await queryRows<{ user_id: string }>(
      this.db,
      sql`insert into support_agents (user_id, connected, offline_since)
          select id, ${connected}, ${connected ? null : sql`now()`} from users
          where id = ${userId} and role = any(${sql.param([...STAFF_ROLES])}::text[])
          on conflict (user_id) do update set connected = excluded.connected,
            offline_since = case when excluded.connected and support_agents.availability <> 'offline' then null
                                 else coalesce(support_agents.offline_since, now()) end,
            updated_at = now()
          returning user_id`,
    );
    return rows.length > 0;
  }

  /** Agents marked connected: checked against presence, which may have lost them (a restart). */
  async connectedAgentIds(): Promise<string[]> {
    const rows = await this.db
      .select({ id: supportAgents.userId })
      .from(supportAgents)
      .where(eq(supportAgents.connected, true));
    return rows.map((r) => r.id);
  }

  /** Agents offline since before `cutoff` who still hold open or pending conversations. */
  async offlineWithWork(cutoff: Date): Promise<{ userId: string; offlineSince: Date }[]> {
    const rows = await queryRows<{ user_id: string; offline_since: Date | string }>(
      this.db,
      sql`select a.user_id, a.offline_since from support_agents a
          where (not a.connected or a.availability = 'offline')
            and a.offline_since <= ${cutoff.toISOString()}::timestamptz
            and exists (select 1 from support_tickets t where t.assignee_id = a.user_id and t.status in ('open', 'pending'))`,
    );
    return rows.map((r) => ({ userId: r.user_id, offlineSince: new Date(r.offline_since) }));
  }

  async getAgent(userId: string): Promise<AgentRow | undefined> {
    const [row] = await this.db.select().from(supportAgents).where(eq(supportAgents.userId, userId));
    return row;
  }
}
