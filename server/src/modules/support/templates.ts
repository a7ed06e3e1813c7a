import { foldPersian } from '@abrik/protocol';

/**
 * A canned reply's shortcut as it is looked up: Arabic yeh and kaf as the Persian letters, no
 * zero-width non-joiner, Latin digits, lower case — so "/سلام‌ي" finds "/سلامی".
 */
export function shortcutKey(shortcut: string): string {
  return foldPersian(shortcut.trim()).replace(/^\//, '');
}

/** `{{name}}` or `{{name | "fallback"}}`. */
const VARIABLE = /\{\{\s*([\w.]+)\s*(?:\|\s*"([^"]*)"\s*)?\}\}/g;
/** Anything that still looks like a variable after rendering. */
const LEFTOVER = /\{\{[^}]*\}\}/;

/**
 * Fills `{{customer.name}}`, `{{agent.name}}`, `{{conversation.id}}` (and any other value given),
 * using a variable's fallback when its value is missing. What cannot be filled stays as written
 * and is listed in `unresolved`: such a reply may not be sent.
 */
export function renderTemplate(
  body: string,
  values: Record<string, string | null | undefined>,
): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const text = body.replace(VARIABLE, (whole, name: string, fallback: string | undefined) => {
    const value = values[name]?.trim();
    if (value) return value;
    if (fallback !== undefined && fallback.trim() !== '') return fallback;
    unresolved.push(name);
    return whole;
  });
  return { text, unresolved: [...new Set(unresolved)] };
}

/** Whether a message still carries a template variable (never sent to a customer as is). */
export function hasTemplateVariable(body: string): boolean {
  return LEFTOVER.test(body);
}
