import { useQuery } from '@tanstack/react-query';
import { useSupportApi } from '../../app/context.js';
import { assignmentsKey, customerKey, ticketKey } from '../../chat/desk.js';

/** Shared with the admin pages (same keys): staff read teams and agents to hand work on. */
export const agentsKey = ['support', 'admin', 'agents'] as const;
export const teamsKey = ['support', 'admin', 'teams'] as const;
export const cannedKey = ['support', 'canned'] as const;

/** `fresh`: read again on mount (the assign form: who is online and has room, now). */
export function useAgents({ fresh = false }: { fresh?: boolean } = {}) {
  const support = useSupportApi();
  return useQuery({
    queryKey: agentsKey,
    queryFn: () => support.agents(),
    staleTime: fresh ? 0 : 30_000,
  });
}

export function useTeams() {
  const support = useSupportApi();
  return useQuery({ queryKey: teamsKey, queryFn: () => support.teams(), staleTime: 60_000 });
}

export function useTicket(conversationId: string) {
  const support = useSupportApi();
  return useQuery({ queryKey: ticketKey(conversationId), queryFn: () => support.ticket(conversationId) });
}

export function useAssignments(conversationId: string) {
  const support = useSupportApi();
  return useQuery({
    queryKey: assignmentsKey(conversationId),
    queryFn: () => support.assignments(conversationId),
  });
}

export function useCustomer(conversationId: string) {
  const support = useSupportApi();
  return useQuery({
    queryKey: customerKey(conversationId),
    queryFn: () => support.customer(conversationId),
    staleTime: 60_000,
  });
}
