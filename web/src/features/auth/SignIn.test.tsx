import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { SignIn } from './SignIn.js';

function renderSignIn(lang: Lang = 'fa') {
  return renderWithServices(<SignIn />, { lang });
}

const SENT = { sent: true, expiresInSeconds: 120, retryAfterSeconds: 60 };
const TOKENS = {
  accessToken: 'a.b.c',
  refreshToken: 'r1',
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  user: {
    id: '00000000-0000-4000-8000-000000000001',
    name: null,
    role: 'customer',
    lastSeenAt: null,
    phone: '+989121234567',
  },
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(SignIn.name, () => {
  it('accepts a number typed in Persian digits and signs in with a code typed in Persian digits', async () => {
    const calls = fakeServer({
      '/api/v1/auth/otp': () => [200, SENT],
      '/api/v1/auth/verify': () => [200, TOKENS],
    });
    const { session, user } = await renderSignIn();
    await user.type(screen.getByTestId('phone-input'), '۰۹۱۲ ۱۲۳ ۴۵۶۷');
    await user.click(screen.getByTestId('phone-submit'));
    await screen.findByTestId('code-input');
    expect(calls[0]).toEqual({ url: '/api/v1/auth/otp', body: { phone: '+989121234567' }, language: 'fa' });
    // The number as people write it, in Persian digits.
    expect(screen.getByText('۰۹۱۲ ۱۲۳ ۴۵۶۷')).toBeTruthy();

    // The resend timer follows retryAfterSeconds.
    expect((screen.getByTestId('resend') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('resend').textContent).toMatch(/[۰۱]:[۰-۵][۰-۹]/);

    await user.type(screen.getByTestId('code-input'), '۱۲۳۴۵۶');
    await user.click(screen.getByTestId('code-submit'));
    await waitFor(() => expect(session.current?.refreshToken).toBe('r1'));
    expect(calls[1]).toMatchObject({
      url: '/api/v1/auth/verify',
      body: { phone: '+989121234567', code: '123456' },
    });
  });

  it('says so when the number is not a mobile number, without asking the server', async () => {
    const calls = fakeServer({});
    const { user } = await renderSignIn();
    await user.type(screen.getByTestId('phone-input'), '۱۲۳');
    await user.click(screen.getByTestId('phone-submit'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('این شمارهٔ موبایل درست نیست.');
    // The field says it is wrong, and where the reason is.
    expect(screen.getByTestId('phone-input').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('phone-input').getAttribute('aria-describedby')).toBe(alert.id);
    expect(calls).toEqual([]);
  });

  it('says calmly that the code sent before still works when asked again too soon, and waits before resending', async () => {
    const calls = fakeServer({
      '/api/v1/auth/otp': () => [
        429,
        {
          error: {
            code: 'rate_limited',
            message: 'Too many requests. Try again in 45 seconds.',
            details: { retryAfterSeconds: 45 },
          },
        },
      ],
    });
    const { user } = await renderSignIn('en');
    await user.type(screen.getByTestId('phone-input'), '09121234567');
    await user.click(screen.getByTestId('phone-submit'));
    const notice = await screen.findByTestId('code-still-valid');
    expect(notice.getAttribute('role')).toBe('status');
    expect(notice.textContent).toBe(
      'The code we sent a moment ago still works — enter it. You can ask for a new one in 0:45.',
    );
    // Not an error: nothing red, no alert.
    expect(screen.queryByRole('alert')).toBeNull();
    expect(calls[0]?.language).toBe('en');
    // The code sent before still works: the code screen is open, resend waits.
    expect(screen.queryByTestId('code-input')).not.toBeNull();
    expect((screen.getByTestId('resend') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('resend').textContent).toMatch(/0:4[0-5]/);
  });

  it('shows a wrong code’s message and stays on the code screen', async () => {
    fakeServer({
      '/api/v1/auth/otp': () => [200, SENT],
      '/api/v1/auth/verify': () => [400, { error: { code: 'auth/invalid_code', message: 'کد درست نیست.' } }],
    });
    const { session, user } = await renderSignIn();
    await user.type(screen.getByTestId('phone-input'), '09121234567');
    await user.click(screen.getByTestId('phone-submit'));
    await user.type(await screen.findByTestId('code-input'), '000000');
    await user.click(screen.getByTestId('code-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('کد درست نیست.');
    expect(session.current).toBeNull();
  });
});
