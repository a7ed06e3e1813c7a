import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useEngine, useServices } from '../../app/context.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { forgetContacts } from '../../lib/contacts.js';
import { focusOnMount } from '../../lib/focus.js';
import { formatNumber } from '../../lib/format.js';
import { closeOnEscape, useDisclosure, useLang } from '../../lib/hooks.js';
import { formatPhone } from '../../lib/phone.js';
import { useStore } from '../../lib/store.js';
import { chooseTheme, storedTheme, THEMES, type Theme } from '../../lib/theme.js';
import { disablePush } from '../push/push.js';
import { NameInput, useRename } from './NameField.js';
import { ProfilePhoto } from './ProfilePhoto.js';

/** What this browser kept for the person (unsent messages, numbers they typed): not for the next one. */
function forgetDevice(userId: string): void {
  try {
    localStorage.removeItem(`abrik.outbox.${userId}`);
  } catch {
    // Storage unavailable: nothing was kept.
  }
  forgetContacts();
}

/**
 * My name, the theme, and signing out (asked first, saying how many unsent messages would be lost).
 * Escape closes the panel and focus goes back to its button.
 */
export function Settings() {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const engine = useEngine();
  const queryClient = useQueryClient();
  const me = useStore(session.store)?.user;
  const panel = useDisclosure<'settings'>();
  const open = panel.open === 'settings';
  const { name, setName, error, saving, save } = useRename(me?.name ?? '', panel.close);
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const panelId = useId();
  const { confirm, dialog } = useConfirm();

  async function askSignOut() {
    const unsent = engine.outbox.items.length;
    const yes = await confirm({
      title: t('settings.signOutConfirm'),
      ...(unsent > 0
        ? { body: t('settings.signOutUnsent', { count: unsent, n: formatNumber(unsent, lang) }) }
        : {}),
      confirm: t('settings.signOut'),
      testId: 'sign-out-confirm',
    });
    if (yes) await signOut();
  }

  async function signOut() {
    const refreshToken = session.current?.refreshToken;
    await disablePush(api).catch(() => undefined);
    if (refreshToken) await api.logout(refreshToken).catch(() => undefined);
    if (me) forgetDevice(me.id);
    await engine.forgetDevice();
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
        onClick={() => panel.toggle('settings')}
      >
        <Icon name="settings" />
      </button>
      <button type="button" className="link-button" data-testid="sign-out" onClick={() => void askSignOut()}>
        {t('settings.signOut')}
      </button>
      {dialog}
      {open && (
        <form
          id={panelId}
          className="panel settings-panel"
          data-testid="settings-panel"
          onSubmit={save}
          onKeyDown={closeOnEscape(panel.close)}
        >
          <p className="muted">
            {t('settings.signedInAs')}
            <bdi dir="ltr">{me ? formatPhone(me.phone, lang) : ''}</bdi>
          </p>
          <ProfilePhoto />
          <label htmlFor={`${panelId}-name`}>{t('settings.name')}</label>
          <NameInput
            id={`${panelId}-name`}
            data-testid="profile-name"
            // The panel was opened to change these.
            ref={focusOnMount}
            value={name}
            onValueChange={setName}
          />
          <fieldset className="theme-choice">
            <legend>{t('settings.theme')}</legend>
            {THEMES.map((choice) => (
              <label key={choice} className="inline-choice">
                <input
                  type="radio"
                  name={`${panelId}-theme`}
                  data-testid={`theme-${choice}`}
                  checked={theme === choice}
                  onChange={() => {
                    setTheme(choice);
                    chooseTheme(choice);
                  }}
                />
                {t(`settings.themes.${choice}`)}
              </label>
            ))}
          </fieldset>
          <FormError error={error} />
          <SubmitCancel testId="profile-save" disabled={saving || !name.trim()} onCancel={panel.close}>
            {t('common.save')}
          </SubmitCancel>
        </form>
      )}
    </>
  );
}
