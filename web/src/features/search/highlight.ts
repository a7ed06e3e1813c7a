/** A piece of a snippet: text, marked when it is a matched word. */
export interface Segment {
  text: string;
  mark: boolean;
}

/** Characters of context kept before the first match in a snippet. */
const LEAD = 24;
/** Longest snippet, in UTF-16 units. */
const LENGTH = 140;

/**
 * A snippet of `body` around its first highlighted word, cut into plain and marked pieces.
 * `ranges` are [start, end) UTF-16 offsets (protocol findHighlights, which folds Persian letters:
 * a search for "علي" marks "علی"), in order and not overlapping.
 */
export function snippetSegments(body: string, ranges: readonly (readonly [number, number])[]): Segment[] {
  const first = ranges[0]?.[0] ?? 0;
  let from = first > LEAD ? first - LEAD : 0;
  // Start at a word boundary, and never inside a surrogate pair.
  if (from > 0) {
    const space = body.lastIndexOf(' ', first);
    from = space >= from ? space + 1 : from;
    if (isLowSurrogate(body.charCodeAt(from))) from += 1;
  }
  let to = Math.min(body.length, from + LENGTH);
  if (to < body.length && isLowSurrogate(body.charCodeAt(to))) to += 1;
  const segments: Segment[] = [];
  const push = (text: string, mark: boolean) => {
    if (text) segments.push({ text, mark });
  };
  if (from > 0) push('…', false);
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    if (start >= to) break;
    push(body.slice(at, Math.max(at, start)), false);
    push(body.slice(Math.max(at, start), Math.min(end, to)), true);
    at = Math.min(end, to);
  }
  push(body.slice(at, to), false);
  if (to < body.length) push('…', false);
  return segments;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
