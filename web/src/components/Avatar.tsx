import type { CSSProperties, ReactNode } from 'react';

/** The first letter of the first and the last word (letters or digits), kept apart in joining scripts. */
export function initials(name: string): string {
  const words = name.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu) ?? [];
  const first = words[0]?.[0];
  if (!first) return '?';
  const last = words.length > 1 ? words.at(-1)?.[0] : undefined;
  if (!last) return first.toLocaleUpperCase();
  // A zero-width non-joiner: Persian initials stay two letters, not one joined glyph.
  const joiner = /\p{Script=Arabic}/u.test(first) ? '\u200c' : '';
  return `${first}${joiner}${last}`.toLocaleUpperCase();
}

/** A stable hue for an id (FNV-1a), so a person keeps their colour everywhere and on every device. */
export function avatarHue(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/**
 * A person's or a group's picture: the uploaded photo when there is one, else initials on a colour
 * of their own. Decorative (the name is always written beside it).
 */
export function Avatar({
  id,
  name,
  photoUrl,
  children,
}: {
  /** The user id (a person) or the conversation id (a group): it picks the colour. */
  id: string;
  name: string;
  photoUrl?: string | null;
  /** Drawn over it (the presence dot). */
  children?: ReactNode;
}) {
  return (
    <span
      className="avatar"
      aria-hidden="true"
      data-testid="avatar"
      style={{ '--avatar-hue': avatarHue(id) } as CSSProperties}
    >
      {photoUrl ? <img className="avatar-photo" src={photoUrl} alt="" /> : initials(name)}
      {children}
    </span>
  );
}
