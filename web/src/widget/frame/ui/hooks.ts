import { useEffect, useState } from 'preact/hooks';
import type { ChatView, WidgetChat } from '../chat';

/** The chat's current view; re-renders on every change. */
export function useChat(chat: WidgetChat): ChatView {
  const [view, setView] = useState(chat.snapshot);
  useEffect(() => {
    setView(chat.snapshot);
    return chat.subscribe(() => setView(chat.snapshot));
  }, [chat]);
  return view;
}

/** The widget's colours as custom properties, set through the CSSOM (no inline style attribute). */
export function useTheme(primary: string | undefined, text: string | undefined): void {
  useEffect(() => {
    const style = document.documentElement.style;
    const set = (name: string, value: string | undefined) =>
      value ? style.setProperty(name, value) : style.removeProperty(name);
    set('--abrik-primary', primary);
    set('--abrik-on-primary', text);
  }, [primary, text]);
}

const FOCUSABLE =
  'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab and Shift+Tab go round inside the panel while it is open. */
export function trapFocus(event: KeyboardEvent, panel: HTMLElement | null): void {
  if (event.key !== 'Tab' || !panel) return;
  const focusable = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const active = panel.ownerDocument.activeElement;
  const inside = active !== null && panel.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

/** Where focus goes when the panel opens: the composer or the form's first field, else the first control. */
export function focusStart(panel: HTMLElement | null): void {
  const target =
    panel?.querySelector<HTMLElement>('textarea, input') ?? panel?.querySelector<HTMLElement>(FOCUSABLE);
  target?.focus();
}
