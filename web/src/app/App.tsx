import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { useLocation, useRoute } from 'wouter';
import { SignIn } from '../features/auth/SignIn.js';
import { useStore } from '../lib/store.js';
import { type Services, ServicesProvider, useServices } from './context.js';

// Loaded when needed, so the sign-in page downloads only itself (budgets: web/scripts/check-budgets.ts).
const SignedIn = lazy(() => import('./SignedIn.js'));
const CsatPage = lazy(() => import('../features/support/CsatPage.js').then((m) => ({ default: m.CsatPage })));

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
  if (survey)
    return (
      <Suspense fallback={<Loading />}>
        <CsatPage token={params.token} />
      </Suspense>
    );
  if (!current) return <SignIn />;
  // A new engine (socket, outbox) per signed-in person.
  return (
    <Suspense fallback={<Loading />}>
      <SignedIn key={current.user.id} meId={current.user.id} />
    </Suspense>
  );
}

/** While a page's chunk downloads (on a slow line, a moment after sign-in). */
function Loading() {
  const { t } = useTranslation();
  return <p role="status">{t('common.loading')}</p>;
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
