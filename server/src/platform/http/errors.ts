import type { ErrorBody } from '@abrik/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, isDatabaseUnavailable } from '../errors.js';
import { type Locale, t } from '../i18n/messages.js';
import type { Logger } from '../logger.js';

/** Words of our own: a parser's message may quote what was sent. */
const bodyError = (message: string) =>
  new AppError(400, 'validation/invalid', undefined, [{ path: [], message }]);

/** Turns any error into the AppError a client should see; unknown errors become 500 `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error))
    return new AppError(503, 'db/unavailable', undefined, undefined, { 'retry-after': '5' });
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError(400, 'http/bad_url');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError(414, 'http/uri_too_long');
    case 'FST_ERR_NOT_FOUND':
      return new AppError(404, 'http/not_found');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'http/payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'http/unsupported_media_type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return bodyError('the body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return bodyError('the body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return bodyError('the body does not match its content-length');
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's other client errors: a stable code, and its words without the request echoed.
    return new AppError(fastifyError.statusCode, 'validation/invalid', undefined, [
      { path: [], message: fastifyError.code ?? 'invalid request' },
    ]);
  }
  return new AppError(500, 'internal');
}

export function errorBody(error: AppError, locale: Locale): ErrorBody {
  return {
    error: {
      code: error.code,
      message: t(locale).errors[error.code],
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
}

/** Fastify error handler: every failure answers `{error: {code, message}}` with its status. */
export function httpErrorHandler(logger: Logger, onError: (code: string) => void) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    let appError: AppError;
    if (hasZodFastifySchemaValidationErrors(error)) {
      appError = new AppError(
        400,
        'validation/invalid',
        undefined,
        error.validation.map((v) => ({
          in: error.validationContext,
          path: v.instancePath.split('/').filter(Boolean),
          message: v.message,
        })),
      );
    } else {
      appError = toAppError(error);
    }
    if (appError.status >= 500) {
      const level = appError.code === 'internal' ? 'error' : 'warn';
      logger[level](
        { err: error, reqId: request.id, route: request.routeOptions.url, code: appError.code },
        appError.code === 'internal'
          ? 'request failed with an unexpected error'
          : `request failed: ${appError.code}`,
      );
    }
    onError(appError.code);
    void reply
      .status(appError.status)
      .headers(appError.headers)
      .send(errorBody(appError, request.locale ?? 'fa'));
  };
}
