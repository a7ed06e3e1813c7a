import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line: credentials, codes and phone numbers. */
const REDACT = [
  'phone',
  'code',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'apiKey',
  'secret',
  '*.phone',
  '*.code',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  destination?: DestinationStream;
}

/** The root logger; use `logger.child({component})` so every line says which part wrote it. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Paths whose last part is a secret: a satisfaction survey's SMS link (`/csat/<token>`). */
const SECRET_PATH = /^(\/(?:api\/v1\/)?csat\/)[^/?]+/;

/**
 * Strips the query string from a URL for logging (queries may carry phone numbers), and the
 * token from a survey link's path.
 */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).replace(SECRET_PATH, '$1…');
  return q === -1 ? path : `${path}?…`;
}
