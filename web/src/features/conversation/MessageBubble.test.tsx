import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { viewMessages } from '../../chat/messages.js';
import { ME, textMessage as msg } from '../../test/messages.js';
import { renderWithServices } from '../../test/services.js';
import { MessageBubble } from './MessageBubble.js';

const C = '00000000-0000-4000-8000-0000000000c1';

afterEach(() => {
  vi.useRealTimers();
});

async function renderOwn(run = vi.fn()) {
  const [row] = viewMessages([msg(C, 1, { senderId: ME })], [], ME, 0);
  await renderWithServices(
    <ol>
      <MessageBubble
        row={row!}
        senderName={null}
        actions={[{ id: 'delete', icon: 'trash', label: 'Delete', testId: 'message-delete', run }]}
        onRetry={() => {}}
        onDiscard={() => {}}
      />
    </ol>,
    { lang: 'en' },
  );
  return { run, item: screen.getByTestId('message') };
}

describe(MessageBubble.name, () => {
  it('shows its actions after a long press on a touch screen, and hides them on a touch elsewhere', async () => {
    const { item, run } = await renderOwn();
    vi.useFakeTimers();
    fireEvent.pointerDown(item, { pointerType: 'touch' });
    fireEvent.pointerUp(item, { pointerType: 'touch' });
    act(() => void vi.advanceTimersByTime(1_000));
    expect(item.getAttribute('data-actions-open')).toBeNull(); // a tap is not a long press

    fireEvent.pointerDown(item, { pointerType: 'touch' });
    act(() => void vi.advanceTimersByTime(600));
    expect(item.getAttribute('data-actions-open')).toBe('true');
    fireEvent.click(screen.getByTestId('message-delete'));
    expect(run).toHaveBeenCalledTimes(1);
    expect(item.getAttribute('data-actions-open')).toBeNull();

    fireEvent.pointerDown(item, { pointerType: 'touch' });
    act(() => void vi.advanceTimersByTime(600));
    fireEvent.pointerDown(document.body, { pointerType: 'touch' });
    expect(item.getAttribute('data-actions-open')).toBeNull();
  });

  it('does not open on a mouse press (the mouse has hover)', async () => {
    const { item } = await renderOwn();
    vi.useFakeTimers();
    fireEvent.pointerDown(item, { pointerType: 'mouse' });
    act(() => void vi.advanceTimersByTime(1_000));
    expect(item.getAttribute('data-actions-open')).toBeNull();
  });

  it('shows a queued reply’s quote while it is still sending', async () => {
    const item = {
      clientMsgId: 'r1',
      conversationId: C,
      body: 'yes',
      createdAt: '2024-01-01T01:00:00Z',
      status: 'queued' as const,
      replyToSeq: 1,
    };
    const [, row] = viewMessages([msg(C, 1, { body: 'coming tonight?' })], [item], ME, 0);
    expect(row?.status).toBe('sending');
    await renderWithServices(
      <ol>
        <MessageBubble row={row!} senderName={null} actions={[]} onRetry={() => {}} onDiscard={() => {}} />
      </ol>,
      { lang: 'en' },
    );
    const quote = screen.getByTestId('reply-quote');
    expect(quote.getAttribute('data-reply-seq')).toBe('1');
    expect(quote.textContent).toContain('coming tonight?');
  });
});
