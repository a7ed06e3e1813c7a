import type { Actor } from '../../platform/auth.js';
import { NotFoundError } from '../../platform/errors.js';
import { isStaff } from '../identity/policies.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { SupportPort } from './support-port.js';
import type { ConversationRow, MemberRow } from './tables.js';

/**
 * Who may do what in a conversation: membership, and a member's role in it (members.role: owner,
 * admin or member of a group) — never to be read as a platform role (identity/policies.ts).
 */

/**
 * Staff may serve support conversations (and the private notes beside them) without being
 * members; which ones, the support desk says (`SupportPort.mayServe`: by team).
 */
export function staffServes(
  actor: Pick<Actor, 'role'>,
  conversation: Pick<ConversationRow, 'kind'>,
): boolean {
  return (conversation.kind === 'support' || conversation.kind === 'notes') && isStaff(actor);
}

/** A group's owner and admins add members. */
export function mayAddMembers(membership: Pick<MemberRow, 'role'> | undefined): boolean {
  return membership?.role === 'owner' || membership?.role === 'admin';
}

/**
 * Anyone may leave a group; its owner may remove anyone, its admins plain members only.
 */
export function mayRemoveMember(
  membership: Pick<MemberRow, 'role' | 'userId'>,
  target: Pick<MemberRow, 'role' | 'userId'>,
): boolean {
  if (membership.userId === target.userId) return true;
  return membership.role === 'owner' || (membership.role === 'admin' && target.role === 'member');
}

/** Pins are set by any member of a direct or support conversation, and by a group's owner and admins. */
export function mayPin(
  membership: Pick<MemberRow, 'role'> | undefined,
  conversation: Pick<ConversationRow, 'kind'>,
): boolean {
  if (!membership) return false;
  return conversation.kind !== 'group' || membership.role === 'owner' || membership.role === 'admin';
}

/** A group's owner and admins change its title and description and make members admins. */
export function mayManageGroup(membership: Pick<MemberRow, 'role'> | undefined): boolean {
  return membership?.role === 'owner' || membership?.role === 'admin';
}

/** Only the sender edits or deletes a message. */
export function mayChangeMessage(actor: Pick<Actor, 'id'>, message: { senderId: string | null }): boolean {
  return message.senderId === actor.id;
}

export interface Access {
  conversation: ConversationRow;
  /** Undefined for staff reading a support conversation they have not joined. */
  membership: MemberRow | undefined;
}

/**
 * The single authorisation rule for reading or writing a conversation. A conversation the actor
 * may not see answers 404 `conversation/not_found`, exactly as one that does not exist, so its
 * existence never leaks.
 */
export async function requireAccess(
  conversations: Pick<ConversationRepository, 'getById' | 'getMembership'>,
  actor: Actor,
  conversationId: string,
  /** The support desk: which support conversations a staff member serves (without it: all). */
  support?: Pick<SupportPort, 'mayServe'>,
): Promise<Access> {
  const [conversation, membership] = await Promise.all([
    conversations.getById(conversationId),
    conversations.getMembership(conversationId, actor.id),
  ]);
  const served =
    conversation !== undefined &&
    !membership &&
    staffServes(actor, conversation) &&
    (support ? await support.mayServe(actor, conversation) : true);
  if (!conversation || (!membership && !served)) throw new NotFoundError('conversation/not_found');
  return { conversation, membership };
}
