import type { AuthTokens } from '@abrik/protocol';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { vi } from 'vitest';
import { ApiClient } from '../api/client.js';
import { Session } from '../api/session.js';
import { ServicesProvider } from '../app/context.js';
import { createI18n, currentLang, type Lang, loadStaffStrings } from '../i18n/index.js';

export interface Call {
  url: string;
  body: unknown;
  language: string | null;
}

/** A route's answer to a request: its status and JSON body; `method` tells a GET from a PATCH on one path. */
export type Route = (body: unknown, method: string) => [number, unknown];

/**
 * Answers the API's URLs like the server does, recording what the page sent (undo with
 * `vi.unstubAllGlobals()`). A URL without a route gets the server's 404.
 */
export function fakeServer(routes: Record<string, Route>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ url: url.pathname, body, language: new Headers(init.headers).get('accept-language') });
    const route = routes[url.pathname];
    if (!route)
      return new Response(JSON.stringify({ error: { code: 'http/not_found', message: '' } }), {
        status: 404,
      });
    const [status, reply] = route(body, (init.method ?? 'GET').toUpperCase());
    // A 204 may not carry a body.
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(reply), { status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

/**
 * Renders `ui` with the app's real API client, session, i18n and query client around it; signed in
 * with `tokens` when given. The staff's texts are there unless signed in as a customer, as in the
 * app: a customer's pages never load them, so a customer's page that used one shows its key.
 */
export async function renderWithServices(
  ui: ReactNode,
  { lang = 'fa', tokens }: { lang?: Lang; tokens?: AuthTokens } = {},
) {
  const i18n = await createI18n(lang);
  if (tokens?.user.role !== 'customer') await loadStaffStrings(i18n);
  const api = new ApiClient(() => currentLang(i18n));
  const session = new Session(api.refresh);
  api.attach(session);
  if (tokens) session.signIn(tokens);
  render(
    <ServicesProvider value={{ api, session, i18n }}>
      <I18nextProvider i18n={i18n}>
        <QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>
      </I18nextProvider>
    </ServicesProvider>,
  );
  return { session, user: userEvent.setup() };
}
