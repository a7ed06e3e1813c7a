import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { useEngine, useServices } from '../../app/context.js';
import type { DeskAlert } from '../../chat/desk.js';
import { formatTime } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { alertSettings, chime, setAlertSettings } from './alerts.js';
import './sla.css';

type SlaAlert = Extract<DeskAlert, { kind: 'sla' }>;

/** SLA deadlines near or missed are for supervisors (and admins); agents see them in the side panel. */
export const hearsSla = (role: string | undefined) => role === 'supervisor' || role === 'admin';

/**
 * A sound and a desktop notification when a conversation is given to me or its customer writes,
 * and for supervisors when an SLA deadline is near or missed; the desktop one only when this page
 * is not what the person looks at. Each can be turned off.
 */
export function useDeskAlerts(): void {
  const { t } = useTranslation();
  const engine = useEngine();
  const { session } = useServices();
  const [, navigate] = useLocation();
  useEffect(
    () =>
      engine.desk.alerts.subscribe(() => {
        const alert = engine.desk.alerts.get();
        if (!alert) return;
        if (alert.kind === 'sla' && !hearsSla(session.store.get()?.user.role)) return;
        const settings = alertSettings.get();
        if (settings.sound) chime();
        const looking = document.visibilityState === 'visible' && document.hasFocus();
        if (!settings.desktop || looking || typeof Notification === 'undefined') return;
        if (Notification.permission !== 'granted') return;
        const title =
          alert.kind === 'sla'
            ? t(`sla.alert.${alert.sla.state}`, { kind: t(`sla.kinds.${alert.sla.kind}`) })
            : alert.kind === 'assigned'
              ? t('console.alerts.assigned')
              : t('console.alerts.reply');
        const notification = new Notification(title, {
          body: alert.kind === 'sla' ? '' : (alert.body ?? ''),
          tag: `support-${alert.kind === 'sla' ? 'sla-' : ''}${alert.conversationId}`,
          lang: document.documentElement.lang,
        });
        notification.onclick = () => {
          window.focus();
          navigate(`/support/${alert.kind === 'sla' ? 'all' : 'mine'}/${alert.conversationId}`);
          notification.close();
        };
      }),
    [engine, session, t, navigate],
  );
}

/** How many SLA alerts the console keeps on screen at once (newest first). */
const SHOWN_SLA_ALERTS = 3;

/**
 * In the console, for supervisors: the SLA deadlines near or missed since the page opened, each
 * linking to its conversation and dismissed by its button (a desktop notification is not shown
 * while the console is looked at, so this is what they see then).
 */
export function SlaAlerts() {
  const { t } = useTranslation();
  const lang = useLang();
  const engine = useEngine();
  const { session } = useServices();
  const role = useStore(session.store)?.user.role;
  const [shown, setShown] = useState<SlaAlert[]>([]);
  useEffect(
    () =>
      engine.desk.alerts.subscribe(() => {
        const alert = engine.desk.alerts.get();
        if (alert?.kind !== 'sla') return;
        const same = (a: SlaAlert) =>
          a.conversationId === alert.conversationId && a.sla.kind === alert.sla.kind;
        setShown((list) => [alert, ...list.filter((a) => !same(a))].slice(0, SHOWN_SLA_ALERTS));
      }),
    [engine],
  );
  if (!hearsSla(role)) return null;
  return (
    <div className="sla-alerts" role="log" aria-label={t('sla.alert.label')} data-testid="sla-alerts">
      {shown.map((alert) => (
        <div
          key={`${alert.conversationId}-${alert.sla.kind}`}
          className="sla-alert"
          data-state={alert.sla.state}
          data-testid="sla-alert"
        >
          <Link href={`/support/all/${alert.conversationId}`}>
            {t(`sla.alert.${alert.sla.state}`, { kind: t(`sla.kinds.${alert.sla.kind}`) })}
          </Link>
          <span className="small">{t('sla.alert.due', { time: formatTime(alert.sla.dueAt, lang) })}</span>
          <button
            type="button"
            className="icon-button small"
            aria-label={t('sla.alert.dismiss')}
            data-testid="sla-alert-dismiss"
            onClick={() => setShown((list) => list.filter((a) => a !== alert))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Mounted once for staff wherever they are in the app (console, chats or settings). */
export function DeskAlerts(): null {
  useDeskAlerts();
  return null;
}

/** The two switches, in the console's header menu. */
export function AlertToggles() {
  const { t } = useTranslation();
  const settings = useStore(alertSettings);
  const permission = typeof Notification === 'undefined' ? 'denied' : Notification.permission;
  return (
    <fieldset className="alert-toggles" data-testid="alert-toggles">
      <legend>{t('console.alerts.title')}</legend>
      <label>
        <input
          type="checkbox"
          data-testid="alert-sound"
          checked={settings.sound}
          onChange={(e) => setAlertSettings({ ...settings, sound: e.target.checked })}
        />
        {t('console.alerts.sound')}
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="alert-desktop"
          checked={settings.desktop}
          onChange={(e) => {
            setAlertSettings({ ...settings, desktop: e.target.checked });
            if (e.target.checked && permission === 'default') void Notification.requestPermission();
          }}
        />
        {t('console.alerts.desktop')}
      </label>
      {settings.desktop && permission === 'denied' && (
        <p className="muted small">{t('console.alerts.blocked')}</p>
      )}
    </fieldset>
  );
}
