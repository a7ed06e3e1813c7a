import type { Actor } from '../../platform/auth.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { RealtimeServer, SocketModule } from '../../platform/realtime/gateway.js';
import { userRoom } from '../../platform/realtime/rooms.js';
import { isStaff } from '../identity/policies.js';
import type { AgentService } from './agent.service.js';
import type { DirectoryRepository } from './directory.repository.js';
import { isAdmin } from './policies.js';
import { toAssignment, toTicketEvent } from './presenters.js';
import type { QueueService } from './queue.service.js';
import type { TicketRow } from './tables.js';

/** A team's staff (agents and supervisors). */
export const teamRoom = (id: string) => `support:team:${id}`;
/** Every agent and supervisor: tickets of inboxes no team serves. */
export const EVERYONE_ROOM = 'support:everyone';
export const ADMINS_ROOM = 'support:admins';

/**
 * The desk over the socket: staff connections join their teams' rooms; `presence:set` sets
 * availability; ticket changes, assignments and queue changes go to the staff concerned — an
 * agent of team A hears nothing of team B — and each waiting customer hears their place.
 */
export function supportSocket(deps: {
  agents: AgentService;
  directory: DirectoryRepository;
  queue: QueueService;
  live: LiveEvents;
  logger: Logger;
}): SocketModule {
  const { agents, directory, queue, live } = deps;
  const log = deps.logger.child({ component: 'support' });
  /** The last place each waiting customer was told (this instance's own view). */
  const told = new Map<string, string>();

  const roomsOf = async (ticket: TicketRow): Promise<string[]> => {
    const rooms = [ADMINS_ROOM];
    if (ticket.assigneeId) rooms.push(userRoom(ticket.assigneeId));
    if (ticket.teamId) return [...rooms, teamRoom(ticket.teamId)];
    const inbox = await directory.getInbox(ticket.inboxId);
    const teams = inbox?.teamIds ?? [];
    return [...rooms, ...(teams.length > 0 ? teams.map(teamRoom) : [EVERYONE_ROOM])];
  };

  const failed = (what: string) => (error: unknown) => log.warn({ err: error }, `${what} not delivered`);

  const tellQueue = async (io: RealtimeServer, inboxId: string) => {
    const inbox = await directory.getInbox(inboxId);
    if (!inbox) return;
    const places = await queue.places(inbox);
    const waiting = new Set(places.map((p) => p.conversationId));
    for (const place of places) {
      const key = `${place.position}:${place.etaSeconds}`;
      if (told.get(place.conversationId) === key) continue;
      told.set(place.conversationId, key);
      io.to(userRoom(place.customerId)).emit('support:queue', {
        conversationId: place.conversationId,
        position: place.position,
        etaSeconds: place.etaSeconds,
      });
    }
    const rooms = [
      ADMINS_ROOM,
      ...(inbox.teamIds.length > 0 ? inbox.teamIds.map(teamRoom) : [EVERYONE_ROOM]),
    ];
    io.to(rooms).emit('support:queue:changed', { inboxId, queued: places.length });
    return waiting;
  };

  const roomsOfActor = async (actor: Actor): Promise<string[]> => {
    if (!isStaff(actor)) return [];
    const teams = await directory.teamsOf(actor.id);
    return [
      ...new Set(teams.map((t) => teamRoom(t.teamId))),
      ...(actor.role === 'agent' || actor.role === 'supervisor' ? [EVERYONE_ROOM] : []),
      ...(isAdmin(actor) ? [ADMINS_ROOM] : []),
    ];
  };

  /** A new role applies to live connections at once: a former agent hears no more of the desk. */
  const followRole = async (io: RealtimeServer, actor: Actor) => {
    const keep = await roomsOfActor(actor);
    const teams = (await directory.teamsOf(actor.id)).map((t) => teamRoom(t.teamId));
    const leave = [EVERYONE_ROOM, ADMINS_ROOM, ...teams].filter((room) => !keep.includes(room));
    if (leave.length > 0) io.in(userRoom(actor.id)).socketsLeave(leave);
    if (keep.length > 0) io.in(userRoom(actor.id)).socketsJoin(keep);
  };

  return {
    rooms: roomsOfActor,

    handlers: {
      'presence:set': async (ctx, payload) => {
        await agents.setAvailability(ctx.actor, payload.availability);
        return {};
      },
    },

    deliver: (io) => {
      live.on('support.ticket.changed', ({ ticket, formerly }) => {
        roomsOf(ticket)
          .then((rooms) => {
            // Those it just left hear it too (their lists drop it): the assignee before, the team before.
            if (formerly?.assigneeId) rooms.push(userRoom(formerly.assigneeId));
            if (formerly?.teamId && formerly.teamId !== ticket.teamId) rooms.push(teamRoom(formerly.teamId));
            io.to(rooms).emit('support:conversation', toTicketEvent(ticket));
          })
          .catch(failed('support:conversation'));
        // The customer hears what concerns them: status and who answers (never labels or notes).
        io.to(userRoom(ticket.customerId)).emit('support:status', {
          conversationId: ticket.conversationId,
          status: ticket.status,
          assigneeId: ticket.assigneeId,
          version: ticket.version,
        });
        if (ticket.queuedAt === null && told.delete(ticket.conversationId)) {
          // Out of the queue (resolved, snoozed…): the customer no longer has a place in it.
          io.to(userRoom(ticket.customerId)).emit('support:queue', {
            conversationId: ticket.conversationId,
            position: null,
            etaSeconds: null,
          });
        }
      });
      live.on('support.assigned', ({ assignment, ticket }) => {
        if (assignment.toId) {
          // An agent has it: the customer waits in no queue (and may ask who it is).
          told.delete(ticket.conversationId);
          io.to(userRoom(ticket.customerId)).emit('support:queue', {
            conversationId: ticket.conversationId,
            position: null,
            etaSeconds: null,
          });
        }
        roomsOf(ticket)
          .then((rooms) => {
            const all = assignment.fromId ? [...rooms, userRoom(assignment.fromId)] : rooms;
            io.to(all).emit('support:assignment', toAssignment(assignment));
          })
          .catch(failed('support:assignment'));
      });
      live.on('support.sla', ({ ticket, target, state }) => {
        roomsOf(ticket)
          .then((rooms) =>
            io.to(rooms).emit('support:sla', {
              conversationId: ticket.conversationId,
              kind: target.kind,
              cycle: target.cycle,
              state,
              dueAt: (target.dueAt ?? target.breachedAt ?? new Date()).toISOString(),
            }),
          )
          .catch(failed('support:sla'));
      });
      live.on('support.csat.changed', ({ customerId, conversationId, cycle }) => {
        io.to(userRoom(customerId)).emit('support:csat', { conversationId, cycle });
      });
      live.on('support.queue.changed', ({ inboxId }) => {
        tellQueue(io, inboxId).catch(failed('support:queue'));
      });
      live.on('identity.role_changed', ({ userId, role }) => {
        followRole(io, { id: userId, role }).catch(failed('role rooms'));
        agents.roleChanged(userId).catch(failed('agent connection'));
      });
      live.on('support.team.members', ({ teamId, added, removed }) => {
        if (added.length > 0) io.in(added.map(userRoom)).socketsJoin(teamRoom(teamId));
        if (removed.length > 0) io.in(removed.map(userRoom)).socketsLeave(teamRoom(teamId));
      });
      // Connections (not availability changes) say whether staff are reachable at all.
      live.on('presence.changed', ({ userId, status, availability }) => {
        if (availability !== undefined) return;
        agents.connectionChanged(userId, status === 'online').catch(failed('agent connection'));
      });
    },
  };
}
