import { type Message, toLatinDigits } from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { errorText } from '../../api/errors.js';
import { useEngine, useServices } from '../../app/context.js';
import { conversationsKey } from '../../chat/messages.js';
import { conversationTitle, memberNames, peerOf, personName } from '../../chat/names.js';
import { PhotoAvatar } from '../../components/PhotoAvatar.js';
import { formatListTime, formatNumber } from '../../lib/format.js';
import { closeOnEscape, useDisclosure, useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { systemText } from '../conversation/SystemText.js';
import { NewSupport, openSupport } from '../support/NewSupport.js';
import { NewDirect } from './NewDirect.js';
import { NewGroup } from './NewGroup.js';

/** Case- and digit-insensitive text for search. */
function searchable(text: string): string {
  return toLatinDigits(text).toLocaleLowerCase().normalize('NFC');
}

/** A message's file for the list's one line: "📷 Photo", "🎤 Voice message", "📎 name" (then its caption). */
function attachmentLabel(message: Message, t: TFunction): string {
  const file = message.attachment;
  if (!file) return '';
  const label =
    file.kind === 'image'
      ? `📷 ${t('files.photo')}`
      : file.kind === 'voice'
        ? `🎤 ${t('files.voice')}`
        : `📎 ${file.name}`;
  return message.body ? `${label} ` : label;
}

export function ConversationList({ activeId }: { activeId: string | null }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const engine = useEngine();
  const me = useStore(session.store)?.user;
  const meId = me?.id ?? '';
  const presence = useStore(engine.presence);
  const typing = useStore(engine.typing);
  // Offline, others' presence is unknown: no green dots from before.
  const presenceKnown = useStore(engine.connection) === 'online';
  const [search, setSearch] = useState('');
  // Escape closes a form, and focus goes back to the button that opened it.
  const { open: form, toggle, close } = useDisclosure<'direct' | 'group' | 'support'>();
  const { data, error, isPending } = useQuery({
    queryKey: conversationsKey,
    queryFn: () => api.conversations(),
  });

  const userIds = useMemo(
    () => [...new Set((data?.items ?? []).flatMap((c) => c.members.map((m) => m.userId)))],
    [data],
  );
  useEffect(() => engine.watchPresence(userIds), [engine, userIds]);

  const rows = useMemo(() => {
    const query = searchable(search.trim());
    return (data?.items ?? [])
      .map((c) => ({ conversation: c, title: conversationTitle(c, meId, t, lang) }))
      .filter(
        ({ conversation, title }) =>
          !query ||
          searchable(title).includes(query) ||
          searchable(conversation.lastMessage?.body ?? '').includes(query),
      );
  }, [data, search, meId, t, lang]);

  return (
    <div className="list">
      <div className="list-tools">
        <input
          type="search"
          data-testid="conversation-search"
          dir="auto"
          aria-label={t('list.search')}
          placeholder={t('list.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <div className="row">
          <button
            type="button"
            data-testid="new-direct"
            aria-expanded={form === 'direct'}
            onClick={() => toggle('direct')}
          >
            {t('direct.open')}
          </button>
          <button
            type="button"
            data-testid="new-group"
            aria-expanded={form === 'group'}
            onClick={() => toggle('group')}
          >
            {t('group.open')}
          </button>
          {me?.role === 'customer' && (
            <button
              type="button"
              data-testid="new-support"
              aria-expanded={form === 'support'}
              onClick={() => toggle('support')}
            >
              {t('support.entry')}
            </button>
          )}
        </div>
      </div>
      {form && (
        // biome-ignore lint/a11y/noStaticElementInteractions: Escape from any field of the form inside closes it
        <div className="list-form" onKeyDown={closeOnEscape(close)}>
          {form === 'direct' && <NewDirect onDone={close} />}
          {form === 'group' && <NewGroup onDone={close} />}
          {form === 'support' && <NewSupport current={openSupport(data?.items ?? [])} onDone={close} />}
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {errorText(error, t)}
        </p>
      )}
      {isPending && <p className="muted pad">{t('common.loading')}</p>}
      {data && data.items.length === 0 && <p className="muted pad">{t('list.empty')}</p>}
      {data && data.items.length > 0 && rows.length === 0 && (
        <p className="muted pad">{t('list.noResults')}</p>
      )}
      <ul className="conversations" aria-label={t('list.heading')}>
        {rows.map(({ conversation: c, title }) => {
          const peer = c.kind === 'group' ? undefined : peerOf(c, meId);
          const online =
            presenceKnown &&
            (c.kind === 'group'
              ? c.members.some((m) => m.userId !== meId && presence.get(m.userId)?.status === 'online')
              : peer !== undefined && presence.get(peer.userId)?.status === 'online');
          const typists = [...(typing.get(c.id)?.keys() ?? [])];
          const last = c.lastMessage;
          const preview = !last
            ? t('list.noMessages')
            : last.deletedAt
              ? t('list.deleted')
              : last.system
                ? systemText(last.system, memberNames(c, t, lang), t, 'someone')
                : `${last.senderId === meId ? t('list.you') : ''}${attachmentLabel(last, t)}${last.body ?? ''}`;
          return (
            <li key={c.id}>
              <Link
                href={`/c/${c.id}`}
                className="conversation-item"
                data-testid="conversation-item"
                data-conversation-id={c.id}
                aria-current={c.id === activeId ? 'page' : undefined}
              >
                <PhotoAvatar id={peer?.userId ?? c.id} name={title} avatarId={peer?.avatarId}>
                  <span
                    className="presence-dot"
                    data-testid="presence-dot"
                    data-online={presenceKnown ? String(online) : 'unknown'}
                  />
                </PhotoAvatar>
                <span className="item-main">
                  <span className="item-top">
                    <bdi className="item-title">{title}</bdi>
                    {last && <span className="item-time">{formatListTime(last.createdAt, lang)}</span>}
                  </span>
                  <span className="item-bottom">
                    {typists.length > 0 ? (
                      <span className="typing-hint" data-testid="typing-hint">
                        {c.kind === 'group'
                          ? `${personName(typists[0]!, c.members.find((m) => m.userId === typists[0])?.name ?? null, t, lang)}: ${t('list.typing')}`
                          : t('list.typing')}
                      </span>
                    ) : (
                      <span className="item-preview" dir="auto">
                        {preview}
                      </span>
                    )}
                    {c.unreadCount > 0 && (
                      <>
                        <span className="unread-badge" data-testid="unread-badge" aria-hidden="true">
                          {formatNumber(c.unreadCount, lang)}
                        </span>
                        <span className="visually-hidden">
                          {t('list.unread', { count: c.unreadCount, n: formatNumber(c.unreadCount, lang) })}
                        </span>
                      </>
                    )}
                  </span>
                  <span className="visually-hidden">
                    {!presenceKnown ? t('list.unknown') : online ? t('list.online') : t('list.offline')}
                  </span>
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
