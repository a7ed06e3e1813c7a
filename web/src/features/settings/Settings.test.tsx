import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSignedIn } from '../../test/engine.js';
import { ME } from '../../test/messages.js';
import { fakeServer } from '../../test/services.js';
import { Settings } from './Settings.js';

const C = '00000000-0000-4000-8000-0000000000c1';

afterEach(() => {
  vi.unstubAllGlobals();
  delete document.documentElement.dataset.theme;
});

describe(Settings.name, () => {
  it('asks before signing out, saying how many unsent messages would be lost', async () => {
    const calls = fakeServer({ '/api/v1/auth/logout': () => [204, null] });
    const { engine, session, user } = await renderSignedIn(<Settings />, { meId: ME, lang: 'en' });
    engine.send(C, 'one');
    engine.send(C, 'two');
    await user.click(screen.getByTestId('sign-out'));
    const dialog = screen.getByRole('alertdialog');
    expect(screen.getByTestId('sign-out-confirm-body').textContent).toBe(
      'You have 2 unsent messages; they will be lost if you sign out.',
    );
    await user.click(screen.getByTestId('sign-out-confirm-cancel'));
    expect(dialog.isConnected).toBe(false);
    expect(session.current).not.toBeNull();
    expect(calls).toEqual([]);
    expect(document.activeElement).toBe(screen.getByTestId('sign-out'));

    await user.click(screen.getByTestId('sign-out'));
    await user.click(screen.getByTestId('sign-out-confirm-confirm'));
    await waitFor(() => expect(session.current).toBeNull());
    expect(calls.map((c) => c.url)).toContain('/api/v1/auth/logout');
  });

  it('asks without a warning when nothing is waiting to be sent', async () => {
    fakeServer({});
    const { user } = await renderSignedIn(<Settings />, { meId: ME, lang: 'fa' });
    await user.click(screen.getByTestId('sign-out'));
    expect(screen.getByRole('alertdialog').textContent).toContain('از حساب خارج می‌شوید؟');
    expect(screen.queryByTestId('sign-out-confirm-body')).toBeNull();
  });

  it('closes with Escape and gives focus back to the settings button', async () => {
    fakeServer({});
    const { user } = await renderSignedIn(<Settings />, { meId: ME, lang: 'en' });
    await user.click(screen.getByTestId('settings'));
    expect(document.activeElement).toBe(screen.getByTestId('profile-name'));
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('settings-panel')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('settings'));
  });

  it('switches to dark and back to the system’s choice, remembered on this device', async () => {
    fakeServer({});
    const { user } = await renderSignedIn(<Settings />, { meId: ME, lang: 'en' });
    await user.click(screen.getByTestId('settings'));
    await user.click(screen.getByTestId('theme-dark'));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('abrik.theme')).toBe('dark');
    await user.click(screen.getByTestId('theme-system'));
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem('abrik.theme')).toBeNull();
  });
});
