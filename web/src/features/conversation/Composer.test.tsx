import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { Composer } from './Composer.js';

async function renderComposer(lang: 'fa' | 'en') {
  const onSend = vi.fn();
  await renderWithServices(
    <Composer editing={null} onSend={onSend} onEdit={() => {}} onCancelEdit={() => {}} onTyping={() => {}} />,
    { lang },
  );
  const type = (text: string) => fireEvent.input(screen.getByTestId('composer'), { target: { value: text } });
  return { onSend, type, send: () => screen.getByTestId('send') as HTMLButtonElement };
}

describe(Composer.name, () => {
  it('counts characters near the limit, in Persian digits', async () => {
    const { type } = await renderComposer('fa');
    type('ا'.repeat(3_499));
    expect(screen.queryByTestId('composer-counter')).toBeNull();
    type('ا'.repeat(3_500));
    expect(screen.getByTestId('composer-counter').textContent).toBe('۳۵۰۰ از ۴۰۰۰');
  });

  it('says why Send is disabled past the limit, and by how much', async () => {
    const { type, send } = await renderComposer('en');
    type('a'.repeat(4_000));
    expect(send().disabled).toBe(false);
    expect(screen.queryByTestId('composer-too-long')).toBeNull();
    type('a'.repeat(4_001));
    expect(send().disabled).toBe(true);
    const why = screen.getByTestId('composer-too-long');
    expect(why.textContent).toBe('The message is longer than 4000 characters; shorten it by 1 to send it.');
    expect(send().getAttribute('aria-describedby')).toBe(why.id);
    expect(screen.getByTestId('composer-counter').getAttribute('data-over')).toBe('true');
  });

  it('counts an emoji as one character, as the server does', async () => {
    const { type, send } = await renderComposer('en');
    type('🙂'.repeat(4_000)); // 8,000 UTF-16 units, 4,000 characters
    expect(send().disabled).toBe(false);
    expect(screen.getByTestId('composer-counter').textContent).toBe('4000 of 4000');
  });
});
