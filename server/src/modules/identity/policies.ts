import { type PlatformRole, STAFF_ROLES } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';

/**
 * Who may do what by platform role (users.role) — never to be read as a member's role in one
 * conversation (chat/policies.ts).
 */
const staff: ReadonlySet<PlatformRole> = new Set(STAFF_ROLES);

/** Agents and admins: they serve support conversations and set their availability. */
export const isStaff = (actor: Pick<Actor, 'role'>): boolean => staff.has(actor.role);

/** Customers open support conversations; staff answer them. */
export const mayOpenSupport = (actor: Pick<Actor, 'role'>): boolean => actor.role === 'customer';

/** Staff say whether they take support work (`presence:set`). */
export const maySetAvailability = isStaff;
