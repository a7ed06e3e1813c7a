import type { Conversation, Message } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import {
  hideMessage,
  pinMessage,
  type ReactionEmoji,
  setReaction,
  unpinMessage,
} from '../../api/chat-actions.js';
import { errorText } from '../../api/errors.js';
import { useEngine, useServices } from '../../app/context.js';
import {
  applyReactions,
  markHidden,
  myReaction,
  reactionToggle,
  setPins,
  withMyReaction,
} from '../../chat/extras.js';
import { type MessagesData, markDeleted, messagesKey, type ViewMessage } from '../../chat/messages.js';
import './actions.css';
import type { ChatActions, MenuAnchor } from './actionsContext.js';
import { DeleteDialog } from './DeleteDialog.js';
import { ForwardDialog } from './ForwardDialog.js';
import { MENU_REACTIONS, type MenuItem, MessageMenu } from './MessageMenu.js';
import { PinnedBar } from './PinnedBar.js';
import { quoteText, ReplyBar } from './ReplyQuote.js';

/** How long "copied" shows. */
const TOAST_MS = 2_000;

/** The ⋯ button of the bubble the menu was opened from (a right click or long press opens it from the bubble). */
function focusTarget(anchor: MenuAnchor): HTMLElement | null {
  const opener = anchor.opener;
  if (opener?.tagName !== 'LI') return opener;
  return opener.querySelector<HTMLElement>('[data-testid="message-menu-button"]');
}

/** Whether I may pin here: either person of a direct conversation; a group's owner and admins. */
export function canPin(conversation: Conversation | undefined, meId: string): boolean {
  if (conversation?.kind === 'direct') return true;
  if (conversation?.kind !== 'group') return false;
  const role = conversation.members.find((m) => m.userId === meId)?.role;
  return role === 'owner' || role === 'admin';
}

/**
 * Everything the message menu leads to, for one open conversation: the menu itself, replying,
 * forwarding, copying, pinning, reactions and deleting (for me or for everyone, asked first).
 * `ConversationView` provides `context` to the bubbles and places `overlay`, `topBar` and
 * `replyBar`; a send takes `takeReply()`.
 */
export function useMessageActions({
  conversationId,
  conversation,
  meId,
  names,
  readOnly,
  held,
  onEdit,
}: {
  conversationId: string;
  conversation: Conversation | undefined;
  meId: string;
  names: ReadonlyMap<string, string>;
  readOnly: boolean;
  /** The history held (for the pinned messages' texts). */
  held: readonly Message[];
  onEdit: (message: Message) => void;
}) {
  const { t } = useTranslation();
  const { api } = useServices();
  const engine = useEngine();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [menu, setMenu] = useState<{ row: ViewMessage; anchor: MenuAnchor } | null>(null);
  const [replying, setReplying] = useState<Message | null>(null);
  const [deleting, setDeleting] = useState<{
    message: Message;
    forEveryone: boolean;
    returnFocus: HTMLElement | null;
  } | null>(null);
  const [forwarding, setForwarding] = useState<{ message: Message; returnFocus: HTMLElement | null } | null>(
    null,
  );
  const [toast, setToast] = useState('');
  const [error, setError] = useState<string | null>(null);

  // Another conversation: nothing carries over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the conversation changes
  useEffect(() => {
    setMenu(null);
    setReplying(null);
    setError(null);
  }, [conversationId]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(''), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  const updateHistory = useCallback(
    (update: (data: MessagesData) => MessagesData) =>
      queryClient.setQueryData<MessagesData>(messagesKey(conversationId), (data) => data && update(data)),
    [queryClient, conversationId],
  );

  const react = useCallback(
    async (message: Message, emoji: ReactionEmoji) => {
      const before = message.reactions ?? [];
      const next = reactionToggle(before, emoji, meId);
      // Shown at once; the server's count follows (and the others get `message:reactions`).
      updateHistory((d) =>
        applyReactions(d, { id: message.id, reactions: withMyReaction(before, next, meId) }),
      );
      setError(null);
      try {
        const reactions = await setReaction(api, conversationId, message.id, next);
        updateHistory((d) => applyReactions(d, { id: message.id, reactions }));
      } catch (e) {
        updateHistory((d) => applyReactions(d, { id: message.id, reactions: before }));
        setError(errorText(e, t));
      }
    },
    [api, conversationId, meId, t, updateHistory],
  );

  const openMenu = useCallback((row: ViewMessage, anchor: MenuAnchor) => setMenu({ row, anchor }), []);
  const closeMenu = useCallback((returnFocus: boolean) => {
    setMenu((open) => {
      if (open && returnFocus) focusTarget(open.anchor)?.focus();
      return null;
    });
  }, []);

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e, t));
    }
  }

  async function remove(message: Message, scope: 'me' | 'everyone') {
    await run(async () => {
      if (scope === 'everyone') {
        await api.deleteMessage(conversationId, message.id);
        updateHistory((d) => markDeleted(d, { id: message.id, deletedAt: new Date().toISOString() }));
      } else {
        await hideMessage(api, conversationId, message.id);
        updateHistory((d) => markHidden(d, message));
      }
      if (replying?.id === message.id) setReplying(null);
    });
    // Its bubble (and menu button) may be gone: keep the keyboard in the history.
    if (!document.activeElement || document.activeElement === document.body) {
      document.querySelector<HTMLElement>('[data-testid="message-list"]')?.focus();
    }
  }

  const pinned = useMemo(() => new Set(conversation?.pins?.map((p) => p.messageId)), [conversation?.pins]);
  const pinning = !readOnly && canPin(conversation, meId);

  function itemsFor(row: ViewMessage, anchor: MenuAnchor): MenuItem[] {
    const message = row.message;
    if (!message) return [];
    const deleted = Boolean(message.deletedAt);
    const items: MenuItem[] = [];
    const returnFocus = focusTarget(anchor);
    if (!readOnly && !deleted) {
      items.push({
        id: 'reply',
        label: t('actions.reply'),
        testId: 'menu-reply',
        run: () => setReplying(message),
      });
    }
    if (!readOnly && !deleted && (message.body || message.attachment)) {
      items.push({
        id: 'forward',
        label: t('actions.forward'),
        testId: 'menu-forward',
        run: () => setForwarding({ message, returnFocus }),
      });
    }
    if (!deleted && message.body) {
      const body = message.body;
      items.push({
        id: 'copy',
        label: t('actions.copy'),
        testId: 'menu-copy',
        run: () =>
          void navigator.clipboard?.writeText(body).then(
            () => setToast(t('actions.copied')),
            (e: unknown) => setError(errorText(e, t)),
          ),
      });
    }
    if (pinning && !deleted) {
      const isPinned = pinned.has(message.id);
      items.push({
        id: isPinned ? 'unpin' : 'pin',
        label: isPinned ? t('actions.unpin') : t('actions.pin'),
        testId: isPinned ? 'menu-unpin' : 'menu-pin',
        run: () =>
          void run(async () => {
            const pins = await (isPinned ? unpinMessage : pinMessage)(api, conversationId, message.id);
            setPins(queryClient, conversationId, pins);
          }),
      });
    }
    if (!readOnly && row.mine && !deleted && message.kind === 'text' && message.body && !message.forwarded) {
      items.push({ id: 'edit', label: t('actions.edit'), testId: 'menu-edit', run: () => onEdit(message) });
    }
    if (!readOnly) {
      items.push({
        id: 'delete',
        label: t('actions.delete'),
        testId: 'menu-delete',
        danger: true,
        run: () => setDeleting({ message, forEveryone: row.mine && !deleted, returnFocus }),
      });
    }
    return items;
  }

  const context: ChatActions = {
    conversationId,
    conversation,
    meId,
    names,
    readOnly,
    openMenu,
    menuKey: menu?.row.key ?? null,
    react: (message, emoji) => void react(message, emoji),
  };

  const menuMessage = menu?.row.message ?? null;
  const overlay: ReactNode = (
    <>
      {menu && menuMessage && (
        <MessageMenu
          items={itemsFor(menu.row, menu.anchor)}
          reactions={readOnly || menuMessage.deletedAt ? null : MENU_REACTIONS}
          mine={myReaction(menuMessage.reactions, meId)}
          anchor={menu.anchor}
          onReact={(emoji) => void react(menuMessage, emoji)}
          onClose={closeMenu}
        />
      )}
      {deleting && (
        <DeleteDialog
          forEveryone={deleting.forEveryone}
          returnFocus={deleting.returnFocus}
          onCancel={() => setDeleting(null)}
          onDelete={(scope) => {
            const { message } = deleting;
            setDeleting(null);
            void remove(message, scope);
          }}
        />
      )}
      {forwarding && (
        <ForwardDialog
          meId={meId}
          returnFocus={forwarding.returnFocus}
          onCancel={() => setForwarding(null)}
          onPick={(target) => {
            engine.send(target.id, '', {
              forward: { conversationId, messageId: forwarding.message.id },
            });
            setForwarding(null);
            navigate(`/c/${target.id}`);
          }}
        />
      )}
      <div className="visually-hidden" aria-live="polite" data-testid="action-status">
        {toast}
      </div>
      {toast && (
        <div className="action-toast" aria-hidden="true">
          {toast}
        </div>
      )}
    </>
  );

  const topBar: ReactNode = (
    <>
      <PinnedBar pins={conversation?.pins ?? []} held={held} />
      {error && (
        <p className="error pad" role="alert" data-testid="action-error">
          {error}
        </p>
      )}
    </>
  );

  const replyBar: ReactNode =
    replying && !readOnly ? (
      <ReplyBar
        name={
          replying.senderId === meId
            ? t('names.you')
            : (names.get(replying.senderId ?? '') ?? t('names.someone'))
        }
        text={quoteText(
          {
            body: replying.body,
            deleted: Boolean(replying.deletedAt),
            attachmentKind: replying.attachment?.kind ?? null,
          },
          t,
        )}
        onCancel={() => setReplying(null)}
      />
    ) : null;

  /** The reply the next send carries (and replying ends). */
  function takeReply(): { replyToSeq?: number } {
    if (!replying) return {};
    setReplying(null);
    return { replyToSeq: replying.seq };
  }

  return { context, overlay, topBar, replyBar, takeReply };
}
