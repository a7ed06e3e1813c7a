import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/index.js';
import { useConfirm } from './ConfirmDialog.js';

function Asker() {
  const { confirm, dialog } = useConfirm();
  const [answer, setAnswer] = useState('none');
  return (
    <>
      <button
        type="button"
        data-testid="ask"
        onClick={async () =>
          setAnswer(
            String(await confirm({ title: 'Delete it?', body: 'It cannot be undone.', confirm: 'Delete' })),
          )
        }
      >
        ask
      </button>
      <output data-testid="answer">{answer}</output>
      {dialog}
    </>
  );
}

async function setup() {
  const i18n = await createI18n('en');
  render(
    <I18nextProvider i18n={i18n}>
      <Asker />
    </I18nextProvider>,
  );
  return userEvent.setup();
}

describe('ConfirmDialog', () => {
  it('asks in a modal alert dialog with focus on Cancel, and Tab stays inside', async () => {
    const user = await setup();
    await user.click(screen.getByTestId('ask'));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.textContent).toContain('Delete it?');
    expect(screen.getByRole('alertdialog', { name: 'Delete it?', description: 'It cannot be undone.' })).toBe(
      dialog,
    );
    expect(document.activeElement).toBe(screen.getByTestId('confirm-cancel'));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('confirm-confirm'));
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByTestId('confirm-cancel'));
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByTestId('confirm-confirm'));
  });

  it('cancels on Escape and gives focus back to what opened it', async () => {
    const user = await setup();
    await user.click(screen.getByTestId('ask'));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByTestId('answer').textContent).toBe('false');
    expect(document.activeElement).toBe(screen.getByTestId('ask'));
  });

  it('answers yes with the confirm button', async () => {
    const user = await setup();
    await user.click(screen.getByTestId('ask'));
    await user.click(screen.getByTestId('confirm-confirm'));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByTestId('answer').textContent).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('ask'));
  });
});
