import { type CannedReply, foldPersian } from '@abrik/protocol';

/**
 * The canned replies that match what follows `/` in the composer: shortcuts starting with it
 * first, then those whose title or text contain it; ي/ی, ك/ک, Persian digits and ZWNJ do not matter.
 */
export function matchCanned(replies: readonly CannedReply[], query: string, limit = 8): CannedReply[] {
  const q = foldPersian(query.trim());
  if (!q) return replies.slice(0, limit);
  const byShortcut = replies.filter((r) => foldPersian(r.shortcut).startsWith(q));
  const byText = replies.filter(
    (r) =>
      !byShortcut.includes(r) && (foldPersian(r.title ?? '').includes(q) || foldPersian(r.body).includes(q)),
  );
  return [...byShortcut, ...byText].slice(0, limit);
}

/** The `/query` being typed at the start of the composer (no spaces yet), or null. */
export function cannedQuery(text: string): string | null {
  const match = /^\/(\S*)$/u.exec(text);
  return match ? (match[1] ?? '') : null;
}

/** Variables still in a text (`{{customer.name}}`): a message to a customer may not go with them. */
export function unresolvedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}|]+?)\s*(?:\|[^}]*)?\}\}/gu)].map((m) => m[1] ?? ''))];
}
