import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../api/client.js';
import { Session } from '../../api/session.js';
import { ServicesProvider } from '../../app/context.js';
import { createI18n, currentLang, type Lang } from '../../i18n/index.js';
import { SignIn } from './SignIn.js';

interface Call {
  url: string;
  body: unknown;
  language: string | null;
}

/** Answers the API's URLs like the server does, recording what the page sent. */
function fakeServer(routes: Record<string, (body: unknown) => [number, unknown]>) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ url: url.pathname, body, language: new Headers(init.headers).get('accept-language') });
    const route = routes[url.pathname];
    if (!route)
      return new Response(JSON.stringify({ error: { code: 'http/not_found', message: '' } }), {
        status: 404,
      });
    const [status, reply] = route(body);
    return new Response(JSON.stringify(reply), { status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

async function renderSignIn(lang: Lang = 'fa') {
  const i18n = await createI18n(lang);
  const api = new ApiClient(() => currentLang(i18n));
  const session = new Session(api.refresh);
  api.attach(session);
  render(
    <ServicesProvider value={{ api, session, i18n }}>
      <I18nextProvider i18n={i18n}>
        <QueryClientProvider client={new QueryClient()}>
          <SignIn />
        </QueryClientProvider>
      </I18nextProvider>
    </ServicesProvider>,
  );
  return { session, user: userEvent.setup() };
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

  it('shows the server’s rate-limit message in the UI language and waits before resending', async () => {
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
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Too many requests. Try again in 45 seconds.',
    );
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
