import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useServices } from '../../app/context.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { focusOnMount } from '../../lib/focus.js';
import { useAction } from '../../lib/hooks.js';
import { lookupByPhone } from './PhoneLookup.js';
import { useOpenCreated } from './useOpenCreated.js';

/** Start (or open) the direct conversation with someone, by their phone number. */
export function NewDirect({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const openCreated = useOpenCreated(onDone);
  const [phone, setPhone] = useState('');
  const { busy, error, setError, run } = useAction();
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    let refused: string | null = null;
    await run(async () => {
      const found = await lookupByPhone(api, phone, t);
      if ('error' in found) {
        refused = found.error; // a wrong or unknown phone, already in words to show
        return;
      }
      await openCreated({ kind: 'direct', userId: found.user.id });
    });
    if (refused) setError(refused);
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
        ref={focusOnMount}
        value={phone}
        onValueChange={setPhone}
      />
      <FormError error={error} />
      <SubmitCancel testId="new-direct-submit" disabled={busy || !phone.trim()} onCancel={onDone}>
        {t('direct.submit')}
      </SubmitCancel>
    </form>
  );
}
