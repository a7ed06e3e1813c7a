import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { useEngine } from '../../app/context.js';
import { useStore } from '../../lib/store.js';
import { alertSettings, chime, setAlertSettings } from './alerts.js';

/**
 * A sound and a desktop notification when a conversation is given to me or its customer writes;
 * the desktop one only when this page is not what the agent looks at. Each can be turned off.
 */
export function useDeskAlerts(): void {
  const { t } = useTranslation();
  const engine = useEngine();
  const [, navigate] = useLocation();
  useEffect(
    () =>
      engine.desk.alerts.subscribe(() => {
        const alert = engine.desk.alerts.get();
        if (!alert) return;
        const settings = alertSettings.get();
        if (settings.sound) chime();
        const looking = document.visibilityState === 'visible' && document.hasFocus();
        if (!settings.desktop || looking || typeof Notification === 'undefined') return;
        if (Notification.permission !== 'granted') return;
        const notification = new Notification(
          alert.kind === 'assigned' ? t('console.alerts.assigned') : t('console.alerts.reply'),
          {
            body: alert.body ?? '',
            tag: `support-${alert.conversationId}`,
            lang: document.documentElement.lang,
          },
        );
        notification.onclick = () => {
          window.focus();
          navigate(`/support/mine/${alert.conversationId}`);
          notification.close();
        };
      }),
    [engine, t, navigate],
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
