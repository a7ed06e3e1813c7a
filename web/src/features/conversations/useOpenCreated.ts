import type { CreateConversation } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';

/**
 * Creates (or, for a direct one, finds) a conversation, then shows it: the list is refreshed, the
 * form closes (`onDone`) and the conversation opens. Errors are thrown for the form to show.
 */
export function useOpenCreated(onDone: () => void) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  return async (request: CreateConversation) => {
    const conversation = await api.createConversation(request);
    await queryClient.invalidateQueries({ queryKey: conversationsKey });
    onDone();
    navigate(`/c/${conversation.id}`);
  };
}
