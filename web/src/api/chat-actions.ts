import { ConversationSchema, PinsReplySchema, type REACTIONS, ReactionsReplySchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';

export type ReactionEmoji = (typeof REACTIONS)[number];

/** The routes of message actions and group settings (issue 18), beside the client's core ones. */

const messagePath = (conversationId: string, messageId: string) =>
  `/api/v1/conversations/${conversationId}/messages/${messageId}`;

/** My reaction to a message (one per person: it replaces my previous one); null takes it back. */
export async function setReaction(
  api: ApiClient,
  conversationId: string,
  messageId: string,
  emoji: ReactionEmoji | null,
) {
  const path = `${messagePath(conversationId, messageId)}/reaction`;
  const reply = emoji
    ? await api.request('PUT', path, { body: { emoji }, schema: ReactionsReplySchema })
    : await api.request('DELETE', path, { schema: ReactionsReplySchema });
  return reply.reactions;
}

/** Deletes a message for me only: the others keep it. */
export function hideMessage(api: ApiClient, conversationId: string, messageId: string) {
  return api.request('POST', `${messagePath(conversationId, messageId)}/hide`, { schema: undefined });
}

export async function pinMessage(api: ApiClient, conversationId: string, messageId: string) {
  return (
    await api.request('POST', `/api/v1/conversations/${conversationId}/pins`, {
      body: { messageId },
      schema: PinsReplySchema,
    })
  ).pins;
}

export async function unpinMessage(api: ApiClient, conversationId: string, messageId: string) {
  return (
    await api.request('DELETE', `/api/v1/conversations/${conversationId}/pins/${messageId}`, {
      schema: PinsReplySchema,
    })
  ).pins;
}

/** A group's title and description (owner and admins); an empty description removes it. */
export function updateGroup(
  api: ApiClient,
  conversationId: string,
  change: { title?: string; description?: string | null },
) {
  return api.request('PATCH', `/api/v1/conversations/${conversationId}`, {
    body: change,
    schema: ConversationSchema,
  });
}

export function setMemberRole(
  api: ApiClient,
  conversationId: string,
  userId: string,
  role: 'admin' | 'member',
) {
  return api.request('PATCH', `/api/v1/conversations/${conversationId}/members/${userId}`, {
    body: { role },
    schema: undefined,
  });
}

export function setMuted(api: ApiClient, conversationId: string, muted: boolean) {
  return api.request('PUT', `/api/v1/conversations/${conversationId}/mute`, {
    body: { muted },
    schema: undefined,
  });
}
