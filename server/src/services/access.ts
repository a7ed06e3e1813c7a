import type { Executor } from '../db/client.js';
import type { ConversationRow, MemberRow } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { Role } from '../repositories/user.repository.js';

export interface Actor {
  id: string;
  role: Role;
}

export interface Access {
  conversation: ConversationRow;
  /** Undefined for agents and admins reading a support conversation they have not joined. */
  membership: MemberRow | undefined;
}

/** Agents and admins serve every support conversation; everyone else sees only their own. */
export function servesSupport(actor: Actor, conversation: Pick<ConversationRow, 'kind'>): boolean {
  return conversation.kind === 'support' && (actor.role === 'agent' || actor.role === 'admin');
}

/**
 * The single authorisation rule for reading or writing a conversation. A conversation the actor
 * may not see answers 404 `conversation/not_found`, exactly as one that does not exist, so its
 * existence never leaks.
 */
export async function requireAccess(
  conversations: ConversationRepository,
  actor: Actor,
  conversationId: string,
  db?: Executor,
): Promise<Access> {
  const [conversation, membership] = await Promise.all([
    conversations.getById(conversationId, db),
    conversations.getMembership(conversationId, actor.id, db),
  ]);
  if (!conversation || (!membership && !servesSupport(actor, conversation))) {
    throw new NotFoundError('conversation/not_found');
  }
  return { conversation, membership };
}
