import type { Conversation, PlatformRole, SupportTicket } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { APP_INBOX_ID } from '../../src/modules/support/tables.js';
import { queryRows } from '../../src/platform/db/client.js';
import { type AuthResult, startTestApp, type TestApp, type TestAppOptions, uniquePhone } from './app.js';
import { type ClientSocket, call, connect, eventually } from './sockets.js';

export { APP_INBOX_ID };

/** The desk's timers, short enough for tests (seconds). */
export const FAST_TIMERS = {
  SUPPORT_REASSIGN_OFFLINE_SECONDS: '2',
  SUPPORT_REASSIGN_NO_REPLY_SECONDS: '2',
  SUPPORT_MAX_AUTO_REASSIGNS: '1',
  SUPPORT_REOPEN_WINDOW_SECONDS: '3600',
};

export async function startDesk(options: TestAppOptions = {}): Promise<Desk> {
  const t = await startTestApp({ ...options, env: { ...FAST_TIMERS, ...options.env } });
  return new Desk(t);
}

export interface Person {
  auth: AuthResult;
  id: string;
  token: string;
}

/** A test app seen as a support desk: people, sockets, and the desk's API in a line each. */
export class Desk {
  private readonly sockets: ClientSocket[] = [];
  private rooms = 0;

  constructor(readonly t: TestApp) {}

  async person(role: PlatformRole, name: string): Promise<Person> {
    const phone = uniquePhone();
    if (role !== 'customer') await this.t.app.identity.users.createWithRole(phone, role, name);
    const auth = await this.t.signIn(phone, name);
    return { auth, id: auth.user.id, token: auth.accessToken };
  }

  /** A live socket of the person (staff: they count as connected, hence available, from now). */
  async online(person: Person): Promise<ClientSocket> {
    const socket = await connect(this.t.url, person.token);
    this.sockets.push(socket);
    if (person.auth.user.role !== 'customer') await this.connected(person.id, true);
    return socket;
  }

  /** Waits until the desk has the agent's connection state. */
  async connected(userId: string, connected: boolean): Promise<void> {
    await eventually(
      async () =>
        (
          await queryRows<{ connected: boolean }>(
            this.t.app.database.db,
            sql`select connected from support_agents where user_id = ${userId}`,
          )
        )[0]?.connected === connected,
      10_000,
      `agent ${connected ? 'connected' : 'disconnected'}`,
    );
  }

  async setAvailability(socket: ClientSocket, availability: 'online' | 'busy' | 'away' | 'offline') {
    const ack = await call(socket, 'presence:set', { availability });
    if (!ack.ok) throw new Error(`presence:set failed: ${JSON.stringify(ack)}`);
  }

  async open(customer: Person, subject = 'help'): Promise<Conversation> {
    const reply = await this.t.request('POST', '/api/v1/conversations', {
      token: customer.token,
      body: { kind: 'support', subject },
    });
    if (reply.status !== 201) throw new Error(`open failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /** Routes the app inbox to a team of nobody: each test's conversations go to inboxes of its own. */
  async quietAppInbox(admin: Person): Promise<void> {
    const team = await this.admin(admin, 'POST', '/teams', {
      name: `nobody ${Math.random().toString(36).slice(2, 8)}`,
    });
    await this.admin(admin, 'PATCH', `/inboxes/${APP_INBOX_ID}`, { teamIds: [team.id] });
  }

  /** A team of these agents (and supervisors) serving an inbox of its own. */
  async team(admin: Person, agents: Person[], supervisors: Person[] = []) {
    this.rooms++;
    const team = await this.admin(admin, 'POST', '/teams', {
      name: `team ${this.rooms} ${Math.random().toString(36).slice(2, 8)}`,
      agentIds: agents.map((a) => a.id),
      supervisorIds: supervisors.map((s) => s.id),
    });
    const inbox = await this.admin(admin, 'POST', '/inboxes', {
      name: `inbox ${this.rooms}`,
      teamIds: [team.id],
    });
    return { teamId: team.id as string, inboxId: inbox.id as string };
  }

  /** Opens a support conversation and moves it to the inbox (customers open in the app inbox). */
  async openIn(inboxId: string, customer: Person, subject = 'help'): Promise<Conversation> {
    const conversation = await this.open(customer, subject);
    await queryRows(
      this.t.app.database.db,
      sql`update support_tickets set inbox_id = ${inboxId} where conversation_id = ${conversation.id}`,
    );
    await this.t.app.support.tickets.drain(inboxId);
    return conversation;
  }

  async write(person: Person, conversationId: string, body: string, internal = false) {
    const reply = await this.t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: person.token,
      body: {
        clientMsgId: `m-${Math.random().toString(36).slice(2)}`,
        body,
        ...(internal ? { internal } : {}),
      },
    });
    if (reply.status !== 201) throw new Error(`write failed: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /** The staff view of a ticket (as an admin sees it). */
  async ticket(conversationId: string): Promise<SupportTicket> {
    const row = await this.t.app.support.tickets.get({ id: 'system', role: 'admin' }, conversationId);
    return row;
  }

  async assignee(conversationId: string): Promise<string | null> {
    return (await this.ticket(conversationId)).assigneeId;
  }

  async waitFor(
    conversationId: string,
    check: (ticket: SupportTicket) => boolean,
    what: string,
    timeoutMs = 15_000,
  ) {
    let last: SupportTicket | undefined;
    try {
      await eventually(
        async () => {
          last = await this.ticket(conversationId);
          return check(last);
        },
        timeoutMs,
        what,
      );
    } catch (error) {
      const seen = last && { status: last.status, assigneeId: last.assigneeId, escalated: last.escalated };
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(seen)}`);
    }
    return last!;
  }

  /** Reasons of the conversation's assignment changes, in order, with who it went to. */
  async history(conversationId: string): Promise<[string, string | null][]> {
    const rows = await queryRows<{ reason: string; to_id: string | null }>(
      this.t.app.database.db,
      sql`select reason, to_id from support_assignments where conversation_id = ${conversationId} order by id`,
    );
    return rows.map((r) => [r.reason, r.to_id]);
  }

  /** Admin API calls. */
  async admin(admin: Person, method: string, path: string, body?: unknown) {
    const reply = await this.t.request(method, `/api/v1/support${path}`, {
      token: admin.token,
      ...(body ? { body } : {}),
    });
    if (reply.status >= 300)
      throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    await this.t.close();
  }
}
