import type { CsatLink } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithServices } from '../../test/services.js';
import { CsatPage } from './CsatPage.js';

const TOKEN = 'x'.repeat(43);
const URL_OF = `/api/v1/csat/${TOKEN}`;
const asked: CsatLink = {
  cycle: 0,
  rating: null,
  comment: null,
  editableUntil: null,
  agentName: 'Sara',
  subject: 'Refund',
  expiresAt: '2027-01-08T10:00:00.000Z',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe(CsatPage.name, () => {
  it('rates through the link without signing in: five labelled buttons, a comment, then the answer and a way to change it', async () => {
    const editableUntil = new Date(Date.now() + 86_400_000).toISOString();
    const calls = fakeServer({
      [URL_OF]: (body, method) =>
        method === 'PUT' ? [200, { ...asked, ...(body as object), editableUntil }] : [200, asked],
    });
    const { user } = await renderWithServices(<CsatPage token={TOKEN} />, { lang: 'en' });
    expect(await screen.findByText('Agent: Sara')).toBeTruthy();
    expect(screen.getByText('Subject: Refund')).toBeTruthy();
    const buttons = screen.getAllByRole('button', { pressed: false });
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      '1 of 5: Very dissatisfied',
      '2 of 5: Dissatisfied',
      '3 of 5: Neutral',
      '4 of 5: Satisfied',
      '5 of 5: Very satisfied',
    ]);
    expect((screen.getByTestId('csat-link-submit') as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: '4 of 5: Satisfied' }));
    expect(screen.getByRole('button', { name: '4 of 5: Satisfied' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await user.type(screen.getByLabelText('Comment (optional)'), '  Quick and kind ');
    await user.click(screen.getByTestId('csat-link-submit'));
    expect(await screen.findByText('Thank you for your feedback!')).toBeTruthy();
    expect(calls.find((c) => c.url === URL_OF && c.body)?.body).toEqual({
      rating: 4,
      comment: 'Quick and kind',
    });
    expect(screen.getByTestId('csat-link-answer').textContent).toBe('Your rating: 4 of 5 (Satisfied)');
    // Within the day it can be changed: the form comes back with the answer chosen.
    await user.click(screen.getByTestId('csat-link-change'));
    expect(screen.getByRole('button', { name: '4 of 5: Satisfied' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(screen.getByTestId('csat-link-submit').textContent).toBe('Save change');
  });

  it('says in Persian when the link has expired', async () => {
    fakeServer({
      [URL_OF]: () => [
        410,
        { error: { code: 'csat/expired', message: 'مهلت این پیوند نظرسنجی گذشته است.' } },
      ],
    });
    await renderWithServices(<CsatPage token={TOKEN} />);
    await waitFor(() =>
      expect(screen.getByTestId('csat-page-error').textContent).toBe('مهلت این پیوند نظرسنجی گذشته است.'),
    );
    expect(screen.queryByTestId('csat-link')).toBeNull();
  });
});
