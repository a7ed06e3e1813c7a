import { useEffect, useRef } from 'react';

/** Typing in a field is writing, not a shortcut. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/**
 * A one-key shortcut of the console (`j`, `k`, `e`, `a`, `/`, `?`), ignored while the person types
 * in a field or holds a modifier, so it never eats a letter of a message.
 */
export type ShortcutKey = 'j' | 'k' | 'e' | 'a' | '/' | '?';

/**
 * Keys by position, not by letter: on a Persian layout `j` types «ت» and `?` is «؟», and the
 * shortcut must work all the same.
 */
const CODES: Record<ShortcutKey, { code: string; shift: boolean }> = {
  j: { code: 'KeyJ', shift: false },
  k: { code: 'KeyK', shift: false },
  e: { code: 'KeyE', shift: false },
  a: { code: 'KeyA', shift: false },
  '/': { code: 'Slash', shift: false },
  '?': { code: 'Slash', shift: true },
};

export function matches(event: Pick<KeyboardEvent, 'key' | 'code' | 'shiftKey'>, key: ShortcutKey): boolean {
  const want = CODES[key];
  if (event.code) return event.code === want.code && event.shiftKey === want.shift;
  return event.key === key; // synthetic events without a code
}

export function useShortcut(key: ShortcutKey, handler: () => void, enabled = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (!matches(event, key) || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (typing(event.target)) return;
      event.preventDefault();
      latest.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [key, enabled]);
}

/** The shortcuts shown on the `?` sheet, in order. */
export const SHORTCUTS = [
  ['j', 'next'],
  ['k', 'previous'],
  ['e', 'resolve'],
  ['a', 'assign'],
  ['/', 'canned'],
  ['Esc', 'close'],
  ['?', 'help'],
] as const;
