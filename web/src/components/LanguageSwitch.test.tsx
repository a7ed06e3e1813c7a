import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithServices } from '../test/services.js';
import { LanguageSwitch } from './LanguageSwitch.js';

describe(LanguageSwitch.name, () => {
  it('switches the page title, lang and direction with the language, and back', async () => {
    document.title = 'آبریک چت';
    const { user } = await renderWithServices(<LanguageSwitch />, { lang: 'fa' });
    await user.click(screen.getByTestId('lang-switch'));
    await waitFor(() => expect(document.title).toBe('Abrik Chat'));
    expect(document.documentElement.lang).toBe('en');
    expect(document.documentElement.dir).toBe('ltr');
    await user.click(screen.getByTestId('lang-switch'));
    await waitFor(() => expect(document.title).toBe('آبریک چت'));
    expect(document.documentElement.dir).toBe('rtl');
  });
});
