import { type QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { useLocation, useRoute } from 'wouter';
import { ChatEngine } from '../chat/engine.js';
import { SignIn } from '../features/auth/SignIn.js';
import { CsatPage } from '../features/support/CsatPage.js';
import { currentLang } from '../i18n/index.js';
import { useStore } from '../lib/store.js';
import { EngineProvider, type Services, ServicesProvider, useServices } from './context.js';
import { Shell } from './Shell.js';

export function App({ services, queryClient }: { services: Services; queryClient: QueryClient }) {
  return (
    <ServicesProvider value={services}>
      <I18nextProvider i18n={services.i18n}>
        <QueryClientProvider client={queryClient}>
          <Root />
        </QueryClientProvider>
      </I18nextProvider>
    </ServicesProvider>
  );
}

function Root() {
  const { session } = useServices();
  const current = useStore(session.store);
  useServiceWorkerNavigation();
  // The satisfaction survey's SMS link needs no sign-in.
  const [survey, params] = useRoute('/csat/:token');
  if (survey) return <CsatPage token={params.token} />;
  if (!current) return <SignIn />;
  // A new engine (socket, outbox) per signed-in person.
  return <SignedIn key={current.user.id} meId={current.user.id} />;
}

function SignedIn({ meId }: { meId: string }) {
  const { api, session, i18n } = useServices();
  const queryClient = useQueryClient();
  const [engine] = useState(() => new ChatEngine(api, session, queryClient, meId, () => currentLang(i18n)));
  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);
  return (
    <EngineProvider value={engine}>
      <Shell />
    </EngineProvider>
  );
}

/** A notification click asks the open page to show a conversation (see sw.ts). */
function useServiceWorkerNavigation() {
  const [, navigate] = useLocation();
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; url?: unknown } | null;
      if (data?.type === 'open' && typeof data.url === 'string' && /^\/c\/[\w-]+$/.test(data.url)) {
        navigate(data.url);
      }
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, [navigate]);
}
