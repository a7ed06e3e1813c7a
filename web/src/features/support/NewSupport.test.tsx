import type { AuthTokens, Conversation } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { NewSupport, openSupport } from './NewSupport.js';

const ME = '00000000-0000-4000-8000-000000000001';
const tokens: AuthTokens = {
  accessToken: 'a.b.c',
  refreshToken: 'r1',
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  user: { id: ME, role: 'customer', name: 'Sara', lastSeenAt: null, phone: '+989121234567' },
};

function supportConversation(id: string, status: 'open' | 'resolved' | 'closed'): Conversation {
  return {
    id,
    kind: 'support',
    title: null,
    subject: 'help',
    status,
    assigneeId: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    lastSeq: 0,
    memberCount: 1,
    members: [],
    lastMessage: null,
    unreadCount: 0,
    lastReadSeq: 0,
    muted: false,
    support: {
      status,
      assigneeId: null,
      assigneeName: null,
      teamId: null,
      priority: 'none',
      queuePosition: null,
      etaSeconds: null,
      linkedFrom: null,
      version: 1,
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(NewSupport.name, () => {
  it('finds the support conversation still going; a closed one is not', () => {
    const closed = supportConversation('00000000-0000-4000-8000-0000000000c1', 'closed');
    const resolved = supportConversation('00000000-0000-4000-8000-0000000000c2', 'resolved');
    expect(openSupport([closed])).toBeUndefined();
    expect(openSupport([closed, resolved])?.id).toBe(resolved.id);
  });

  it('starts a support conversation with the subject typed, and offers the one still going', async () => {
    const created = supportConversation('00000000-0000-4000-8000-0000000000c3', 'open');
    const calls = fakeServer({
      '/api/v1/conversations': () => [201, created],
    });
    const onDone = vi.fn();
    const current = supportConversation('00000000-0000-4000-8000-0000000000c4', 'open');
    const { user } = await renderWithServices(<NewSupport current={current} onDone={onDone} />, {
      lang: 'en',
      tokens,
    });
    expect(screen.getByTestId('support-resume').getAttribute('href')).toBe(`/c/${current.id}`);
    await user.type(screen.getByTestId('support-subject'), '  Refund  ');
    await user.click(screen.getByTestId('support-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(calls.find((c) => c.url === '/api/v1/conversations')?.body).toEqual({
      kind: 'support',
      subject: 'Refund',
    });
    expect(window.location.pathname).toBe(`/c/${created.id}`);
  });

  it('sends no subject when none was typed', async () => {
    const calls = fakeServer({
      '/api/v1/conversations': () => [
        201,
        supportConversation('00000000-0000-4000-8000-0000000000c5', 'open'),
      ],
    });
    const onDone = vi.fn();
    const { user } = await renderWithServices(<NewSupport current={undefined} onDone={onDone} />, { tokens });
    expect(screen.queryByTestId('support-resume')).toBeNull();
    await user.click(screen.getByTestId('support-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(calls.find((c) => c.url === '/api/v1/conversations')?.body).toEqual({ kind: 'support' });
  });
});
