import type { Conversation } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { conversationKey, conversationsKey } from '../../chat/messages.js';
import { personName } from '../../chat/names.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { useLang } from '../../lib/hooks.js';
import { lookupByPhone } from '../conversations/PhoneLookup.js';

/** A group's members: owners and admins add and remove; anyone may leave. */
export function MembersPanel({
  conversation,
  meId,
  onClose,
}: {
  conversation: Conversation;
  meId: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const myRole = conversation.members.find((m) => m.userId === meId)?.role;
  const manages = myRole === 'owner' || myRole === 'admin';

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: conversationKey(conversation.id) }),
      queryClient.invalidateQueries({ queryKey: conversationsKey }),
    ]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const found = await lookupByPhone(api, phone, t);
    try {
      if ('error' in found) {
        setError(found.error);
        return;
      }
      await api.addMembers(conversation.id, [found.user.id]);
      setPhone('');
      await refresh();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function remove(userId: string) {
    setError(null);
    try {
      await api.removeMember(conversation.id, userId);
      if (userId === meId) {
        navigate('/');
        await queryClient.invalidateQueries({ queryKey: conversationsKey });
        return;
      }
      await refresh();
    } catch (e) {
      setError(errorText(e, t));
    }
  }

  return (
    <section className="panel members" aria-labelledby={`${id}-title`}>
      <div className="row between">
        <h3 id={`${id}-title`}>{t('group.members')}</h3>
        <button type="button" className="icon-button" aria-label={t('common.close')} onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <ul className="member-list">
        {conversation.members.map((m) => {
          const name = m.userId === meId ? t('names.you') : personName(m.userId, m.name, t, lang);
          const removable =
            m.userId !== meId && manages && m.role !== 'owner' && (myRole === 'owner' || m.role !== 'admin');
          return (
            <li key={m.userId} data-testid="member" data-user-id={m.userId}>
              <span dir="auto">{name}</span> <span className="muted small">{t(`group.role.${m.role}`)}</span>
              {removable && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="member-remove"
                  aria-label={t('group.remove', { name })}
                  onClick={() => void remove(m.userId)}
                >
                  ×
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {manages && (
        <form onSubmit={add} className="row" noValidate>
          <label htmlFor={`${id}-phone`} className="visually-hidden">
            {t('group.memberPhone')}
          </label>
          <PhoneInput
            id={`${id}-phone`}
            data-testid="member-add-phone"
            placeholder={t('group.memberPhone')}
            value={phone}
            onValueChange={setPhone}
          />
          <button type="submit" data-testid="member-add" disabled={busy || !phone.trim()}>
            {t('group.addToGroup')}
          </button>
        </form>
      )}
      <FormError error={error} />
      <button
        type="button"
        className="link-button danger"
        data-testid="group-leave"
        onClick={() => void remove(meId)}
      >
        {t('group.leave')}
      </button>
    </section>
  );
}
