import { type AuthTokens, findHighlights, type SearchHit, searchWords } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { directConversation, ME, YOU } from '../../test/messages.js';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { SearchPanel } from './SearchPanel.js';

const tokens: AuthTokens = {
  accessToken: 'a.b.c',
  refreshToken: 'r1',
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  user: { id: ME, role: 'customer', name: 'me', lastSeenAt: null, phone: '+989121234567' },
};
const CONV = '00000000-0000-4000-8000-0000000000d1';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

describe(SearchPanel.name, () => {
  it('shows what the server found with the words marked, and Enter opens the conversation at the message', async () => {
    const body = 'علی کتاب را آورد';
    const hit: SearchHit = {
      conversationId: CONV,
      messageId: '00000000-0000-4000-8000-0000000000e1',
      seq: 7,
      senderId: YOU,
      senderName: 'you',
      createdAt: '2024-03-20T10:00:00.000Z',
      body,
      highlights: findHighlights(body, searchWords('علي')),
    };
    const searched: string[] = [];
    vi.stubGlobal('fetch', async (input: URL | string) => {
      const url = new URL(String(input));
      if (url.pathname === '/api/v1/search/messages') {
        searched.push(url.searchParams.get('q') ?? '');
        return Response.json({ items: [hit], nextCursor: null });
      }
      if (url.pathname === '/api/v1/conversations')
        return Response.json({ items: [directConversation(CONV, 7)], nextCursor: null });
      return Response.json({ error: { code: 'http/not_found', message: '' } }, { status: 404 });
    });
    const onClose = vi.fn();
    const { user } = await renderWithServices(<SearchPanel onClose={onClose} />, { tokens });

    await user.type(screen.getByTestId('search-input'), 'علي');
    const result = await screen.findByTestId('search-result');
    // One request for the whole word typed (debounced), not one per letter.
    expect(searched).toEqual(['علي']);
    expect(result.querySelector('mark')?.textContent).toBe('علی');
    expect(screen.getByTestId('search-snippet').textContent).toBe(body);
    expect(screen.getByTestId('search-result-title').textContent).toBe('you');
    expect(result.getAttribute('href')).toBe(`/c/${CONV}?at=7`);

    await user.type(screen.getByTestId('search-input'), '{Enter}');
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe(`/c/${CONV}?at=7`));
    expect(onClose).toHaveBeenCalled();
  });

  it('says when nothing was found, and sends nothing for text without a word', async () => {
    const calls = fakeServer({
      '/api/v1/search/messages': () => [200, { items: [], nextCursor: null }],
      '/api/v1/conversations': () => [200, { items: [], nextCursor: null }],
    });
    const { user } = await renderWithServices(<SearchPanel onClose={() => {}} />, { tokens });
    await user.type(screen.getByTestId('search-input'), '?!');
    await new Promise((r) => setTimeout(r, 400));
    expect(calls.filter((c) => c.url === '/api/v1/search/messages')).toEqual([]);
    await user.clear(screen.getByTestId('search-input'));
    await user.type(screen.getByTestId('search-input'), 'هیچ');
    expect(await screen.findByTestId('search-empty')).toBeTruthy();
  });
});
