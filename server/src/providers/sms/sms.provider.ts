import { AppError } from '../../platform/errors.js';
import type { Locale } from '../../platform/i18n/messages.js';

/** Sends SMS. Implementations: `log` (development) and `kavenegar`. */
export interface SmsProvider {
  readonly name: 'log' | 'kavenegar';
  /** Sends a sign-in code to an E.164 number; resolves only once the provider accepted it. */
  sendOtp(phone: string, code: string, locale: Locale): Promise<void>;
  /** Sends a plain text SMS to an E.164 number. */
  sendText(phone: string, text: string): Promise<void>;
}

/**
 * The provider did not accept an SMS. `transient` failures (timeouts, 5xx) answer 503 and may be
 * retried; permanent ones (bad key, no credit, bad template) answer 502 and need an operator.
 */
export class SmsProviderError extends AppError {
  constructor(
    readonly provider: string,
    readonly providerStatus: number | string,
    readonly transient: boolean,
    detail: string,
  ) {
    super(
      transient ? 503 : 502,
      'sms/provider_error',
      `${provider}: ${detail}`,
      undefined,
      transient ? { 'retry-after': '30' } : {},
    );
    this.name = 'SmsProviderError';
  }
}
