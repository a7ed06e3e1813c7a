import type { AuthTokens, CannedReply, Inbox, PlatformRole, Team } from '@abrik/protocol';
import { screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Lang } from '../../i18n/index.js';
import { fakeServer, type Route, renderWithServices } from '../../test/services.js';

/** Test data for the admin pages' tests. */

export const ADMIN = '00000000-0000-4000-8000-0000000000a1';
export const SARA = '00000000-0000-4000-8000-0000000000a2';
export const REZA = '00000000-0000-4000-8000-0000000000a3';
export const NEDA = '00000000-0000-4000-8000-0000000000a4';
export const SALES = '00000000-0000-4000-8000-0000000000b1';
export const TECH = '00000000-0000-4000-8000-0000000000b2';
export const APP_INBOX = '00000000-0000-4000-8000-0000000000c1';
export const WIDGET_INBOX = '00000000-0000-4000-8000-0000000000c2';

const AT = '2026-12-01T10:00:00.000Z';

/** Signed in as `id` with `role`. */
export function signedIn(role: PlatformRole, id = ADMIN): AuthTokens {
  return {
    accessToken: 'a.b.c',
    refreshToken: 'r1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    user: { id, role, name: 'Me', lastSeenAt: null, phone: '+989121111111' },
  };
}

export function agent(id: string, name: string | null, more: Partial<AgentView> = {}): AgentView {
  return {
    id,
    name,
    role: 'agent',
    availability: 'online',
    maxConversations: 5,
    inboxLimits: {},
    teamIds: [],
    load: 0,
    lastAssignedAt: null,
    ...more,
  };
}
export interface AgentView {
  id: string;
  name: string | null;
  role: string;
  availability: 'online' | 'busy' | 'away' | 'offline';
  maxConversations: number;
  inboxLimits: Record<string, number>;
  teamIds: string[];
  load: number;
  lastAssignedAt: string | null;
}

export function team(id: string, name: string, more: Partial<Team> = {}): Team {
  return { id, name, agentIds: [], supervisorIds: [], createdAt: AT, ...more };
}

export function inbox(id: string, name: string, more: Partial<Inbox> = {}): Inbox {
  return {
    id,
    name,
    kind: 'widget',
    routing: 'round_robin',
    queueOrder: 'oldest',
    teamIds: [],
    reopenWindowSeconds: 7 * 86_400,
    reassignOfflineAfterSeconds: 120,
    reassignNoReplyAfterSeconds: 600,
    maxAutoReassigns: 3,
    calendarId: null,
    createdAt: AT,
    ...more,
  };
}

export function canned(id: string, more: Partial<CannedReply> = {}): CannedReply {
  return {
    id,
    scope: 'personal',
    ownerId: ADMIN,
    teamId: null,
    shortcut: 'hello',
    title: null,
    body: 'Hello {{customer.name}}!',
    createdAt: AT,
    updatedAt: AT,
    ...more,
  };
}

export interface Request {
  method: string;
  url: string;
  body: unknown;
}

/** fakeServer, also recording each answered request's method; `changes()` leaves out the GETs. */
export function server(routes: Record<string, Route>) {
  const requests: Request[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(routes).map(([url, route]): [string, Route] => [
      url,
      (body, method) => {
        requests.push({ method, url, body });
        return route(body, method);
      },
    ]),
  );
  const calls = fakeServer(wrapped);
  return {
    calls,
    requests,
    changes: () => requests.filter((r) => r.method !== 'GET'),
    gets: (url: string) => requests.filter((r) => r.method === 'GET' && r.url === url).length,
  };
}

/** Who a settings page's test signs in as: an admin (the default) or Reza, a supervisor. */
export interface PageOptions {
  lang?: Lang;
  role?: 'admin' | 'supervisor';
}

/** Renders a settings list page (in English unless told) and waits for its rows. */
export async function renderListPage(
  page: ReactNode,
  rowTestId: string,
  { lang = 'en', role = 'admin' }: PageOptions = {},
) {
  const rendered = await renderWithServices(page, {
    lang,
    tokens: role === 'admin' ? signedIn('admin') : signedIn('supervisor', REZA),
  });
  const rows = await screen.findAllByTestId(rowTestId);
  return { ...rendered, rows };
}

export const error = (status: number, code: string, message: string): [number, unknown] => [
  status,
  { error: { code, message } },
];
