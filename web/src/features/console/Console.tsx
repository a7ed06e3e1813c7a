import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useRoute } from 'wouter';
import { useServices } from '../../app/context.js';
import { ConnectionState } from '../../components/ConnectionState.js';
import { PaneBoundary } from '../../components/ErrorBoundary.js';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { ConversationView } from '../conversation/ConversationView.js';
import { ReportsLink } from '../reports/ReportsPage.js';
import { AlertToggles, SlaAlerts } from './Alerts.js';
import { AvailabilitySwitch } from './Availability.js';
import { ConsoleList, useConsoleTickets } from './ConsoleList.js';
import { type Filters, isView, NO_FILTERS, type View } from './filters.js';
import { useTicket } from './queries.js';
import { SidePanel } from './SidePanel.js';
import { SHORTCUTS, useShortcut } from './shortcuts.js';
import { TicketActions } from './TicketActions.js';
import './console.css';

/**
 * Conversations assigned to me that wait on me: the customer's words are unanswered, or nobody
 * has answered them yet at all (a new one). The console's badge.
 */
export function useWaitingOnMe(): number {
  const mine = useConsoleTickets('mine', NO_FILTERS);
  return (mine.data?.items ?? []).filter(
    (t) => t.status === 'open' && (t.waitingSince !== null || t.firstAgentReplyAt === null),
  ).length;
}

/** The staff's link to the console, with the badge of conversations waiting on them. */
export function ConsoleLink() {
  const { t } = useTranslation();
  return (
    <Link href="/support" className="nav-link" data-testid="console-link">
      {t('console.title')}
      <WaitingBadge />
    </Link>
  );
}

function WaitingBadge() {
  const { t } = useTranslation();
  const lang = useLang();
  const waiting = useWaitingOnMe();
  return (
    <>
      {waiting > 0 && (
        <>
          <span className="unread-badge" data-testid="console-badge" aria-hidden="true">
            {formatNumber(waiting, lang)}
          </span>
          <span className="visually-hidden">{t('console.badge', { count: waiting })}</span>
        </>
      )}
    </>
  );
}

/**
 * The support console: views and the list on one side, the conversation with its actions in the
 * middle, the customer and the history beside it. On a phone's width one of them at a time.
 */
export function Console() {
  const { t } = useTranslation();
  const lang = useLang();
  const { session } = useServices();
  const me = useStore(session.store)?.user;
  const [, withId] = useRoute('/support/:view/:id');
  const [, viewOnly] = useRoute('/support/:view');
  const [, navigate] = useLocation();
  const requested = withId?.view ?? viewOnly?.view;
  const view: View = isView(requested) ? requested : 'mine';
  const activeId = withId?.id ?? null;
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [help, setHelp] = useState(false);
  const list = useConsoleTickets(view, filters);

  // The badge in the tab's title, for an agent working in another tab.
  const waiting = useWaitingOnMe();
  useEffect(() => {
    const base = t('app.name');
    document.title = waiting > 0 ? `(${formatNumber(waiting, lang)}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [waiting, t, lang]);

  const move = (step: 1 | -1) => {
    const items = list.data?.items ?? [];
    if (items.length === 0) return;
    const at = items.findIndex((x) => x.conversationId === activeId);
    const next = items[at === -1 ? 0 : Math.min(items.length - 1, Math.max(0, at + step))];
    if (next) navigate(`/support/${view}/${next.conversationId}`);
  };
  useShortcut('j', () => move(1));
  useShortcut('k', () => move(-1));
  useShortcut('?', () => setHelp(true));

  if (!me || me.role === 'customer') {
    return (
      <div className="empty-pane" role="alert">
        <p>{t('console.staffOnly')}</p>
        <Link href="/">{t('console.backToChats')}</Link>
      </div>
    );
  }

  return (
    <div className="console" data-view={activeId ? 'conversation' : 'list'} data-testid="console">
      <ConnectionState />
      <header className="console-header">
        <h1 className="brand row">
          {t('console.title')}
          <WaitingBadge />
        </h1>
        <AvailabilitySwitch />
        <div className="row">
          <Link href="/" className="nav-link" data-testid="nav-chats">
            {t('console.chats')}
          </Link>
          <Link href="/admin/agents" className="nav-link" data-testid="nav-admin">
            {t('console.settings')}
          </Link>
          <ReportsLink />
          <HeaderMenu />
          <button
            type="button"
            className="icon-button"
            data-testid="shortcuts-open"
            aria-label={t('console.shortcuts.title')}
            title={t('console.shortcuts.title')}
            onClick={() => setHelp(true)}
          >
            ?
          </button>
          <LanguageSwitch />
        </div>
      </header>
      <SlaAlerts />
      <div className="console-panes">
        <aside className="sidebar" aria-label={t('console.views.label')}>
          <ConsoleList view={view} activeId={activeId} filters={filters} onFilters={setFilters} />
        </aside>
        <main className="pane">
          {activeId ? (
            <PaneBoundary key={activeId}>
              <ConsoleConversation conversationId={activeId} backHref={`/support/${view}`} />
            </PaneBoundary>
          ) : (
            <div className="empty-pane">
              <p>{t('console.pick')}</p>
            </div>
          )}
        </main>
      </div>
      {help && <ShortcutSheet onClose={() => setHelp(false)} />}
    </div>
  );
}

/** The conversation as staff see it: the actions above it, the customer beside it. */
function ConsoleConversation({ conversationId, backHref }: { conversationId: string; backHref: string }) {
  const ticket = useTicket(conversationId);
  // Narrower than the three columns: the side panel opens over the conversation, on request.
  const [side, setSide] = useState(false);
  return (
    <div className="console-conversation">
      <ConversationView
        conversationId={conversationId}
        backHref={backHref}
        staffBar={
          ticket.data ? (
            <TicketActions ticket={ticket.data} sideOpen={side} onToggleSide={() => setSide((s) => !s)} />
          ) : null
        }
      />
      {ticket.data && <SidePanel ticket={ticket.data} open={side} onClose={() => setSide(false)} />}
    </div>
  );
}

function HeaderMenu() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="menu">
      <button
        type="button"
        data-testid="alerts-menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      >
        {t('console.alerts.title')}
      </button>
      {open && (
        <div className="menu-panel">
          <AlertToggles />
        </div>
      )}
    </div>
  );
}

/** The `?` sheet: every shortcut; Esc or the button closes it and focus goes back. */
function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const back = useRef<Element | null>(document.activeElement);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal?.();
    const previous = back.current;
    return () => {
      if (previous instanceof HTMLElement) previous.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      className="sheet"
      data-testid="shortcuts-sheet"
      aria-labelledby="shortcuts-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <h2 id="shortcuts-title">{t('console.shortcuts.title')}</h2>
      <dl className="shortcuts">
        {SHORTCUTS.map(([key, what]) => (
          <div key={key} className="row">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{t(`console.shortcuts.${what}`)}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="primary" onClick={onClose}>
        {t('common.close')}
      </button>
    </dialog>
  );
}
