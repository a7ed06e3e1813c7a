import { NameSchema, type User } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';
import { personName } from '../../chat/names.js';
import { Icon } from '../../components/Icon.js';
import { useLang } from '../../lib/hooks.js';
import { lookupByPhone } from './PhoneLookup.js';

/** A new group: a name and the people in it, found by phone number. */
export function NewGroup({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
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
      const conversation = await api.createConversation({
        kind: 'group',
        title: name.data,
        memberIds: members.map((m) => m.id),
      });
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
      <h2 id={`${id}-title`}>{t('group.title')}</h2>
      <label htmlFor={`${id}-name`}>{t('group.name')}</label>
      <input
        id={`${id}-name`}
        data-testid="group-title"
        dir="auto"
        maxLength={64}
        // biome-ignore lint/a11y/noAutofocus: the form was opened to type this name
        autoFocus
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <label htmlFor={`${id}-phone`}>{t('group.memberPhone')}</label>
      <div className="row">
        <input
          id={`${id}-phone`}
          data-testid="group-member-phone"
          type="tel"
          inputMode="tel"
          dir="ltr"
          autoComplete="off"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
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
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" data-testid="group-create" disabled={busy || !title.trim()}>
          {t('group.create')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
