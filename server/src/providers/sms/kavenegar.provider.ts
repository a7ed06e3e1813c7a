import type { Locale } from '../../platform/i18n/messages.js';
import type { Logger } from '../../platform/logger.js';
import { isObject, isTimeout, networkErrorCode, parseJson, scrub } from '../http.js';
import { type SmsProvider, SmsProviderError } from './sms.provider.js';

export interface KavenegarOptions {
  apiKey: string;
  /** `https://api.kavenegar.com` in production; a fake in tests. */
  baseUrl: string;
  /** Name of the approved verify template; it holds the OTP text, so the locale is not used. */
  otpTemplate: string;
  /** Sender line for `sms/send`; Kavenegar picks the account's default line when unset. */
  sender?: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

type Method = 'verify/lookup' | 'sms/send';

/**
 * What Kavenegar's `return.status` codes mean, for operators reading the logs (Kavenegar's own
 * `return.message` is Persian and not always specific).
 */
const STATUS_MEANING: Record<number, string> = {
  400: 'missing or invalid parameters',
  401: 'account disabled',
  402: 'operation failed',
  403: 'invalid API key',
  404: 'method not found',
  405: 'wrong HTTP method (GET/POST)',
  406: 'required parameters missing',
  407: 'no access to the resource (API IP allow-list?)',
  409: 'server cannot answer now',
  411: 'invalid receptor',
  412: 'invalid sender line',
  413: 'message empty or too long',
  414: 'too many receptors',
  415: 'index out of range',
  416: 'sender IP not allowed',
  417: 'invalid date',
  418: 'insufficient account credit',
  419: 'array lengths differ',
  422: 'invalid characters',
  424: 'template not found or not approved',
  426: 'advanced services not enabled on the account',
  428: 'call not possible',
  431: 'token format invalid',
  432: 'token parameter not found in template',
};

interface Reply {
  status: number;
  message: string | undefined;
  messageid: number | undefined;
}

/**
 * Converts an E.164 number to the receptor form Kavenegar expects: Iranian numbers in national
 * form (`09121234567`), others as `00` + country code + number. Null when it is not E.164.
 */
export function toReceptor(e164: string): string | null {
  if (!/^\+[1-9]\d{5,14}$/.test(e164)) return null;
  const digits = e164.slice(1);
  return digits.startsWith('98') ? `0${digits.slice(2)}` : `00${digits}`;
}

/** Sends SMS through Kavenegar's REST API: OTPs via `verify/lookup`, plain text via `sms/send`. */
export class KavenegarSmsProvider implements SmsProvider {
  readonly name = 'kavenegar' as const;
  private readonly log: Logger;
  private readonly baseUrl: string;

  constructor(private readonly options: KavenegarOptions) {
    this.log = options.logger.child({ component: 'sms.kavenegar' });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async sendOtp(phone: string, code: string, _locale: Locale): Promise<void> {
    await this.call('verify/lookup', phone, { token: code, template: this.options.otpTemplate }, [code]);
  }

  async sendText(phone: string, text: string): Promise<void> {
    const params: Record<string, string> = { message: text };
    if (this.options.sender) params.sender = this.options.sender;
    await this.call('sms/send', phone, params, [text]);
  }

  /**
   * The account's remaining credit (Rials) and when it expires, from `account/info`: for
   * `abrik doctor`. Throws an SmsProviderError saying what is wrong (key, IP allow-list, network).
   */
  async accountInfo(): Promise<{ remainingCredit: number; expiresAt: Date | null }> {
    const url = `${this.baseUrl}/v1/${encodeURIComponent(this.options.apiKey)}/account/info.json`;
    const failed = (status: number | string, transient: boolean, detail: string) =>
      new SmsProviderError('kavenegar', status, transient, `account/info ${detail}`);
    let httpStatus: number;
    let body: string;
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      httpStatus = response.status;
      body = await response.text();
    } catch (error) {
      if (isTimeout(error)) throw failed('timeout', true, `no answer within ${this.options.timeoutMs} ms`);
      throw failed('network', true, `network error ${networkErrorCode(error)}`);
    }
    const json = parseJson(body);
    const reply = parseReply(body);
    if (!reply)
      throw failed(httpStatus, isTransientStatus(httpStatus), `HTTP ${httpStatus}, unreadable reply`);
    if (reply.status !== 200 || httpStatus !== 200) {
      const status = reply.status === 200 ? httpStatus : reply.status;
      throw failed(
        status,
        isTransientStatus(status),
        `${status} ${STATUS_MEANING[status] ?? 'unexpected status'}`,
      );
    }
    const raw = isObject(json) ? json.entries : undefined;
    const entry = Array.isArray(raw) ? raw[0] : raw;
    const credit = isObject(entry) ? Number(entry.remaincredit) : Number.NaN;
    if (!Number.isFinite(credit)) throw failed(httpStatus, false, 'no remaincredit in the reply');
    const expires = isObject(entry) ? Number(entry.expiredate) : Number.NaN;
    return { remainingCredit: credit, expiresAt: Number.isFinite(expires) ? new Date(expires * 1000) : null };
  }

  /**
   * POSTs one request and resolves only on `return.status` 200; everything else throws. `secrets`
   * are values that must not reach a log line even if Kavenegar echoes them back.
   */
  private async call(
    method: Method,
    phone: string,
    params: Record<string, string>,
    secrets: string[],
  ): Promise<void> {
    const receptor = toReceptor(phone);
    if (!receptor) {
      throw this.fail(
        method,
        'invalid_phone',
        false,
        undefined,
        'the number is not E.164',
        'a caller passed a bad number',
      );
    }
    const hide = [this.options.apiKey, phone, receptor, ...secrets];

    // The key is part of the path, so this URL must never be logged or put in an error message.
    const url = `${this.baseUrl}/v1/${encodeURIComponent(this.options.apiKey)}/${method}.json`;
    let httpStatus: number;
    let body: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { accept: 'application/json' },
        // URLSearchParams sets `application/x-www-form-urlencoded;charset=UTF-8`.
        body: new URLSearchParams({ receptor, ...params }),
        // A redirect would turn the POST into a GET without its body; surface it instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      httpStatus = response.status;
      // Reading the body is still under the timeout signal.
      body = await response.text();
    } catch (error) {
      // Fetch errors are not passed on as `cause`: only their kind is safe to repeat.
      if (isTimeout(error)) {
        throw this.fail(method, 'timeout', true, undefined, `no answer within ${this.options.timeoutMs} ms`);
      }
      throw this.fail(method, 'network', true, undefined, `network error ${networkErrorCode(error)}`);
    }

    const reply = parseReply(body);
    if (!reply) {
      // An HTML error page from a proxy, or an endpoint that is not Kavenegar.
      const transient = isTransientStatus(httpStatus);
      const why =
        httpStatus >= 300 && httpStatus < 400 ? 'redirected; check KAVENEGAR_BASE_URL' : 'unreadable reply';
      throw this.fail(method, httpStatus, transient, undefined, `HTTP ${httpStatus}, ${why}`);
    }
    if (reply.status === 200 && httpStatus === 200) {
      this.log.debug({ messageid: reply.messageid }, 'SMS accepted by Kavenegar');
      return;
    }
    // Kavenegar sends the same code as HTTP status and `return.status`; if they disagree, a
    // server error on either side decides that it is worth retrying.
    const status = reply.status === 200 ? httpStatus : reply.status;
    const transient = isTransientStatus(status) || isTransientStatus(httpStatus);
    const meaning = STATUS_MEANING[status] ?? (status >= 500 ? 'server error' : 'unexpected status');
    throw this.fail(method, status, transient, scrub(reply.message, hide), `${status} ${meaning}`);
  }

  /** Logs a failed send and returns the error to throw. */
  private fail(
    method: Method,
    status: number | string,
    transient: boolean,
    providerMessage: string | undefined,
    detail: string,
    action = 'an operator must fix the Kavenegar account or configuration',
  ): SmsProviderError {
    const fields = { method, status, providerMessage, transient };
    if (transient) {
      this.log.warn(
        fields,
        `Kavenegar ${method} failed (${detail}); SMS not sent; the caller is told 503 sms/provider_error and may retry`,
      );
    } else {
      this.log.error(
        fields,
        `Kavenegar ${method} refused (${detail}); SMS not sent; the caller is told 502 sms/provider_error; ${action}`,
      );
    }
    return new SmsProviderError('kavenegar', status, transient, `${method} ${detail}`);
  }
}

/** 5xx and Kavenegar's 409 ("cannot answer now") may succeed later; 429 is a rate limit from a proxy. */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 409 || status === 429;
}

/** Reads `{return: {status, message}, entries}`; null for anything else. */
function parseReply(body: string): Reply | null {
  const json = parseJson(body);
  if (!isObject(json) || !isObject(json.return)) return null;
  const { status, message } = json.return;
  if (typeof status !== 'number' || !Number.isInteger(status)) return null;
  // `entries` is an array in practice, but Kavenegar's own samples show a single object.
  const entry = Array.isArray(json.entries) ? json.entries[0] : json.entries;
  const messageid = isObject(entry) && typeof entry.messageid === 'number' ? entry.messageid : undefined;
  return { status, message: typeof message === 'string' ? message : undefined, messageid };
}
