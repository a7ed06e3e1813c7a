import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSignedIn } from '../../test/engine.js';
import { directConversation, ME, textMessage, YOU } from '../../test/messages.js';
import { fakeServer } from '../../test/services.js';
import { ConversationList } from './ConversationList.js';

const C = '00000000-0000-4000-8000-0000000000c1';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(ConversationList.name, () => {
  it('closes the new-chat and new-group forms with Escape, focus back on the button that opened them', async () => {
    fakeServer({ '/api/v1/conversations': () => [200, { items: [], nextCursor: null }] });
    const { user } = await renderSignedIn(<ConversationList activeId={null} />, { meId: ME, lang: 'en' });
    for (const [button, field] of [
      ['new-direct', 'new-direct-phone'],
      ['new-group', 'group-title'],
    ] as const) {
      await user.click(screen.getByTestId(button));
      expect(document.activeElement).toBe(screen.getByTestId(field));
      await user.keyboard('{Escape}');
      expect(screen.queryByTestId(field)).toBeNull();
      expect(document.activeElement).toBe(screen.getByTestId(button));
    }
  });

  it('shows others’ presence as unknown while I am offline, and an avatar of their own colour', async () => {
    fakeServer({
      '/api/v1/conversations': () => [200, { items: [directConversation(C, 1)], nextCursor: null }],
    });
    const { engine } = await renderSignedIn(<ConversationList activeId={null} />, { meId: ME, lang: 'en' });
    engine.presence.set(new Map([['x', { userId: 'x', status: 'online', lastSeenAt: null }]]));
    const dot = await screen.findByTestId('presence-dot');
    expect(engine.connection.get()).not.toBe('online');
    expect(dot.getAttribute('data-online')).toBe('unknown');
    expect(screen.getByText('status unknown')).toBeTruthy();
    expect(screen.getByTestId('avatar').textContent).toBe('Y');
  });

  it('words a group’s system message as its last line, naming whoever is no longer a member “someone”', async () => {
    const LEFT = '00000000-0000-4000-8000-0000000000ee';
    const group = (action: 'added' | 'left', userIds: string[]) =>
      directConversation(C, 5, {
        kind: 'group',
        title: 'Family',
        lastMessage: textMessage(C, 5, {
          kind: 'system',
          body: null,
          senderId: null,
          system: { action, actorId: action === 'added' ? YOU : LEFT, userIds, value: null },
        }),
      });
    let conversation = group('added', [ME]);
    fakeServer({ '/api/v1/conversations': () => [200, { items: [conversation], nextCursor: null }] });
    const first = await renderSignedIn(<ConversationList activeId={null} />, { meId: ME, lang: 'en' });
    expect((await screen.findByText(/added/)).textContent).toBe('you added me');
    first.view.unmount();
    conversation = group('left', []);
    await renderSignedIn(<ConversationList activeId={null} />, { meId: ME, lang: 'en' });
    expect((await screen.findByText(/left/)).textContent).toBe('Someone left the group');
  });
});
