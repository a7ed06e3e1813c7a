/** Helpers shared by the HTTP clients of external providers (Kavenegar, FCM, Web Push). */

const MESSAGE_MAX = 200;

/**
 * Removes secrets from text a provider may echo back and keeps it short enough for a log line.
 * Secrets under 4 characters are left: they would shred the text without hiding anything.
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

/** Milliseconds to wait from a `Retry-After` value (delay-seconds or an HTTP date); undefined if unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** undici gives a repeated header as an array; the first one counts. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The parsed JSON, or undefined when the text is not JSON (JSON itself never parses to undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
