import type {
  AuditEntry,
  Calendar,
  CalendarDay,
  Holiday,
  SlaPolicy,
  Webhook,
  WebhookDelivery,
  WeeklyHours,
  Widget,
} from '@abrik/protocol';
import { vi } from 'vitest';
import { ADMIN, WIDGET_INBOX } from './fixtures.js';

/** Test data for the hours, SLA, webhooks, widgets and audit pages (replies pass the protocol's schemas). */

export const OFFICE = '00000000-0000-4000-8000-0000000000d1';
export const SHOP = '00000000-0000-4000-8000-0000000000d2';
export const POLICY = '00000000-0000-4000-8000-0000000000e1';
export const POLICY_2 = '00000000-0000-4000-8000-0000000000e2';
export const HOOK = '00000000-0000-4000-8000-0000000000f1';
export const HOOK_2 = '00000000-0000-4000-8000-0000000000f2';
export const SITE = '00000000-0000-4000-8000-000000000101';
export const SITE_2 = '00000000-0000-4000-8000-000000000102';

const AT = '2026-12-01T10:00:00.000Z';

const day = (...intervals: Array<[string, string]>) => intervals.map(([from, to]) => ({ from, to }));

/** Sat–Wed 08:00–17:00, Thu 08:00–13:00, Fri closed. */
export const IRAN_STANDARD: WeeklyHours = {
  sat: day(['08:00', '17:00']),
  sun: day(['08:00', '17:00']),
  mon: day(['08:00', '17:00']),
  tue: day(['08:00', '17:00']),
  wed: day(['08:00', '17:00']),
  thu: day(['08:00', '13:00']),
  fri: [],
};

export function calendar(id: string, name: string, more: Partial<Calendar> = {}): Calendar {
  return {
    id,
    name,
    timeZone: 'Asia/Tehran',
    weekly: IRAN_STANDARD,
    days: [],
    inboxIds: [],
    updatedAt: AT,
    ...more,
  };
}

export function calendarDay(date: string, more: Partial<CalendarDay> = {}): CalendarDay {
  return {
    date,
    kind: 'closed',
    hours: [],
    label: '',
    origin: 'dataset',
    tentative: false,
    updatedBy: ADMIN,
    updatedAt: AT,
    ...more,
  };
}

export function holiday(date: string, jalali: string, label: string, tentative = false): Holiday {
  return { date, jalali, label, labelEn: label, tentative };
}

export function policy(id: string, name: string, more: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id,
    name,
    inboxId: null,
    priority: null,
    firstResponseSeconds: 3600,
    firstResponseBusiness: true,
    nextResponseSeconds: null,
    nextResponseBusiness: true,
    resolutionSeconds: null,
    resolutionBusiness: true,
    pauseWhenPending: true,
    pauseWhenSnoozed: true,
    warnBeforeSeconds: 600,
    updatedAt: AT,
    ...more,
  };
}

export function webhook(id: string, name: string, more: Partial<Webhook> = {}): Webhook {
  return {
    id,
    name,
    url: 'https://hooks.example.com/abrik',
    events: ['support.opened', 'support.resolved'],
    enabled: true,
    secretHint: 'a1b2',
    createdAt: AT,
    updatedAt: AT,
    ...more,
  };
}

export function widget(id: string, name: string, more: Partial<Widget> = {}): Widget {
  return {
    id,
    name,
    inboxId: WIDGET_INBOX,
    allowedOrigins: ['https://shop.example.ir'],
    identityMode: 'optional',
    theme: {},
    greeting: {},
    offlineText: {},
    prechat: { enabled: false, fields: [] },
    waitOfferSeconds: 180,
    enabled: true,
    previousSecretExpiresAt: null,
    snippet: [
      '<script>',
      `  AbrikWidget('init', { widgetId: '${id}', locale: 'fa' });`,
      '</script>',
      '<script async src="https://chat.example.ir/widget/loader.js"></script>',
    ].join('\n'),
    createdAt: AT,
    updatedAt: AT,
    ...more,
  };
}

export function delivery(n: number, more: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: String(n),
    webhookId: HOOK,
    event: 'support.opened',
    status: 'delivered',
    attempts: 1,
    lastStatusCode: 200,
    lastError: null,
    lastAttemptAt: AT,
    deliveredAt: AT,
    createdAt: AT,
    ...more,
  };
}

export function auditEntry(id: number, more: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    type: 'support.team_saved',
    actorId: ADMIN,
    actorName: 'Mina',
    subject: 'support-team:00000000-0000-4000-8000-0000000000b1',
    payload: { name: 'Sales', agentIds: [], supervisorIds: [] },
    at: AT,
    ...more,
  };
}

/**
 * Records every requested URL whole (the fake server sees paths only); call after `server()`.
 * `last(path)` is the newest URL of a path, for its query.
 */
export function recordUrls() {
  const urls: URL[] = [];
  const inner = globalThis.fetch;
  vi.stubGlobal('fetch', (input: URL | string, init: RequestInit) => {
    urls.push(new URL(String(input)));
    return inner(input, init);
  });
  return {
    urls,
    last: (path: string) => urls.filter((u) => u.pathname === path).at(-1),
    queries: (path: string) =>
      urls.filter((u) => u.pathname === path).map((u) => Object.fromEntries(u.searchParams)),
  };
}
