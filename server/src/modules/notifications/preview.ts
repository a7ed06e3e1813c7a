const PREVIEW_LENGTH = 120;

/** The start of a message body for a notification (whole code points, never half a character). */
export function preview(body: string | null): string {
  return [...(body ?? '')].slice(0, PREVIEW_LENGTH).join('');
}
