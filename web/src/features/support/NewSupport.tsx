import type { Conversation } from '@abrik/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { focusOnMount } from '../../lib/focus.js';
import { useAction } from '../../lib/hooks.js';
import { useOpenCreated } from '../conversations/useOpenCreated.js';

/** The customer's support conversation still going (not closed), most recent first, if any. */
export function openSupport(conversations: readonly Conversation[]): Conversation | undefined {
  return conversations.find((c) => c.kind === 'support' && c.support && c.support.status !== 'closed');
}

/**
 * A customer asks for help: back to the conversation still going, or a new one with an optional
 * subject. The server assigns it at once or queues it; the conversation's header says which.
 */
export function NewSupport({ current, onDone }: { current: Conversation | undefined; onDone: () => void }) {
  const { t } = useTranslation();
  const openCreated = useOpenCreated(onDone);
  const [subject, setSubject] = useState('');
  const { busy, error, run } = useAction();
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const trimmed = subject.trim();
      await openCreated({ kind: 'support', ...(trimmed ? { subject: trimmed } : {}) });
    });
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('support.start')}</h2>
      {current && (
        <p>
          <Link href={`/c/${current.id}`} data-testid="support-resume" onClick={onDone}>
            {t('support.resume')}
          </Link>
        </p>
      )}
      <label htmlFor={`${id}-subject`}>{t('support.subject')}</label>
      <input
        id={`${id}-subject`}
        data-testid="support-subject"
        dir="auto"
        maxLength={64}
        // The form was opened to write this.
        ref={focusOnMount}
        value={subject}
        onChange={(e) => setSubject(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <FormError error={error} />
      <SubmitCancel testId="support-submit" disabled={busy} onCancel={onDone}>
        {t('support.submit')}
      </SubmitCancel>
    </form>
  );
}
