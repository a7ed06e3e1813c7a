import { ERROR_CODES } from '@abrik/protocol';
import { errorCodes } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { errorBody, toAppError } from './errors.js';

const KNOWN = new Set<string>(ERROR_CODES);

describe('every Fastify error answers in the documented form', () => {
  const all = Object.entries(errorCodes) as [
    string,
    new (...args: unknown[]) => Error & { statusCode?: number },
  ][];

  it.each(all)('%s', (name, ErrorClass) => {
    const error = new ErrorClass('/api/v1/conversations/<script>', 'x', 'y');
    const appError = toAppError(error);
    expect(appError).toBeInstanceOf(AppError);
    expect(KNOWN.has(appError.code)).toBe(true);
    // A client's mistake stays the client's (4xx); the rest is ours, never more than a 5xx.
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) expect(appError.status).toBe(status);
    else expect(appError.status).toBeGreaterThanOrEqual(500);
    // Nothing of the request is echoed in what the client reads.
    const body = JSON.stringify(errorBody(appError, 'en'));
    expect(body).not.toContain('<script>');
    expect(body).not.toContain(name.startsWith('FST_ERR') && status >= 500 ? name : '\u0000');
  });

  it('knows the router’s own: a malformed URL and an overlong one', () => {
    expect(toAppError(new errorCodes.FST_ERR_BAD_URL('/%zz'))).toMatchObject({
      status: 400,
      code: 'http/bad_url',
    });
    expect(toAppError(new errorCodes.FST_ERR_MAX_PARAM_LENGTH('/x'))).toMatchObject({
      status: 414,
      code: 'http/uri_too_long',
    });
  });
});
