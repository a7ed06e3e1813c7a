import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';
import { lookupByPhone } from './PhoneLookup.js';

/** Start (or open) the direct conversation with someone, by their phone number. */
export function NewDirect({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const found = await lookupByPhone(api, phone, t);
    if ('error' in found) {
      setError(found.error);
      setBusy(false);
      return;
    }
    try {
      const conversation = await api.createConversation({ kind: 'direct', userId: found.user.id });
      await queryClient.invalidateQueries({ queryKey: conversationsKey });
      onDone();
      navigate(`/c/${conversation.id}`);
    } catch (e) {
      setError(errorText(e, t));
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('direct.title')}</h2>
      <label htmlFor={`${id}-phone`}>{t('direct.phone')}</label>
      <input
        id={`${id}-phone`}
        data-testid="new-direct-phone"
        type="tel"
        inputMode="tel"
        dir="ltr"
        autoComplete="off"
        // biome-ignore lint/a11y/noAutofocus: the form was opened to type this number
        autoFocus
        value={phone}
        onChange={(e) => setPhone(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
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
          data-testid="new-direct-submit"
          disabled={busy || !phone.trim()}
        >
          {t('direct.submit')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
