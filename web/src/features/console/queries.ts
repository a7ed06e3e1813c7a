import { useQuery } from '@tanstack/react-query';
import { useSupportApi } from '../../app/context.js';
import { assignmentsKey, customerKey, ticketKey } from '../../chat/desk.js';

/** The desk's settings, read by the console (whom to hand work to) and the admin pages alike. */
export const agentsKey = ['support', 'admin', 'agents'] as const;
export const teamsKey = ['support', 'admin', 'teams'] as const;
export const inboxesKey = ['support', 'admin', 'inboxes'] as const;
export const cannedKey = ['support', 'canned'] as const;

/** `fresh`: read again on mount (the assign form: who is online and has room, now). */
export function useAgents({ enabled = true, fresh = false }: { enabled?: boolean; fresh?: boolean } = {}) {
  const support = useSupportApi();
  return useQuery({
    queryKey: agentsKey,
    queryFn: () => support.agents(),
    enabled,
    staleTime: fresh ? 0 : 30_000,
  });
}

export function useTeams({ enabled = true }: { enabled?: boolean } = {}) {
  const support = useSupportApi();
  return useQuery({ queryKey: teamsKey, queryFn: () => support.teams(), enabled, staleTime: 30_000 });
}

/** Supervisors and admins only (the server refuses agents). */
export function useInboxes({ enabled = true }: { enabled?: boolean } = {}) {
  const support = useSupportApi();
  return useQuery({ queryKey: inboxesKey, queryFn: () => support.inboxes(), enabled });
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
