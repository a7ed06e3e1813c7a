import type { Conversation } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useEngine, useServices } from '../../app/context.js';
import { conversationKey, conversationsKey } from '../../chat/messages.js';
import { personName } from '../../chat/names.js';
import { useConfirm } from '../../components/ConfirmDialog.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { PhotoAvatar } from '../../components/PhotoAvatar.js';
import { closeOnEscape, useLang } from '../../lib/hooks.js';
import { lookupByPhone } from '../conversations/PhoneLookup.js';
import { GroupInfo, RoleButton } from './GroupInfo.js';

/**
 * A group's members: owners and admins add and remove; anyone may leave (both asked first).
 * Escape closes it; focus starts on its heading.
 */
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
  const engine = useEngine();
  const { confirm, dialog } = useConfirm();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
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

  async function remove(userId: string, name: string) {
    const leaving = userId === meId;
    const yes = await confirm(
      leaving
        ? {
            title: t('group.leaveConfirm'),
            body: t('group.leaveBody'),
            confirm: t('group.leave'),
            testId: 'leave-confirm',
          }
        : {
            title: t('group.removeConfirm', { name }),
            confirm: t('group.removeYes'),
            testId: 'remove-confirm',
          },
    );
    if (!yes) return;
    setError(null);
    try {
      if (leaving) engine.willLeave(conversation.id);
      await api.removeMember(conversation.id, userId);
      if (leaving) {
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
    <section
      className="panel members"
      aria-labelledby={`${id}-title`}
      data-testid="members-panel"
      onKeyDown={closeOnEscape(onClose)}
    >
      {dialog}
      <div className="row between">
        <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
          {t('group.members')}
        </h3>
        <button type="button" className="icon-button" aria-label={t('common.close')} onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <GroupInfo conversation={conversation} meId={meId} />
      <ul className="member-list">
        {conversation.members.map((m) => {
          const ownName = personName(m.userId, m.name, t, lang);
          const name = m.userId === meId ? t('names.you') : ownName;
          const removable =
            m.userId !== meId && manages && m.role !== 'owner' && (myRole === 'owner' || m.role !== 'admin');
          return (
            <li key={m.userId} data-testid="member" data-user-id={m.userId}>
              {/* Decorative (Avatar is aria-hidden): the name follows; mine shows my initials, not "You". */}
              <PhotoAvatar id={m.userId} name={ownName} avatarId={m.avatarId} />
              <span dir="auto">{name}</span> <span className="muted small">{t(`group.role.${m.role}`)}</span>
              <RoleButton conversation={conversation} member={m} meId={meId} name={name} />
              {removable && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="member-remove"
                  aria-label={t('group.remove', { name })}
                  onClick={() => void remove(m.userId, name)}
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
        onClick={() => void remove(meId, t('names.you'))}
      >
        {t('group.leave')}
      </button>
    </section>
  );
}
