import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { AgentsPage } from './AgentsPage.js';
import { AuditPage } from './AuditPage.js';
import { CannedRepliesPage } from './CannedRepliesPage.js';
import { HoursPage } from './HoursPage.js';
import { InboxesPage } from './InboxesPage.js';
import { SlaPage } from './SlaPage.js';
import { isStaffRole, mayReadSettings, useMe } from './shared.js';
import { TeamsPage } from './TeamsPage.js';
import { WebhooksPage } from './WebhooksPage.js';
import { WidgetsPage } from './WidgetsPage.js';
import './admin.css';

const SECTIONS = [
  'teams',
  'agents',
  'inboxes',
  'canned',
  'hours',
  'sla',
  'webhooks',
  'widgets',
  'audit',
] as const;
type Section = (typeof SECTIONS)[number];
/** The audit log is the admins' alone (the server refuses supervisors). */
const ADMIN_ONLY: readonly Section[] = ['audit'];

/**
 * The support desk's admin pages at `/admin/:section`: a tab per page and the chosen one. Admins
 * change the settings, supervisors read them; agents have their canned replies only (the settings
 * routes refuse them). Customers are not shown anything, and nothing is requested for them.
 */
export function AdminPages({ section }: { section: string }) {
  const { t } = useTranslation();
  const me = useMe();

  if (!me || !isStaffRole(me.role)) {
    return (
      <div className="admin">
        <p className="admin-denied" role="alert" data-testid="admin-not-allowed">
          {t('admin.notAllowed')}
        </p>
      </div>
    );
  }

  const allowed: readonly Section[] = mayReadSettings(me.role)
    ? SECTIONS.filter((s) => me.role === 'admin' || !ADMIN_ONLY.includes(s))
    : ['canned'];
  const active = allowed.find((s) => s === section) ?? allowed[0] ?? 'canned';

  return (
    <section className="admin" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <nav className="admin-tabs" aria-label={t('admin.sections')}>
        {allowed.map((s) => (
          <Link
            key={s}
            href={`/admin/${s}`}
            className="admin-tab"
            data-testid="admin-tab"
            data-section={s}
            aria-current={s === active ? 'page' : undefined}
          >
            {t(`admin.tabs.${s}`)}
          </Link>
        ))}
      </nav>
      <div className="admin-body">
        {active === 'teams' && <TeamsPage />}
        {active === 'agents' && <AgentsPage />}
        {active === 'inboxes' && <InboxesPage />}
        {active === 'canned' && <CannedRepliesPage />}
        {active === 'hours' && <HoursPage />}
        {active === 'sla' && <SlaPage />}
        {active === 'webhooks' && <WebhooksPage />}
        {active === 'widgets' && <WidgetsPage />}
        {active === 'audit' && <AuditPage />}
      </div>
    </section>
  );
}
