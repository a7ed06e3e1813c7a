import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';
import { useStore } from '../../lib/store.js';
import { useNamePromptShown } from '../settings/NameBanner.js';
import { dismissPush, enablePush, pushDismissed, pushSupported, subscribePush } from './push.js';

/**
 * Offers notifications once there is someone to hear from (a first conversation), never on load.
 * Where permission was given before, the subscription is refreshed silently.
 */
export function PushBanner() {
  const { t } = useTranslation();
  const { api, session } = useServices();
  const { data } = useQuery({ queryKey: conversationsKey, queryFn: () => api.conversations() });
  const supported = pushSupported();
  const [permission, setPermission] = useState<NotificationPermission>(() =>
    supported ? Notification.permission : 'denied',
  );
  const [hidden, setHidden] = useState(pushDismissed);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const me = useStore(session.store)?.user;
  const askingName = useNamePromptShown(me);

  useEffect(() => {
    if (supported && Notification.permission === 'granted') {
      subscribePush(api).catch(() => {
        // No push service here (or offline): the app works without it.
      });
    }
  }, [api, supported]);

  if (!supported || hidden || askingName || permission !== 'default' || !data || data.items.length === 0) {
    return message ? (
      <p className="banner" role="status">
        {message}
      </p>
    ) : null;
  }

  async function enable() {
    setBusy(true);
    try {
      const result = await enablePush(api);
      setPermission(result);
      if (result === 'denied') setMessage(t('push.denied'));
    } catch {
      setPermission(Notification.permission);
      setMessage(t('push.failed'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="banner" aria-label={t('push.enable')}>
      <p>{t('push.prompt')}</p>
      <div className="row">
        <button
          type="button"
          className="primary"
          data-testid="enable-push"
          disabled={busy}
          onClick={() => void enable()}
        >
          {t('push.enable')}
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            dismissPush();
            setHidden(true);
          }}
        >
          {t('push.later')}
        </button>
      </div>
    </section>
  );
}
