import type { ErrorCode } from '@abrik/protocol';

/** An error a client may see: an HTTP status, a stable code and optional details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? code);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(code: ErrorCode = 'validation/invalid', details?: unknown) {
    super(400, code, undefined, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(code: ErrorCode = 'auth/unauthenticated') {
    super(401, code);
  }
}
export class ForbiddenError extends AppError {
  constructor(code: ErrorCode = 'auth/forbidden') {
    super(403, code);
  }
}
export class NotFoundError extends AppError {
  constructor(code: ErrorCode) {
    super(404, code);
  }
}
export class RateLimitError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'rate_limited',
      undefined,
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}
export class DatabaseUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super(503, 'db/unavailable', undefined, undefined, { 'retry-after': '5' });
    this.cause = cause;
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout hit, the database is overloaded or locked up
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)|PGlite is closed/i;

/** True when an error (or one it wraps) means the database could not be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof err.code === 'string' && (CONNECTION_ERROR_CODES.has(err.code) || err.code.startsWith('08'))) {
      return true;
    }
    if (typeof err.message === 'string' && CONNECTION_MESSAGES.test(err.message)) return true;
    if (Array.isArray(err.errors) && err.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    e = err.cause;
  }
  return false;
}

/** The PostgreSQL SQLSTATE of an error or of the error it wraps (Drizzle wraps driver errors). */
export function pgErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 6; depth++) {
    const err = e as { code?: unknown; cause?: unknown };
    if (typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) return err.code;
    e = err.cause;
  }
  return undefined;
}
