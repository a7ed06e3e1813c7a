import type { AuthTokens } from '@abrik/protocol';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { ApiClient } from '../api/client.js';
import { Session } from '../api/session.js';
import { EngineProvider, ServicesProvider } from '../app/context.js';
import { ChatEngine } from '../chat/engine.js';
import { createI18n, currentLang, type Lang, loadStaffStrings } from '../i18n/index.js';

type Handler = (...args: unknown[]) => void;

/** A socket that never connects (the page is offline) and lets a test fire server events. */
export class OfflineSocket {
  connected = false;
  active = false;
  readonly emitted: { event: string; payload: unknown }[] = [];
  private readonly handlers = new Map<string, Handler[]>();
  on(event: string, handler: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  emit(event: string, payload: unknown) {
    this.emitted.push({ event, payload });
    return this;
  }
  timeout() {
    return { emitWithAck: async () => Promise.reject(new Error('offline')) };
  }
  connect() {
    return this;
  }
  disconnect() {
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}

/** A real ChatEngine over `OfflineSocket`, with no offline copy (IndexedDB) and in-memory storage. */
export function offlineEngine(api: ApiClient, session: Session, queries: QueryClient, meId: string) {
  const socket = new OfflineSocket();
  const storage = new Map<string, string>();
  const engine = new ChatEngine(api, session, queries, meId, () => 'fa', {
    createSocket: () => socket as never,
    offlineStore: null,
    storage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    } as Storage,
  });
  return { engine, socket };
}

export const TEST_TOKENS = (id: string): AuthTokens => ({
  accessToken: 'a.b.c',
  refreshToken: 'r1',
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  user: { id, name: 'me', role: 'customer', lastSeenAt: null, phone: '+989121234567' },
});

/**
 * Renders `ui` signed in as `meId`, with the app's real API client (over `fakeServer`), i18n,
 * query client and a real ChatEngine that stays offline (`socket.fire` plays server events).
 */
export async function renderSignedIn(
  ui: ReactNode,
  {
    meId,
    lang = 'fa',
    tokens = TEST_TOKENS(meId),
    queries = new QueryClient({ defaultOptions: { queries: { retry: false } } }),
    staffStrings = tokens.user.role !== 'customer',
  }: {
    meId: string;
    lang?: Lang;
    /** Signed in with these (default: a customer named "me"). */
    tokens?: AuthTokens;
    queries?: QueryClient;
    /**
     * Load the staff's texts first (default: unless signed in as a customer, whose pages never
     * load them in the app); false leaves it to the page, like the app's lazy staff pages.
     */
    staffStrings?: boolean;
  },
) {
  const i18n = await createI18n(lang);
  if (staffStrings) await loadStaffStrings(i18n);
  const api = new ApiClient(() => currentLang(i18n));
  const session = new Session(api.refresh);
  api.attach(session);
  session.signIn(tokens);
  const { engine, socket } = offlineEngine(api, session, queries, meId);
  const view = render(
    <ServicesProvider value={{ api, session, i18n }}>
      <I18nextProvider i18n={i18n}>
        <QueryClientProvider client={queries}>
          <EngineProvider value={engine}>{ui}</EngineProvider>
        </QueryClientProvider>
      </I18nextProvider>
    </ServicesProvider>,
  );
  return { engine, socket, session, queries, i18n, view, user: userEvent.setup() };
}
