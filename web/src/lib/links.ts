import { tokenize } from 'linkifyjs';

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Splits message text into plain text and links. Only http and https URLs become links (found by
 * linkifyjs; a bare `example.com` gets `https://`); anything else — `javascript:`, `data:`,
 * `mailto:`, `file:` — stays text. The parts are rendered as React text nodes, never as HTML.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const push = (part: TextPart) => {
    const last = parts.at(-1);
    if (part.kind === 'text' && last?.kind === 'text') last.text += part.text;
    else parts.push(part);
  };
  for (const token of tokenize(text)) {
    const value = token.toString();
    const href = token.isLink && token.t === 'url' ? safeHref(token.toHref('https')) : null;
    push(href ? { kind: 'link', text: value, href } : { kind: 'text', text: value });
  }
  return parts;
}

/** The URL if it is absolute http(s), else null. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
