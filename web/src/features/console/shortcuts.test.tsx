import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { matches, type ShortcutKey, useShortcut } from './shortcuts.js';

const key = (k: string, code: string, shiftKey = false) => ({ key: k, code, shiftKey });

describe(matches.name, () => {
  it('goes by the key’s place, so a Persian layout works the same', () => {
    expect(matches(key('j', 'KeyJ'), 'j')).toBe(true);
    expect(matches(key('ت', 'KeyJ'), 'j')).toBe(true);
    expect(matches(key('ن', 'KeyK'), 'k')).toBe(true);
    expect(matches(key('ث', 'KeyE'), 'e')).toBe(true);
    expect(matches(key('ش', 'KeyA'), 'a')).toBe(true);
    expect(matches(key('j', 'KeyK'), 'j')).toBe(false);
    expect(matches(key('ت', 'KeyJ'), 'k')).toBe(false);
  });

  it('tells `?` (Shift+Slash) from `/`', () => {
    expect(matches(key('?', 'Slash', true), '?')).toBe(true);
    expect(matches(key('؟', 'Slash', true), '?')).toBe(true);
    expect(matches(key('/', 'Slash'), '?')).toBe(false);
    expect(matches(key('/', 'Slash'), '/')).toBe(true);
    expect(matches(key('?', 'Slash', true), '/')).toBe(false);
    // Shift+J is a capital letter, not the shortcut.
    expect(matches(key('J', 'KeyJ', true), 'j')).toBe(false);
  });

  it('falls back to the key for events without a code', () => {
    expect(matches(key('j', ''), 'j')).toBe(true);
    expect(matches(key('?', ''), '?')).toBe(true);
    expect(matches(key('ت', ''), 'j')).toBe(false);
  });
});

function Probe({
  shortcut,
  onKey,
  enabled = true,
}: {
  shortcut: ShortcutKey;
  onKey: () => void;
  enabled?: boolean;
}) {
  useShortcut(shortcut, onKey, enabled);
  return (
    <div>
      <input data-testid="input" />
      <textarea data-testid="textarea" />
      <select data-testid="select" />
      <button type="button" data-testid="button">
        b
      </button>
    </div>
  );
}

function press(target: EventTarget, init: KeyboardEventInit): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

describe(useShortcut.name, () => {
  it('runs on the key pressed outside a field, and takes the key', () => {
    const onKey = vi.fn();
    render(<Probe shortcut="j" onKey={onKey} />);
    const event = press(document.body, { key: 'ت', code: 'KeyJ' });
    expect(onKey).toHaveBeenCalledTimes(1);
    expect(event.defaultPrevented).toBe(true);
    press(screen.getByTestId('button'), { key: 'j', code: 'KeyJ' });
    expect(onKey).toHaveBeenCalledTimes(2);
    const other = press(document.body, { key: 'k', code: 'KeyK' });
    expect(onKey).toHaveBeenCalledTimes(2);
    expect(other.defaultPrevented).toBe(false);
  });

  it('leaves keys typed in inputs, text areas and selects alone', () => {
    const onKey = vi.fn();
    render(<Probe shortcut="j" onKey={onKey} />);
    for (const field of ['input', 'textarea', 'select']) {
      const event = press(screen.getByTestId(field), { key: 'j', code: 'KeyJ' });
      expect(event.defaultPrevented).toBe(false);
    }
    expect(onKey).not.toHaveBeenCalled();
  });

  it('leaves keys with Ctrl, Meta or Alt alone', () => {
    const onKey = vi.fn();
    render(<Probe shortcut="a" onKey={onKey} />);
    press(document.body, { key: 'a', code: 'KeyA', ctrlKey: true });
    press(document.body, { key: 'a', code: 'KeyA', metaKey: true });
    press(document.body, { key: 'a', code: 'KeyA', altKey: true });
    expect(onKey).not.toHaveBeenCalled();
    press(document.body, { key: 'a', code: 'KeyA' });
    expect(onKey).toHaveBeenCalledTimes(1);
  });

  it('answers `?` only with Shift', () => {
    const onKey = vi.fn();
    render(<Probe shortcut="?" onKey={onKey} />);
    press(document.body, { key: '/', code: 'Slash' });
    expect(onKey).not.toHaveBeenCalled();
    press(document.body, { key: '؟', code: 'Slash', shiftKey: true });
    expect(onKey).toHaveBeenCalledTimes(1);
  });

  it('does nothing while disabled, nor once unmounted', () => {
    const onKey = vi.fn();
    const { rerender, unmount } = render(<Probe shortcut="e" onKey={onKey} enabled={false} />);
    press(document.body, { key: 'e', code: 'KeyE' });
    expect(onKey).not.toHaveBeenCalled();
    rerender(<Probe shortcut="e" onKey={onKey} />);
    press(document.body, { key: 'e', code: 'KeyE' });
    expect(onKey).toHaveBeenCalledTimes(1);
    unmount();
    press(document.body, { key: 'e', code: 'KeyE' });
    expect(onKey).toHaveBeenCalledTimes(1);
  });

  it('calls the newest handler', () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = render(<Probe shortcut="k" onKey={first} />);
    rerender(<Probe shortcut="k" onKey={second} />);
    press(document.body, { key: 'k', code: 'KeyK' });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });
});
