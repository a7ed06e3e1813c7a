import type { AuthTokens } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSignedIn } from '../../test/engine.js';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { NameBanner } from './NameBanner.js';
import { useRename } from './NameField.js';
import { Settings } from './Settings.js';

const USER = {
  id: '00000000-0000-4000-8000-000000000001',
  role: 'customer' as const,
  lastSeenAt: null,
  phone: '+989121234567',
};
function signedIn(name: string | null): AuthTokens {
  return {
    accessToken: 'a.b.c',
    refreshToken: 'r1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    user: { ...USER, name },
  };
}
/** The server's rename: the user with the name sent. */
const rename = (body: unknown): [number, unknown] => [
  200,
  { ...USER, name: (body as { name: string }).name },
];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(useRename.name, () => {
  it('saves the name edited in the settings panel into the session, and the panel closes', async () => {
    const calls = fakeServer({ '/api/v1/users/me': rename });
    // Settings lives beside the chat engine (sign-out counts unsent messages).
    const { session, user } = await renderSignedIn(<Settings />, {
      meId: USER.id,
      lang: 'en',
      tokens: signedIn('Sara'),
    });
    await user.click(screen.getByTestId('settings'));
    const input = screen.getByTestId('profile-name') as HTMLInputElement;
    expect(input.value).toBe('Sara');
    await user.clear(input);
    await user.type(input, '  Sara K ');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(screen.queryByTestId('profile-name')).toBeNull());
    expect(calls).toEqual([{ url: '/api/v1/users/me', body: { name: 'Sara K' }, language: 'en' }]);
    expect(session.current?.user.name).toBe('Sara K');
  });

  it('sends nothing for a blank name', async () => {
    const calls = fakeServer({ '/api/v1/users/me': rename });
    const { user } = await renderSignedIn(<Settings />, { meId: USER.id, tokens: signedIn(null) });
    await user.click(screen.getByTestId('settings'));
    await user.type(screen.getByTestId('profile-name'), '   {Enter}');
    expect((screen.getByTestId('profile-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('profile-name')).not.toBeNull();
    expect(calls).toEqual([]);
  });

  it('shows why the server refused the name in the banner, and lets it be sent again', async () => {
    fakeServer({
      '/api/v1/users/me': () => [503, { error: { code: 'db/unavailable', message: 'Try again shortly.' } }],
    });
    const { session, user } = await renderWithServices(<NameBanner />, {
      lang: 'en',
      tokens: signedIn(null),
    });
    await user.type(screen.getByTestId('name-prompt-input'), 'Sara');
    await user.click(screen.getByTestId('name-prompt-save'));
    expect((await screen.findByRole('alert')).textContent).toBe('Try again shortly.');
    expect((screen.getByTestId('name-prompt-save') as HTMLButtonElement).disabled).toBe(false);
    expect(session.current?.user.name).toBeNull();
  });

  it('hides the banner once the name is saved', async () => {
    fakeServer({ '/api/v1/users/me': rename });
    const { session, user } = await renderWithServices(<NameBanner />, { tokens: signedIn(null) });
    await user.type(screen.getByTestId('name-prompt-input'), 'سارا');
    await user.click(screen.getByTestId('name-prompt-save'));
    await waitFor(() => expect(screen.queryByTestId('name-prompt')).toBeNull());
    expect(session.current?.user.name).toBe('سارا');
  });
});
