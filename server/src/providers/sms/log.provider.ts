import { maskPhone } from '@abrik/protocol';
import { type Locale, t } from '../../platform/i18n/messages.js';
import type { SmsProvider } from './sms.provider.js';

export interface SmsLine {
  to: string;
  text: string;
}

/**
 * Development SMS provider: writes each SMS, code included, as one JSON line to `out` (standard
 * output by default) instead of sending it. The phone number is masked. Production refuses it.
 */
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log' as const;

  constructor(private readonly out: (line: string) => void = (line) => process.stdout.write(line)) {}

  async sendOtp(phone: string, code: string, locale: Locale): Promise<void> {
    this.write({ to: phone, text: t(locale).otpSms(code) }, code);
  }

  async sendText(phone: string, text: string): Promise<void> {
    this.write({ to: phone, text });
  }

  private write(sms: SmsLine, code?: string): void {
    const line = {
      level: 'info',
      time: new Date().toISOString(),
      component: 'sms.log',
      msg: 'SMS not sent (log provider)',
      to: maskPhone(sms.to),
      text: sms.text,
      ...(code ? { otp: code } : {}),
    };
    this.out(`${JSON.stringify(line)}\n`);
  }
}
