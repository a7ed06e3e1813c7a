import type { Actor } from '../../../platform/auth.js';

/** The audit trail is the admins': it shows every admin's and supervisor's actions. */
export const mayReadAudit = (actor: Pick<Actor, 'role'>) => actor.role === 'admin';
