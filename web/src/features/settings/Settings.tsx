import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { forgetContacts } from '../../lib/contacts.js';
import { localDigits } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { disablePush } from '../push/push.js';
import { NameInput, useRename } from './NameField.js';

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
  const { name, setName, error, saving, save } = useRename(me?.name ?? '', () => setOpen(false));
  const panelId = useId();

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
          <NameInput id={`${panelId}-name`} data-testid="profile-name" value={name} onValueChange={setName} />
          <FormError error={error} />
          <SubmitCancel
            testId="profile-save"
            disabled={saving || !name.trim()}
            onCancel={() => setOpen(false)}
          >
            {t('common.save')}
          </SubmitCancel>
        </form>
      )}
    </>
  );
}
