import { REACTIONS } from '@abrik/protocol';
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { ReactionEmoji } from '../../api/chat-actions.js';
import type { ViewMessage } from '../../chat/messages.js';
import './actions.css';
import type { ChatActions, MenuAnchor } from './actionsContext.js';

/** A touch held this long opens the message's menu. */
export const LONG_PRESS_MS = 500;
/** A finger that moved this far scrolls; it is not a long press. */
const MOVE_TOLERANCE_PX = 10;
const MARGIN_PX = 8;

export interface MenuItem {
  id: string;
  label: string;
  testId: string;
  danger?: boolean;
  run: () => void;
}

/**
 * A message's menu: a row of reactions, then the actions. It takes the focus (first action);
 * arrow keys move, Home/End jump, Enter/Space choose, Escape or Tab close, and the focus goes back
 * to what opened it (the parent does that in `onClose(true)`). A press outside closes it.
 */
export function MessageMenu({
  items,
  reactions,
  mine,
  anchor,
  onReact,
  onClose,
}: {
  items: readonly MenuItem[];
  /** null: no reactions here (read-only, deleted). */
  reactions: readonly ReactionEmoji[] | null;
  /** My current reaction. */
  mine: string | null;
  anchor: MenuAnchor;
  onReact: (emoji: ReactionEmoji) => void;
  onClose: (returnFocus: boolean) => void;
}) {
  const { t } = useTranslation();
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);

  const entries = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];

  useLayoutEffect(() => {
    const el = menu.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    const width = window.innerWidth;
    const height = window.innerHeight;
    let left: number;
    let top: number;
    if (anchor.x !== undefined && anchor.y !== undefined) {
      left = anchor.x;
      top = anchor.y;
    } else {
      const at = anchor.opener?.getBoundingClientRect();
      const rtl = document.documentElement.dir === 'rtl';
      // It opens towards the inline end from the button, over the conversation rather than off it.
      left = at ? (rtl ? at.right - box.width : at.left) : (width - box.width) / 2;
      top = at ? at.bottom + 4 : (height - box.height) / 2;
      if (at && top + box.height > height - MARGIN_PX) top = at.top - box.height - 4;
    }
    left = Math.max(MARGIN_PX, Math.min(left, width - box.width - MARGIN_PX));
    top = Math.max(MARGIN_PX, Math.min(top, height - box.height - MARGIN_PX));
    setPosition({ top, left });
  }, [anchor]);

  const close = useRef(onClose);
  close.current = onClose;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the menu opens
  useEffect(() => {
    const first = menu.current?.querySelector<HTMLElement>('[role="menuitem"]') ?? entries()[0];
    first?.focus();
    const away = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) close.current(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, []);

  function keyDown(event: KeyboardEvent<HTMLDivElement>) {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    const rtl = document.documentElement.dir === 'rtl';
    switch (event.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at - 1);
      case 'ArrowRight':
        return move(rtl ? at - 1 : at + 1);
      case 'ArrowLeft':
        return move(rtl ? at + 1 : at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(all.length - 1);
      case 'Escape':
      case 'Tab':
        event.preventDefault();
        event.stopPropagation();
        onClose(true);
        return;
    }
  }

  const choose = (run: () => void) => {
    onClose(true);
    run();
  };

  return createPortal(
    <div
      ref={menu}
      className="message-menu"
      role="menu"
      aria-label={t('actions.menu')}
      data-testid="message-menu"
      style={position ? { top: position.top, left: position.left } : { visibility: 'hidden' }}
      onKeyDown={keyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {reactions && (
        // biome-ignore lint/a11y/useSemanticElements: a group of menu items, not of form fields
        <div className="menu-reactions" role="group" aria-label={t('actions.reactions')}>
          {reactions.map((emoji) => (
            <button
              key={emoji}
              type="button"
              role="menuitemcheckbox"
              aria-checked={mine === emoji}
              aria-label={t('actions.react', { emoji })}
              tabIndex={-1}
              className={`menu-reaction${mine === emoji ? ' mine' : ''}`}
              data-testid="menu-react"
              data-emoji={emoji}
              onClick={() => choose(() => onReact(emoji))}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={`menu-item${item.danger ? ' danger' : ''}`}
          data-testid={item.testId}
          onClick={() => choose(item.run)}
        >
          {item.label}
        </button>
      ))}
    </div>,
    document.body,
  );
}

/** Every reaction on offer, for the menu. */
export const MENU_REACTIONS: readonly ReactionEmoji[] = REACTIONS;

/**
 * The "⋯" button of a bubble (shown on hover or focus with a mouse); the whole bubble also opens
 * the menu with a right click, or a long press on a touch screen. Nothing without a conversation.
 */
export function MessageMenuButton({ row, actions }: { row: ViewMessage; actions?: ChatActions | null }) {
  const { t } = useTranslation();
  const button = useRef<HTMLButtonElement>(null);
  const latest = useRef({ actions, row });
  latest.current = { actions, row };
  const shown = Boolean(
    actions && row.message && !row.message.hidden && row.message.kind !== 'system' && !('note' in row),
  );

  useEffect(() => {
    const item = button.current?.closest('li');
    if (!shown || !item) return;
    const open = (anchor: MenuAnchor) => latest.current.actions?.openMenu(latest.current.row, anchor);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let start: { x: number; y: number } | null = null;
    const cancel = () => {
      clearTimeout(timer);
      start = null;
    };
    const contextMenu = (event: MouseEvent) => {
      event.preventDefault();
      cancel();
      open({ opener: item, x: event.clientX, y: event.clientY });
    };
    const down = (event: PointerEvent) => {
      if (event.pointerType !== 'touch') return;
      cancel();
      start = { x: event.clientX, y: event.clientY };
      const at = start;
      timer = setTimeout(() => {
        start = null;
        // The text under the finger is not selected: the menu is what a long press means here.
        window.getSelection()?.removeAllRanges();
        open({ opener: item, x: at.x, y: at.y });
      }, LONG_PRESS_MS);
    };
    const moved = (event: PointerEvent) => {
      if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > MOVE_TOLERANCE_PX) cancel();
    };
    item.addEventListener('contextmenu', contextMenu);
    item.addEventListener('pointerdown', down);
    item.addEventListener('pointermove', moved);
    item.addEventListener('pointerup', cancel);
    item.addEventListener('pointercancel', cancel);
    return () => {
      cancel();
      item.removeEventListener('contextmenu', contextMenu);
      item.removeEventListener('pointerdown', down);
      item.removeEventListener('pointermove', moved);
      item.removeEventListener('pointerup', cancel);
      item.removeEventListener('pointercancel', cancel);
    };
  }, [shown]);

  if (!shown || !actions) return null;
  return (
    <button
      ref={button}
      type="button"
      className="icon-button small message-menu-button"
      data-testid="message-menu-button"
      aria-label={t('actions.menu')}
      title={t('actions.menu')}
      aria-haspopup="menu"
      aria-expanded={actions.menuKey === row.key}
      onClick={(event) => actions.openMenu(row, { opener: event.currentTarget })}
    >
      <span aria-hidden="true">⋯</span>
    </button>
  );
}
