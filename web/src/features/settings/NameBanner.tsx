import { type Me, NameSchema } from '@abrik/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { Store, useStore } from '../../lib/store.js';

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
  const { api, session } = useServices();
  const me = useStore(session.store)?.user;
  const shown = useNamePromptShown(me);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  if (!shown) return null;

  async function save(event: FormEvent) {
    event.preventDefault();
    const parsed = NameSchema.safeParse(name);
    if (!parsed.success) return;
    setSaving(true);
    setError(null);
    try {
      session.updateUser(await api.rename(parsed.data));
    } catch (e) {
      setError(errorText(e, t));
      setSaving(false);
    }
  }

  return (
    <form className="banner" data-testid="name-prompt" onSubmit={save} aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={`${id}-input`}>
        {t('settings.namePrompt')}
      </label>
      <div className="row">
        <input
          id={`${id}-input`}
          data-testid="name-prompt-input"
          dir="auto"
          maxLength={64}
          placeholder={t('settings.namePlaceholder')}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="submit"
          className="primary"
          data-testid="name-prompt-save"
          disabled={saving || !name.trim()}
        >
          {t('common.save')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
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
