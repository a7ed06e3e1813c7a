import type { Conversation } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSignedIn } from '../../test/engine.js';
import { directConversation, ME, YOU } from '../../test/messages.js';
import { fakeServer } from '../../test/services.js';
import { MembersPanel } from './MembersPanel.js';

const G = '00000000-0000-4000-8000-0000000000c1';
const PHOTO = '00000000-0000-4000-8000-0000000000f1';
const group = directConversation(G, 1, {
  kind: 'group',
  title: 'تیم',
  members: [
    { userId: ME, name: 'me', role: 'owner', lastReadSeq: 1, joinedAt: '2024-01-01T00:00:00Z' },
    { userId: YOU, name: 'Sara', role: 'member', lastReadSeq: 1, joinedAt: '2024-01-01T00:00:00Z' },
  ],
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function renderPanel(conversation: Conversation = group) {
  const calls = fakeServer({
    [`/api/v1/conversations/${G}/members/${YOU}`]: () => [204, null],
    [`/api/v1/conversations/${G}/members/${ME}`]: () => [204, null],
    [`/api/v1/users/${YOU}/avatar`]: () => [200, {}],
  });
  const onClose = vi.fn();
  const rendered = await renderSignedIn(
    <MembersPanel conversation={conversation} meId={ME} onClose={onClose} />,
    {
      meId: ME,
      lang: 'en',
    },
  );
  return { ...rendered, calls, onClose };
}

describe(MembersPanel.name, () => {
  it('asks before removing a member; Cancel removes nobody', async () => {
    const { calls, user } = await renderPanel();
    await user.click(screen.getByTestId('member-remove'));
    expect(screen.getByRole('alertdialog').textContent).toContain('Remove Sara from the group?');
    await user.click(screen.getByTestId('remove-confirm-cancel'));
    expect(calls).toEqual([]);
    expect(document.activeElement).toBe(screen.getByTestId('member-remove'));
    await user.click(screen.getByTestId('member-remove'));
    await user.click(screen.getByTestId('remove-confirm-confirm'));
    await waitFor(() =>
      expect(calls.map((c) => c.url)).toEqual([`/api/v1/conversations/${G}/members/${YOU}`]),
    );
  });

  it('asks before leaving, and then leaves without being told I was removed', async () => {
    const { calls, engine, socket, user } = await renderPanel();
    await user.click(screen.getByTestId('group-leave'));
    expect(screen.getByRole('alertdialog').textContent).toContain('Leave this group?');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls).toEqual([]);
    await user.click(screen.getByTestId('group-leave'));
    await user.click(screen.getByTestId('leave-confirm-confirm'));
    await waitFor(() =>
      expect(calls.map((c) => c.url)).toEqual([`/api/v1/conversations/${G}/members/${ME}`]),
    );
    socket.fire('conversation:left', { conversationId: G });
    expect(engine.removed.get().has(G)).toBe(false);
  });

  it('shows each member’s photo, or their initials, as a decoration beside the name', async () => {
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => 'blob:sara');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    await renderPanel({
      ...group,
      members: group.members.map((m) => (m.userId === YOU ? { ...m, avatarId: PHOTO } : m)),
    });
    const [mine, sara] = screen.getAllByTestId('member');
    const avatar = (li: HTMLElement | undefined) => li?.querySelector('.avatar');
    // Mine shows my initials, not those of the "You" written beside it.
    expect(avatar(mine)?.textContent).toBe('M');
    expect(avatar(mine)?.getAttribute('aria-hidden')).toBe('true');
    await waitFor(() => expect(avatar(sara)?.querySelector('img')?.getAttribute('src')).toBe('blob:sara'));
    expect(avatar(sara)?.querySelector('img')?.getAttribute('alt')).toBe('');
    expect(avatar(sara)?.getAttribute('aria-hidden')).toBe('true');
    // What a screen reader hears of the row: the name, not a picture.
    expect(sara?.querySelector('[dir="auto"]')?.textContent).toBe('Sara');
  });

  it('closes with Escape', async () => {
    const { onClose, user } = await renderPanel();
    expect(document.activeElement?.textContent).toBe('Members');
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
