import type { i18n as I18n } from 'i18next';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useRoute } from 'wouter';
import { ConnectionState } from '../components/ConnectionState.js';
import { PaneBoundary } from '../components/ErrorBoundary.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { ConversationView } from '../features/conversation/ConversationView.js';
import { ConversationList } from '../features/conversations/ConversationList.js';
import { PushBanner } from '../features/push/PushBanner.js';
import { SearchButton } from '../features/search/SearchButton.js';
import { NameBanner } from '../features/settings/NameBanner.js';
import { Settings } from '../features/settings/Settings.js';
import { loadStaffStrings } from '../i18n/index.js';
import { useStore } from '../lib/store.js';
import { useServices } from './context.js';

/**
 * The staff's parts are chunks of their own, and so are their Persian texts (loadStaffStrings):
 * a customer's chat loads none of them. Made once per i18n instance (the app has one; tests make
 * many), since each part waits for the texts to be in that instance before it renders.
 */
function staffParts(i18n: I18n) {
  const withStrings = <M,>(load: Promise<M>) =>
    Promise.all([load, loadStaffStrings(i18n)]).then(([module]) => module);
  return {
    AdminPages: lazy(() =>
      withStrings(import('../features/admin/AdminPages.js')).then((m) => ({ default: m.AdminPages })),
    ),
    DeskAlerts: lazy(() =>
      withStrings(import('../features/console/Alerts.js')).then((m) => ({ default: m.DeskAlerts })),
    ),
    Console: lazy(() =>
      withStrings(import('../features/console/Console.js')).then((m) => ({ default: m.Console })),
    ),
    ConsoleLink: lazy(() =>
      withStrings(import('../features/console/Console.js')).then((m) => ({ default: m.ConsoleLink })),
    ),
    ReportsScreen: lazy(() =>
      withStrings(import('../features/reports/ReportsPage.js')).then((m) => ({ default: m.ReportsScreen })),
    ),
  };
}

const staffPartsByI18n = new WeakMap<I18n, ReturnType<typeof staffParts>>();

function useStaffParts() {
  const { i18n } = useServices();
  let parts = staffPartsByI18n.get(i18n);
  if (!parts) {
    parts = staffParts(i18n);
    staffPartsByI18n.set(i18n, parts);
  }
  return parts;
}

/**
 * The signed-in screen: chats (the list beside the open conversation; on a phone's width one of
 * the two at a time), and for staff the support console (/support), its settings (/admin) and
 * the reports (/reports, supervisors and admins).
 */
export function Shell() {
  const { session } = useServices();
  const { DeskAlerts, Console, ReportsScreen } = useStaffParts();
  const role = useStore(session.store)?.user.role;
  const staff = role !== undefined && role !== 'customer';
  const [match, params] = useRoute('/c/:id');
  const [inConsole] = useRoute('/support/*?');
  const [inAdmin, admin] = useRoute('/admin/:section?');
  const [inReports] = useRoute('/reports');
  const activeId = match ? params.id : null;
  return (
    <>
      {staff && (
        <Suspense fallback={null}>
          <DeskAlerts />
        </Suspense>
      )}
      {inConsole ? (
        <Suspense fallback={null}>
          <Console />
        </Suspense>
      ) : inReports && staff ? (
        <Suspense fallback={null}>
          <ReportsScreen />
        </Suspense>
      ) : inAdmin ? (
        <AdminShell section={admin?.section ?? 'agents'} staff={staff} />
      ) : (
        <ChatShell activeId={activeId} staff={staff} />
      )}
    </>
  );
}

function AdminShell({ section, staff }: { section: string; staff: boolean }) {
  const { t } = useTranslation();
  const { AdminPages, ConsoleLink } = useStaffParts();
  return (
    <div className="shell admin-shell">
      <ConnectionState />
      <header className="console-header">
        <h1 className="brand">{t('console.settings')}</h1>
        <div className="row">
          <Link href="/" className="nav-link">
            {t('console.chats')}
          </Link>
          {staff && (
            <Suspense fallback={null}>
              <ConsoleLink />
            </Suspense>
          )}
          <LanguageSwitch />
        </div>
      </header>
      <main className="admin-main">
        <Suspense fallback={null}>
          <AdminPages section={section} />
        </Suspense>
      </main>
    </div>
  );
}

function ChatShell({ activeId, staff }: { activeId: string | null; staff: boolean }) {
  const { t } = useTranslation();
  const { ConsoleLink } = useStaffParts();
  return (
    <div className="shell" data-view={activeId ? 'conversation' : 'list'}>
      <ConnectionState />
      <div className="panes">
        <aside className="sidebar" aria-label={t('list.heading')}>
          <header className="sidebar-header">
            <h1 className="brand">{t('app.name')}</h1>
            <div className="row">
              {staff && (
                <Suspense fallback={null}>
                  <ConsoleLink />
                </Suspense>
              )}
              <SearchButton />
              <LanguageSwitch />
              <Settings />
            </div>
          </header>
          <NameBanner />
          <PushBanner />
          <ConversationList activeId={activeId} />
        </aside>
        <main className="pane">
          {activeId ? (
            <PaneBoundary key={activeId}>
              <ConversationView conversationId={activeId} />
            </PaneBoundary>
          ) : (
            <div className="empty-pane">
              <p>{t('conv.pick')}</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}
