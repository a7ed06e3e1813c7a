import { act, screen, waitFor } from '@testing-library/react';
import { useRef, useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Route, renderWithServices } from '../../test/services.js';
import { error, server, signedIn } from '../admin/fixtures.js';
import { Composer } from '../conversation/Composer.js';
import { CannedPicker, type CannedPickerHandle } from './CannedPicker.js';
import { ME, reply, TICKET } from './fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const CANNED = '/api/v1/support/canned-replies';
const render_ = (id: string) => `${CANNED}/${id}/render`;

const hello = reply(1, 'سلام', 'سلام {{customer.name}}، خوش آمدید', 'خوشامد');
const followUp = reply(2, 'سلامت', 'پیگیری سلامت سفارش');
const code = reply(3, 'کد', 'کد پیگیری شما {{ticket.code}} است', 'سلام و کد');
const bye = reply(4, 'bye', 'Goodbye!');
const REPLIES = [hello, followUp, code, bye];

/** The composer as the console shows it to staff, its note switch kept in state. */
function StaffComposer({ onSend }: { onSend: (body: string) => void }) {
  const [note, setNote] = useState(false);
  return (
    <Composer
      editing={null}
      onSend={onSend}
      onEdit={vi.fn()}
      onCancelEdit={vi.fn()}
      onTyping={vi.fn()}
      staff={{ conversationId: TICKET, note, onNote: setNote }}
    />
  );
}

/** The staff composer over a fake server; what it sends recorded. */
async function renderComposer(routes: Record<string, Route> = {}) {
  const srv = server({
    [CANNED]: () => [200, { items: REPLIES }],
    [render_(hello.id)]: () => [200, { text: 'سلام علی، خوش آمدید', unresolved: [] }],
    [render_(followUp.id)]: () => [200, { text: 'پیگیری سلامت سفارش', unresolved: [] }],
    [render_(code.id)]: () => [
      200,
      { text: 'کد پیگیری شما {{ticket.code}} است', unresolved: ['ticket.code'] },
    ],
    ...routes,
  });
  const onSend = vi.fn();
  const { user } = await renderWithServices(<StaffComposer onSend={onSend} />, {
    lang: 'en',
    tokens: signedIn('agent', ME),
  });
  const composer = screen.getByTestId<HTMLTextAreaElement>('composer');
  return { srv, user, onSend, composer };
}

const options = () => screen.queryAllByTestId('canned-option');
const shortcutsShown = () => options().map((o) => o.querySelector('.shortcut')?.textContent);
const selected = () =>
  options()
    .find((o) => o.getAttribute('aria-selected') === 'true')
    ?.querySelector('.shortcut')?.textContent;
const sendButton = () => screen.getByTestId<HTMLButtonElement>('send');

describe(CannedPicker.name, () => {
  it('opens on `/` and narrows as the agent types', async () => {
    const { user, composer } = await renderComposer();
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    await user.type(composer, '/');
    await waitFor(() => expect(shortcutsShown()).toEqual(['/سلام', '/سلامت', '/کد', '/bye']));
    await user.type(composer, 'سلا');
    // Shortcuts first, then the one whose title matches.
    expect(shortcutsShown()).toEqual(['/سلام', '/سلامت', '/کد']);
    await user.type(composer, 'مت');
    expect(shortcutsShown()).toEqual(['/سلامت']);
    await user.type(composer, 'xyz');
    expect(options()).toEqual([]);
    expect(screen.getByTestId('canned-none').textContent).toBe('No canned reply found.');
  });

  it('picks with the arrows and Enter, and puts the filled text in the composer', async () => {
    const { srv, user, composer, onSend } = await renderComposer();
    await user.type(composer, '/سلا');
    await waitFor(() => expect(selected()).toBe('/سلام'));
    await user.keyboard('{ArrowDown}');
    expect(selected()).toBe('/سلامت');
    await user.keyboard('{ArrowDown}{ArrowDown}'); // wraps round
    expect(selected()).toBe('/سلام');
    await user.keyboard('{ArrowUp}');
    expect(selected()).toBe('/کد');
    await user.keyboard('{ArrowUp}');
    expect(selected()).toBe('/سلامت');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(composer.value).toBe('پیگیری سلامت سفارش'));
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    expect(srv.changes()).toEqual([
      { method: 'POST', url: render_(followUp.id), body: { conversationId: TICKET } },
    ]);
    // Enter picked; it did not send.
    expect(onSend).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(composer);
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('پیگیری سلامت سفارش');
  });

  it('picks with a click too', async () => {
    const { srv, user, composer } = await renderComposer();
    await user.type(composer, '/');
    await waitFor(() => expect(options()).toHaveLength(4));
    await user.click(options()[0]!);
    await waitFor(() => expect(composer.value).toBe('سلام علی، خوش آمدید'));
    expect(srv.changes().map((r) => r.url)).toEqual([render_(hello.id)]);
  });

  it('does not send a reply with a variable left; a note may carry it', async () => {
    const { user, composer, onSend } = await renderComposer();
    await user.type(composer, '/کد');
    await waitFor(() => expect(selected()).toBe('/کد'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(composer.value).toBe('کد پیگیری شما {{ticket.code}} است'));
    expect(screen.getByTestId('composer-unresolved').textContent).toBe(
      'Fill these in before sending: {{ticket.code}}',
    );
    expect(sendButton().disabled).toBe(true);
    await user.keyboard('{Enter}');
    expect(onSend).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('note-toggle'));
    expect(screen.getByTestId('note-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('composer-unresolved')).toBeNull();
    expect(sendButton().disabled).toBe(false);
    await user.click(sendButton());
    expect(onSend).toHaveBeenCalledWith('کد پیگیری شما {{ticket.code}} است');
    expect(composer.value).toBe('');
  });

  it('lets the reply go once the agent fills the variable in', async () => {
    const { user, composer, onSend } = await renderComposer();
    await user.type(composer, '/کد');
    await waitFor(() => expect(selected()).toBe('/کد'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(sendButton().disabled).toBe(true));
    await user.clear(composer);
    await user.type(composer, 'کد پیگیری شما 42 است');
    expect(screen.queryByTestId('composer-unresolved')).toBeNull();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('کد پیگیری شما 42 است');
  });

  it('closes on Esc, leaving the text as typed, and opens again on a new `/`', async () => {
    const { srv, user, composer } = await renderComposer();
    await user.type(composer, '/سل');
    await waitFor(() => expect(options().length).toBeGreaterThan(0));
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    expect(composer.value).toBe('/سل');
    await user.type(composer, 'ا');
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    await user.clear(composer);
    await user.type(composer, '/');
    expect(screen.getByTestId('canned-picker')).toBeTruthy();
    expect(srv.changes()).toEqual([]);
  });

  it('shows why a reply could not be filled, and keeps the text', async () => {
    const { user, composer } = await renderComposer({
      [render_(hello.id)]: () => error(404, 'http/not_found', 'This canned reply was deleted.'),
    });
    await user.type(composer, '/سلام');
    await waitFor(() => expect(selected()).toBe('/سلام'));
    await user.keyboard('{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('This canned reply was deleted.');
    expect(composer.value).toBe('/سلام');
    expect(screen.getByTestId('canned-picker')).toBeTruthy();
  });

  it('sends a plain `/word` that matches nothing as a message', async () => {
    const { user, composer, onSend } = await renderComposer();
    await user.type(composer, '/xyz');
    await waitFor(() => expect(screen.getByTestId('canned-none')).toBeTruthy());
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('/xyz');
  });
});

/** A field that hands its keys to the picker first, as the composer does; what it used recorded. */
function KeyProbe({
  query,
  used,
  onPicked,
  onClose,
}: {
  query: string;
  used: [string, boolean][];
  onPicked: (text: string, unresolved: string[]) => void;
  onClose: () => void;
}) {
  const picker = useRef<CannedPickerHandle>(null);
  return (
    <>
      <input
        data-testid="field"
        onKeyDown={(e) => {
          const taken = picker.current?.key(e) ?? false;
          if (taken) e.preventDefault();
          used.push([e.key, taken]);
        }}
      />
      <CannedPicker
        ref={picker}
        query={query}
        conversationId={TICKET}
        onPicked={onPicked}
        onClose={onClose}
      />
    </>
  );
}

describe('CannedPicker key handle', () => {
  it('tells the composer which keys it used; Tab picks like Enter', async () => {
    const srv = server({
      [CANNED]: () => [200, { items: REPLIES }],
      [render_(bye.id)]: () => [200, { text: 'Goodbye!', unresolved: [] }],
    });
    const used: [string, boolean][] = [];
    const onPicked = vi.fn();
    const onClose = vi.fn();
    const { user } = await renderWithServices(
      <KeyProbe query="by" used={used} onPicked={onPicked} onClose={onClose} />,
      {
        lang: 'en',
        tokens: signedIn('agent', ME),
      },
    );
    await waitFor(() => expect(shortcutsShown()).toEqual(['/bye']));
    await user.click(screen.getByTestId('field'));
    await user.keyboard('x{ArrowDown}{Tab}');
    await waitFor(() => expect(onPicked).toHaveBeenCalledWith('Goodbye!', []));
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(used).toEqual([
      ['x', false],
      ['ArrowDown', true],
      ['Tab', true],
      ['Escape', true],
    ]);
    expect(srv.changes()).toEqual([
      { method: 'POST', url: render_(bye.id), body: { conversationId: TICKET } },
    ]);
  });
});

describe('the `/` shortcut and a list still loading', () => {
  it('puts `/` only into an empty composer: a draft is never replaced', async () => {
    const { user, composer } = await renderComposer();
    const slash = () =>
      act(() => {
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', code: 'Slash', bubbles: true }));
      });
    await user.type(composer, 'نیمه‌کاره');
    composer.blur();
    slash();
    expect(composer.value).toBe('نیمه‌کاره');
    expect(document.activeElement).toBe(composer);
    await user.clear(composer);
    composer.blur();
    slash();
    expect(composer.value).toBe('/');
  });

  it('does not send the half-typed `/word` while the canned replies are still loading', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // The list answers only when released: until then the picker has nothing to offer.
    vi.stubGlobal('fetch', async () => {
      await gate;
      return new Response(JSON.stringify({ items: REPLIES }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    const onSend = vi.fn();
    const { user } = await renderWithServices(<StaffComposer onSend={onSend} />, {
      lang: 'en',
      tokens: signedIn('agent', ME),
    });
    const composer = screen.getByTestId<HTMLTextAreaElement>('composer');
    await user.type(composer, '/سلا');
    await user.keyboard('{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(composer.value).toBe('/سلا');
    release();
    await waitFor(() => expect(shortcutsShown()).toContain('/سلام'));
  });
});

describe('the composer as the combobox of the canned replies', () => {
  it('tells assistive technology which option is highlighted, while the focus stays in the composer', async () => {
    const { user, composer } = await renderComposer();
    expect(composer.getAttribute('aria-expanded')).toBe('false');
    await user.type(composer, '/');
    await waitFor(() => expect(shortcutsShown()).toHaveLength(4));
    expect(composer.getAttribute('role')).toBe('combobox');
    expect(composer.getAttribute('aria-expanded')).toBe('true');
    const first = composer.getAttribute('aria-activedescendant');
    expect(first).toBe(options()[0]!.id);
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(composer.getAttribute('aria-activedescendant')).toBe(options()[1]!.id));
    expect(document.getElementById(composer.getAttribute('aria-controls')!)).not.toBeNull();
    expect(document.activeElement).toBe(composer);
  });
});
