import type { Me } from '@abrik/protocol';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import { SubmitButton } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { Store, useStore } from '../../lib/store.js';
import { NameInput, useRename } from './NameField.js';

const DISMISSED_KEY = 'abrik.name.dismissed';

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}
const dismissed = new Store(readDismissed());

/** Whether the name prompt shows (it comes before the notifications offer: one banner at a time). */
export function useNamePromptShown(me: Me | undefined): boolean {
  const isDismissed = useStore(dismissed);
  return Boolean(me && !me.name && !isDismissed);
}

/** Asks a person without a name for one: others see "Unnamed" until then. */
export function NameBanner() {
  const { t } = useTranslation();
  const { session } = useServices();
  const me = useStore(session.store)?.user;
  const shown = useNamePromptShown(me);
  const { name, setName, error, saving, save } = useRename('');
  const id = useId();
  if (!shown) return null;

  return (
    <form className="banner" data-testid="name-prompt" onSubmit={save} aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={`${id}-input`}>
        {t('settings.namePrompt')}
      </label>
      <div className="row">
        <NameInput id={`${id}-input`} data-testid="name-prompt-input" value={name} onValueChange={setName} />
        <SubmitButton testId="name-prompt-save" disabled={saving || !name.trim()}>
          {t('common.save')}
        </SubmitButton>
      </div>
      <FormError error={error} />
      <button
        type="button"
        className="link-button"
        onClick={() => {
          try {
            localStorage.setItem(DISMISSED_KEY, '1');
          } catch {
            // Shown again next time; harmless.
          }
          dismissed.set(true);
        }}
      >
        {t('push.later')}
      </button>
    </form>
  );
}
