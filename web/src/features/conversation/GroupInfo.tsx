import { type Conversation, DESCRIPTION_MAX_LENGTH, type Member } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setMemberRole, setMuted, updateGroup } from '../../api/chat-actions.js';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { conversationKey, conversationsKey } from '../../chat/messages.js';
import { FormError } from '../../components/FormError.js';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import './actions.css';

function useRefresh(conversationId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: conversationKey(conversationId) }),
      queryClient.invalidateQueries({ queryKey: conversationsKey }),
    ]);
}

/** Whether `me` may make `member` an admin (owner and admins) or a member again (the owner only). */
export function roleChange(
  myRole: Member['role'] | undefined,
  member: Pick<Member, 'role' | 'userId'>,
  meId: string,
): 'admin' | 'member' | null {
  if (member.userId === meId) return null;
  if (member.role === 'member' && (myRole === 'owner' || myRole === 'admin')) return 'admin';
  if (member.role === 'admin' && myRole === 'owner') return 'member';
  return null;
}

/** A member's "make admin" / "make member" button, when I may. */
export function RoleButton({
  conversation,
  member,
  meId,
  name,
}: {
  conversation: Conversation;
  member: Member;
  meId: string;
  name: string;
}) {
  const { t } = useTranslation();
  const { api } = useServices();
  const refresh = useRefresh(conversation.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const myRole = conversation.members.find((m) => m.userId === meId)?.role;
  const next = roleChange(myRole, member, meId);
  if (!next) return null;
  async function change(role: 'admin' | 'member') {
    setBusy(true);
    setError(null);
    try {
      await setMemberRole(api, conversation.id, member.userId, role);
      await refresh();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className="link-button"
        data-testid={next === 'admin' ? 'member-promote' : 'member-demote'}
        aria-label={
          next === 'admin' ? t('actions.info.promote', { name }) : t('actions.info.demote', { name })
        }
        disabled={busy}
        onClick={() => void change(next)}
      >
        {next === 'admin' ? t('actions.info.promoteShort') : t('actions.info.demoteShort')}
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

/**
 * A group's name and description (owners and admins edit them) and my mute switch, at the top of
 * the members panel. The conversation is read again on `conversation:updated`.
 */
export function GroupInfo({ conversation, meId }: { conversation: Conversation; meId: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const refresh = useRefresh(conversation.id);
  const id = useId();
  const myRole = conversation.members.find((m) => m.userId === meId)?.role;
  const manages = myRole === 'owner' || myRole === 'admin';
  const [editing, setEditing] = useState<'title' | 'description' | null>(null);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tooLong = editing === 'description' && [...draft.trim()].length > DESCRIPTION_MAX_LENGTH;

  function start(field: 'title' | 'description') {
    setDraft((field === 'title' ? conversation.title : conversation.description) ?? '');
    setError(null);
    setEditing(field);
  }

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      await refresh();
      return true;
    } catch (e) {
      setError(errorText(e, t));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!editing || tooLong) return;
    const change = editing === 'title' ? { title: draft.trim() } : { description: draft.trim() };
    if (await act(() => updateGroup(api, conversation.id, change))) setEditing(null);
  }

  return (
    <div className="group-info" data-testid="group-info">
      {editing ? (
        <form onSubmit={save} className="group-info" noValidate>
          <label htmlFor={`${id}-field`}>
            {editing === 'title' ? t('actions.info.title') : t('actions.info.description')}
          </label>
          {editing === 'title' ? (
            <input
              id={`${id}-field`}
              dir="auto"
              data-testid="group-title-input"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  setEditing(null);
                }
              }}
            />
          ) : (
            <textarea
              id={`${id}-field`}
              dir="auto"
              rows={3}
              data-testid="group-description-input"
              aria-invalid={tooLong}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  setEditing(null);
                }
              }}
            />
          )}
          {tooLong && (
            <span className="error small" role="status">
              {t('actions.info.descriptionTooLong', { max: formatNumber(DESCRIPTION_MAX_LENGTH, lang) })}
            </span>
          )}
          <div className="row">
            <button
              type="submit"
              className="primary"
              data-testid="group-info-save"
              disabled={busy || tooLong || (editing === 'title' && !draft.trim())}
            >
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <>
          <div className="row between">
            <strong dir="auto" data-testid="group-title">
              {conversation.title ?? t('names.group')}
            </strong>
            {manages && (
              <button
                type="button"
                className="link-button"
                data-testid="group-title-edit"
                onClick={() => start('title')}
              >
                {t('actions.info.editTitle')}
              </button>
            )}
          </div>
          <div className="row between">
            <p className="group-description" dir="auto" data-testid="group-description">
              {conversation.description || <span className="muted">{t('actions.info.noDescription')}</span>}
            </p>
            {manages && (
              <button
                type="button"
                className="link-button"
                data-testid="group-description-edit"
                onClick={() => start('description')}
              >
                {t('actions.info.editDescription')}
              </button>
            )}
          </div>
        </>
      )}
      <label className="row">
        <input
          type="checkbox"
          role="switch"
          aria-checked={conversation.muted}
          data-testid="group-mute"
          checked={conversation.muted}
          disabled={busy}
          onChange={(e) => {
            const muted = e.target.checked;
            void act(() => setMuted(api, conversation.id, muted));
          }}
        />
        <span>{t('actions.info.mute')}</span>
      </label>
      <FormError error={error} />
    </div>
  );
}
