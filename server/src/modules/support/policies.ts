import type { Actor } from '../../platform/auth.js';
import { isStaff } from '../identity/policies.js';
import type { TicketRow } from './tables.js';

/**
 * Who may do what at the support desk, by platform role — customer, agent, supervisor, admin —
 * and by the conversation: assigned to them, or of a team they are in (the repository's
 * `visibleTo` says which tickets a staff member sees at all).
 */

export const isAdmin = (actor: Pick<Actor, 'role'>) => actor.role === 'admin';
export const isSupervisor = (actor: Pick<Actor, 'role'>) => actor.role === 'supervisor' || isAdmin(actor);

/** Staff manage the desk's settings: admins everything, supervisors read them. */
export const mayAdminister = isAdmin;
export const mayReadSettings = (actor: Pick<Actor, 'role'>) => isSupervisor(actor);

/** Assigning someone else, or taking a conversation away from its assignee: supervisors and admins. */
export const mayAssignOthers = isSupervisor;

/** Claiming a conversation nobody has: any staff member who sees it. */
export const mayClaim = (actor: Pick<Actor, 'role'>) => isStaff(actor);

/**
 * Acting on a conversation they see (status, transfer, unassign): its assignee, a supervisor or
 * an admin — and any agent while nobody has it.
 */
export function mayWork(actor: Actor, ticket: Pick<TicketRow, 'assigneeId'>): boolean {
  if (!isStaff(actor)) return false;
  return ticket.assigneeId === null || ticket.assigneeId === actor.id || isSupervisor(actor);
}

/** Priority, labels and private notes: every staff member who sees the conversation. */
export const mayAnnotate = (actor: Pick<Actor, 'role'>) => isStaff(actor);

/** Shared canned replies are the admins'; team ones their team's supervisors' (and admins'). */
export function mayManageCanned(
  actor: Actor,
  reply: { scope: 'personal' | 'team' | 'shared'; ownerId: string | null; teamId: string | null },
  supervisedTeams: string[],
): boolean {
  if (reply.scope === 'personal') return reply.ownerId === actor.id;
  if (isAdmin(actor)) return true;
  return (
    reply.scope === 'team' && actor.role === 'supervisor' && supervisedTeams.includes(reply.teamId ?? '')
  );
}
