import type { ErrorCode } from '@abrik/protocol';
import type { TFunction } from 'i18next';

/** An error the API answered (`{error: {code, message}}`), or `network` when it could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details?: unknown,
    /** From `Retry-After` or `details.retryAfterSeconds` (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * What to show a person for an error: the server's own message (it follows Accept-Language, so it
 * is in the UI language), or a local text when the server was not reached or the error is ours.
 */
export function errorText(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.code === 'network') return t('errors.network');
    if (error.message) return error.message;
  }
  return t('errors.unknown');
}

/** Reads an error reply into an ApiError; tolerates bodies that are not ours (a proxy's HTML page). */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  let code: ErrorCode = 'internal';
  let message = '';
  let details: unknown;
  try {
    const body = (await response.json()) as {
      error?: { code?: ErrorCode; message?: string; details?: unknown };
    };
    if (body.error?.code) code = body.error.code;
    message = body.error?.message ?? '';
    details = body.error?.details;
  } catch {
    // Not JSON: keep the generic code; the UI shows its own text.
  }
  const header = Number(response.headers.get('retry-after'));
  const fromDetails = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  const retryAfterSeconds =
    typeof fromDetails === 'number'
      ? fromDetails
      : Number.isFinite(header) && header > 0
        ? header
        : undefined;
  return new ApiError(response.status, code, message, details, retryAfterSeconds);
}
