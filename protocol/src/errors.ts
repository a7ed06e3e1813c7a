/** Every error code the API and the socket can answer with; clients translate them. */
export const ERROR_CODES = [
  'validation/invalid',
  'http/not_found',
  'http/payload_too_large',
  'http/unsupported_media_type',
  'auth/invalid_phone',
  'auth/invalid_code',
  'auth/code_expired',
  'auth/too_many_attempts',
  'auth/unauthenticated',
  'auth/token_expired',
  'auth/invalid_token',
  'auth/invalid_refresh_token',
  'auth/forbidden',
  'rate_limited',
  'sms/provider_error',
  'user/not_found',
  'conversation/not_found',
  'conversation/forbidden',
  'conversation/not_group',
  'conversation/invalid_members',
  'conversation/self_direct',
  'conversation/too_many_members',
  'member/not_found',
  'message/not_found',
  'message/forbidden',
  'message/deleted',
  'message/client_id_conflict',
  'device/not_found',
  'device/endpoint_not_allowed',
  'push/not_configured',
  'db/unavailable',
  'server/shutting_down',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
