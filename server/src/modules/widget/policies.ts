import type { Actor } from '../../platform/auth.js';
import { ForbiddenError } from '../../platform/errors.js';
import { mayAdminister, mayReadSettings } from '../support/policies.js';

/** Widgets are desk settings: admins write them, supervisors (and admins) read them. */
export function mayReadWidgets(actor: Actor): void {
  if (!mayReadSettings(actor)) throw new ForbiddenError('widget/forbidden');
}
export function mayWriteWidgets(actor: Actor): void {
  if (!mayAdminister(actor)) throw new ForbiddenError('widget/forbidden');
}
