/** Helpers shared by the HTTP clients of external providers (Kavenegar, FCM, Web Push). */

const MESSAGE_MAX = 200;

/**
 * Removes secrets from text a provider may echo back (its error message, a reply body) and keeps
 * it short enough for a log line. Strings under 4 characters are not replaced: they would shred
 * the text without hiding anything.
 */
export function scrub(text: string, secrets: string[]): string;
export function scrub(text: string | undefined, secrets: string[]): string | undefined;
export function scrub(text: string | undefined, secrets: string[]): string | undefined {
  if (text === undefined) return undefined;
  let clean = text;
  for (const secret of secrets) {
    if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  }
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length > MESSAGE_MAX ? `${clean.slice(0, MESSAGE_MAX)}…` : clean;
}

/** True for the error fetch/undici throw when an AbortSignal.timeout fired. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The system error code under a fetch failure (`ECONNREFUSED`…); undici nests it in `cause`. */
export function networkErrorCode(error: unknown): string {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const err = e as { code?: unknown; cause?: unknown };
    if (typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code)) return err.code;
    e = err.cause;
  }
  return 'without a code';
}
