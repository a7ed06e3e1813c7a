import { useQuery } from '@tanstack/react-query';
import { calendars } from '../../api/hours.js';
import { slaPolicies } from '../../api/sla.js';
import { webhooks } from '../../api/webhooks.js';
import { widgets } from '../../api/widgets.js';
import { useServices } from '../../app/context.js';

/** Business hours, SLA policies, webhooks, widgets: read by their pages (calendars by inboxes too). */
export const calendarsKey = ['support', 'admin', 'calendars'] as const;
/** A calendar's dated days between two local dates. */
export const calendarDaysKey = (id: string, from: string, to: string) =>
  [...calendarsKey, id, 'days', from, to] as const;
/** The bundled holidays of a Jalali year (`current`: the server's choice, this year). */
export const holidaysKey = (year: number | 'current') => ['support', 'admin', 'holidays', year] as const;
export const slaPoliciesKey = ['support', 'admin', 'sla-policies'] as const;
export const webhooksKey = ['support', 'admin', 'webhooks'] as const;
export const deliveriesKey = (id: string) => [...webhooksKey, id, 'deliveries'] as const;
export const widgetsKey = ['support', 'admin', 'widgets'] as const;

/** Supervisors and admins (the server refuses agents). */
export function useCalendars({ enabled = true }: { enabled?: boolean } = {}) {
  const { api } = useServices();
  return useQuery({ queryKey: calendarsKey, queryFn: () => calendars(api), enabled });
}

export function useSlaPolicies() {
  const { api } = useServices();
  return useQuery({ queryKey: slaPoliciesKey, queryFn: () => slaPolicies(api) });
}

export function useWebhooks() {
  const { api } = useServices();
  return useQuery({ queryKey: webhooksKey, queryFn: () => webhooks(api) });
}

export function useWidgets() {
  const { api } = useServices();
  return useQuery({ queryKey: widgetsKey, queryFn: () => widgets(api) });
}
