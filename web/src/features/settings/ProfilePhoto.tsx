import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { FormError } from '../../components/FormError.js';
import { PhotoAvatar } from '../../components/PhotoAvatar.js';
import { useStore } from '../../lib/store.js';

/**
 * My profile photo in the settings panel: set one (the server crops it square and strips its
 * metadata) or remove it; the saved user replaces the session's, so every view follows.
 */
export function ProfilePhoto() {
  const { t } = useTranslation();
  const { api, session } = useServices();
  const me = useStore(session.store)?.user;
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!me) return null;

  async function run(change: () => ReturnType<typeof api.removeAvatar>) {
    setBusy(true);
    setError(null);
    try {
      session.updateUser(await change());
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="profile-photo" data-testid="profile-photo">
      <PhotoAvatar id={me.id} name={me.name ?? ''} avatarId={me.avatarId} />
      <span className="muted">{t('settings.photo')}</span>
      <button
        type="button"
        className="link-button"
        data-testid="profile-photo-change"
        disabled={busy}
        onClick={() => input.current?.click()}
      >
        {t('settings.photoChange')}
      </button>
      {me.avatarId && (
        <button
          type="button"
          className="link-button"
          data-testid="profile-photo-remove"
          disabled={busy}
          onClick={() => void run(() => api.removeAvatar())}
        >
          {t('settings.photoRemove')}
        </button>
      )}
      <input
        ref={input}
        type="file"
        accept="image/jpeg,image/png,image/webp,image/gif"
        hidden
        data-testid="profile-photo-input"
        onChange={(e) => {
          const photo = e.target.files?.[0];
          e.target.value = '';
          if (photo) void run(() => api.setAvatar(photo));
        }}
      />
      <FormError error={error} />
    </div>
  );
}
