import { NameSchema, type User } from '@abrik/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { personName } from '../../chat/names.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { focusOnMount } from '../../lib/focus.js';
import { useLang } from '../../lib/hooks.js';
import { lookupByPhone } from './PhoneLookup.js';
import { useOpenCreated } from './useOpenCreated.js';

/** A new group: a name and the people in it, found by phone number. */
export function NewGroup({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const openCreated = useOpenCreated(onDone);
  const [title, setTitle] = useState('');
  const [phone, setPhone] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function addMember() {
    setError(null);
    const found = await lookupByPhone(api, phone, t);
    if ('error' in found) {
      setError(found.error);
      return;
    }
    setMembers((list) => (list.some((m) => m.id === found.user.id) ? list : [...list, found.user]));
    setPhone('');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const name = NameSchema.safeParse(title);
    if (!name.success) return;
    setBusy(true);
    setError(null);
    try {
      await openCreated({ kind: 'group', title: name.data, memberIds: members.map((m) => m.id) });
    } catch (e) {
      setError(errorText(e, t));
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('group.title')}</h2>
      <label htmlFor={`${id}-name`}>{t('group.name')}</label>
      <input
        id={`${id}-name`}
        data-testid="group-title"
        dir="auto"
        maxLength={64}
        // The form was opened to type this name.
        ref={focusOnMount}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
      />
      <label htmlFor={`${id}-phone`}>{t('group.memberPhone')}</label>
      <div className="row">
        <PhoneInput
          id={`${id}-phone`}
          data-testid="group-member-phone"
          autoComplete="off"
          value={phone}
          onValueChange={setPhone}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void addMember();
            }
          }}
        />
        <button
          type="button"
          data-testid="group-add-member"
          disabled={!phone.trim()}
          onClick={() => void addMember()}
        >
          {t('group.addMember')}
        </button>
      </div>
      {members.length === 0 ? (
        <p className="muted">{t('group.noMembers')}</p>
      ) : (
        <ul className="chips" aria-label={t('group.members')}>
          {members.map((m) => {
            const name = personName(m.id, m.name, t, lang);
            return (
              <li key={m.id} className="chip" data-testid="group-member">
                <span dir="auto">{name}</span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('group.remove', { name })}
                  onClick={() => setMembers((list) => list.filter((x) => x.id !== m.id))}
                >
                  <Icon name="close" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <FormError error={error} />
      <SubmitCancel testId="group-create" disabled={busy || !title.trim()} onCancel={onDone}>
        {t('group.create')}
      </SubmitCancel>
    </form>
  );
}
