import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { lookupByPhone } from './PhoneLookup.js';
import { useOpenCreated } from './useOpenCreated.js';

/** Start (or open) the direct conversation with someone, by their phone number. */
export function NewDirect({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const openCreated = useOpenCreated(onDone);
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
      await openCreated({ kind: 'direct', userId: found.user.id });
    } catch (e) {
      setError(errorText(e, t));
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('direct.title')}</h2>
      <label htmlFor={`${id}-phone`}>{t('direct.phone')}</label>
      <PhoneInput
        id={`${id}-phone`}
        data-testid="new-direct-phone"
        autoComplete="off"
        // The form was opened to type this number.
        autoFocus
        value={phone}
        onValueChange={setPhone}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <FormError error={error} />
      <SubmitCancel testId="new-direct-submit" disabled={busy || !phone.trim()} onCancel={onDone}>
        {t('direct.submit')}
      </SubmitCancel>
    </form>
  );
}
