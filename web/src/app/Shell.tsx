import { useTranslation } from 'react-i18next';
import { Link, useRoute } from 'wouter';
import { ConnectionState } from '../components/ConnectionState.js';
import { PaneBoundary } from '../components/ErrorBoundary.js';
import { LanguageSwitch } from '../components/LanguageSwitch.js';
import { AdminPages } from '../features/admin/AdminPages.js';
import { DeskAlerts } from '../features/console/Alerts.js';
import { Console, ConsoleLink } from '../features/console/Console.js';
import { ConversationView } from '../features/conversation/ConversationView.js';
import { ConversationList } from '../features/conversations/ConversationList.js';
import { PushBanner } from '../features/push/PushBanner.js';
import { ReportsScreen } from '../features/reports/ReportsPage.js';
import { NameBanner } from '../features/settings/NameBanner.js';
import { Settings } from '../features/settings/Settings.js';
import { useStore } from '../lib/store.js';
import { useServices } from './context.js';

/**
 * The signed-in screen: chats (the list beside the open conversation; on a phone's width one of
 * the two at a time), and for staff the support console (/support), its settings (/admin) and
 * the reports (/reports, supervisors and admins).
 */
export function Shell() {
  const { session } = useServices();
  const role = useStore(session.store)?.user.role;
  const staff = role !== undefined && role !== 'customer';
  const [match, params] = useRoute('/c/:id');
  const [inConsole] = useRoute('/support/*?');
  const [inAdmin, admin] = useRoute('/admin/:section?');
  const [inReports] = useRoute('/reports');
  const activeId = match ? params.id : null;
  return (
    <>
      {staff && <DeskAlerts />}
      {inConsole ? (
        <Console />
      ) : inReports && staff ? (
        <ReportsScreen />
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
  return (
    <div className="shell admin-shell">
      <ConnectionState />
      <header className="console-header">
        <h1 className="brand">{t('console.settings')}</h1>
        <div className="row">
          <Link href="/" className="nav-link">
            {t('console.chats')}
          </Link>
          {staff && <ConsoleLink />}
          <LanguageSwitch />
        </div>
      </header>
      <main className="admin-main">
        <AdminPages section={section} />
      </main>
    </div>
  );
}

function ChatShell({ activeId, staff }: { activeId: string | null; staff: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="shell" data-view={activeId ? 'conversation' : 'list'}>
      <ConnectionState />
      <div className="panes">
        <aside className="sidebar" aria-label={t('list.heading')}>
          <header className="sidebar-header">
            <h1 className="brand">{t('app.name')}</h1>
            <div className="row">
              {staff && <ConsoleLink />}
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
