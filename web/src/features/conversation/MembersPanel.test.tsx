import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSignedIn } from '../../test/engine.js';
import { directConversation, ME, YOU } from '../../test/messages.js';
import { fakeServer } from '../../test/services.js';
import { MembersPanel } from './MembersPanel.js';

const G = '00000000-0000-4000-8000-0000000000c1';
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
});

async function renderPanel() {
  const calls = fakeServer({
    [`/api/v1/conversations/${G}/members/${YOU}`]: () => [204, null],
    [`/api/v1/conversations/${G}/members/${ME}`]: () => [204, null],
  });
  const onClose = vi.fn();
  const rendered = await renderSignedIn(<MembersPanel conversation={group} meId={ME} onClose={onClose} />, {
    meId: ME,
    lang: 'en',
  });
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

  it('closes with Escape', async () => {
    const { onClose, user } = await renderPanel();
    expect(document.activeElement?.textContent).toBe('Members');
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
