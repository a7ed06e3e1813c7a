import { NameSchema } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { Icon } from '../../components/Icon.js';
import { forgetContacts } from '../../lib/contacts.js';
import { localDigits } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { disablePush } from '../push/push.js';

/** What this browser kept for the person (unsent messages, numbers they typed): not for the next one. */
function forgetDevice(userId: string): void {
  try {
    localStorage.removeItem(`abrik.outbox.${userId}`);
  } catch {
    // Storage unavailable: nothing was kept.
  }
  forgetContacts();
}

/** My name, and signing out. */
export function Settings() {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const queryClient = useQueryClient();
  const me = useStore(session.store)?.user;
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(me?.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const panelId = useId();

  async function save(event: FormEvent) {
    event.preventDefault();
    const parsed = NameSchema.safeParse(name);
    if (!parsed.success) return;
    setSaving(true);
    setError(null);
    try {
      session.updateUser(await api.rename(parsed.data));
      setOpen(false);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setSaving(false);
    }
  }

  async function signOut() {
    const refreshToken = session.current?.refreshToken;
    await disablePush(api).catch(() => undefined);
    if (refreshToken) await api.logout(refreshToken).catch(() => undefined);
    if (me) forgetDevice(me.id);
    session.signOut();
    queryClient.clear();
  }

  return (
    <>
      <button
        type="button"
        className="icon-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('settings.open')}
        title={t('settings.open')}
        data-testid="settings"
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="settings" />
      </button>
      <button type="button" className="link-button" data-testid="sign-out" onClick={() => void signOut()}>
        {t('settings.signOut')}
      </button>
      {open && (
        <form id={panelId} className="panel settings-panel" onSubmit={save}>
          <p className="muted">
            {t('settings.signedInAs')}
            <bdi dir="ltr">{me ? localDigits(me.phone, lang) : ''}</bdi>
          </p>
          <label htmlFor={`${panelId}-name`}>{t('settings.name')}</label>
          <input
            id={`${panelId}-name`}
            data-testid="profile-name"
            dir="auto"
            maxLength={64}
            placeholder={t('settings.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button
              type="submit"
              className="primary"
              data-testid="profile-save"
              disabled={saving || !name.trim()}
            >
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
