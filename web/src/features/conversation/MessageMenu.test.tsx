import type { Message } from '@abrik/protocol';
import { act, fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { viewMessages } from '../../chat/messages.js';
import { ME, textMessage, YOU } from '../../test/messages.js';
import { renderWithServices } from '../../test/services.js';
import type { ChatActions, MenuAnchor } from './actionsContext.js';
import { MessageBubble } from './MessageBubble.js';
import { MENU_REACTIONS, MessageMenu } from './MessageMenu.js';

const C = '00000000-0000-4000-8000-0000000000c1';

afterEach(() => {
  vi.useRealTimers();
});

/** One bubble with the real menu button, and the menu it opens (as MessageActions opens it). */
function Harness({
  message,
  onReply,
  react,
}: {
  message: Message;
  onReply: () => void;
  react: ChatActions['react'];
}) {
  const [anchor, setAnchor] = useState<MenuAnchor | null>(null);
  const [row] = viewMessages([message], [], ME, 0);
  const chat: ChatActions = {
    conversationId: C,
    conversation: undefined,
    meId: ME,
    names: new Map([[YOU, 'Sara']]),
    readOnly: false,
    openMenu: (_row, at) => setAnchor(at),
    menuKey: anchor ? row!.key : null,
    react,
  };
  return (
    <ol>
      <MessageBubble row={row!} senderName={null} chat={chat} onRetry={() => {}} onDiscard={() => {}} />
      {anchor && (
        <MessageMenu
          items={[
            { id: 'reply', label: 'Reply', testId: 'menu-reply', run: onReply },
            { id: 'delete', label: 'Delete', testId: 'menu-delete', run: () => {} },
          ]}
          reactions={MENU_REACTIONS}
          mine={null}
          anchor={anchor}
          onReact={(emoji) => react(message, emoji)}
          onClose={(returnFocus) => {
            setAnchor(null);
            if (returnFocus) screen.getByTestId('message-menu-button').focus();
          }}
        />
      )}
    </ol>
  );
}

async function renderBubble(
  message = textMessage(C, 1, { reactions: [{ emoji: '👍', count: 2, userIds: [YOU, ME] }] }),
) {
  const onReply = vi.fn();
  const react = vi.fn();
  const { user } = await renderWithServices(<Harness message={message} onReply={onReply} react={react} />, {
    lang: 'en',
  });
  return { user, onReply, react, button: screen.getByTestId('message-menu-button') };
}

const focusedId = () => document.activeElement?.getAttribute('data-testid');

describe(MessageMenu.name, () => {
  it('opens from its button with Enter, moves with the arrow keys, and Escape gives the focus back', async () => {
    const { user, button } = await renderBubble();
    expect(button.getAttribute('aria-haspopup')).toBe('menu');
    button.focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('menu')).toBeTruthy();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(focusedId()).toBe('menu-reply'); // the first action, after the reactions
    await user.keyboard('{ArrowDown}');
    expect(focusedId()).toBe('menu-delete');
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.getAttribute('data-emoji')).toBe(MENU_REACTIONS[0]); // round to the top
    await user.keyboard('{ArrowUp}');
    expect(focusedId()).toBe('menu-delete');
    await user.keyboard('{Home}');
    expect(document.activeElement?.getAttribute('data-emoji')).toBe(MENU_REACTIONS[0]);
    await user.keyboard('{End}');
    expect(focusedId()).toBe('menu-delete');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('opens with Space, and Enter on an action runs it and closes the menu', async () => {
    const { user, button, onReply } = await renderBubble();
    button.focus();
    await user.keyboard(' ');
    expect(screen.getByRole('menu')).toBeTruthy();
    await user.keyboard('{Enter}');
    expect(onReply).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('opens on a right click and on a long press, not on a tap', async () => {
    await renderBubble();
    const item = screen.getByTestId('message');
    fireEvent.contextMenu(item, { clientX: 10, clientY: 10 });
    expect(screen.getByRole('menu')).toBeTruthy();
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('menu')).toBeNull(); // a press outside closes it

    vi.useFakeTimers();
    fireEvent.pointerDown(item, { pointerType: 'touch' });
    fireEvent.pointerUp(item, { pointerType: 'touch' });
    act(() => void vi.advanceTimersByTime(1_000));
    expect(screen.queryByRole('menu')).toBeNull();
    fireEvent.pointerDown(item, { pointerType: 'touch' });
    act(() => void vi.advanceTimersByTime(600));
    expect(screen.getByRole('menu')).toBeTruthy();
  });

  it('reacts from the menu, and a tap on a reaction under the bubble toggles mine', async () => {
    const { user, button, react } = await renderBubble();
    const mine = screen.getByTestId('reaction');
    expect(mine.getAttribute('aria-pressed')).toBe('true');
    expect(mine.textContent).toContain('2');
    await user.click(mine);
    expect(react).toHaveBeenLastCalledWith(expect.objectContaining({ seq: 1 }), '👍');

    await user.click(button);
    await user.click(screen.getAllByTestId('menu-react')[1]!);
    expect(react).toHaveBeenLastCalledWith(expect.objectContaining({ seq: 1 }), MENU_REACTIONS[1]);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
