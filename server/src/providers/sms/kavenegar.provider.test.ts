import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKavenegar, startFakeKavenegar } from '../../../test/fakes/kavenegar.fake.js';
import { capturingLogger } from '../../../test/support/logs.js';
import { KavenegarSmsProvider, toReceptor } from './kavenegar.provider.js';
import { SmsProviderError } from './sms.provider.js';

const API_KEY = '4A6B2F5C3D7E1A9B8C0D-kavenegar-secret';
const IR_PHONE = '+989121234567';
const IR_RECEPTOR = '09121234567';
const UK_PHONE = '+447911123456';
const UK_RECEPTOR = '00447911123456';
const CODE = '804273';
const TEMPLATE = 'abrik-otp';

/** Every log line written by any provider in this file, to check none of them leaks a secret. */
const allLines: string[] = [];

function setup(overrides: { baseUrl?: string; apiKey?: string; sender?: string; timeoutMs?: number } = {}) {
  const { logger, logs } = capturingLogger(allLines);
  const provider = new KavenegarSmsProvider({
    apiKey: overrides.apiKey ?? API_KEY,
    baseUrl: overrides.baseUrl ?? fake.url,
    otpTemplate: TEMPLATE,
    sender: overrides.sender,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    logger,
  });
  return { provider, logs };
}

/** Awaits a promise that must reject with SmsProviderError; resolving means an unsent SMS passed as sent. */
async function rejection(promise: Promise<unknown>): Promise<SmsProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('resolved, but the provider did not accept the SMS');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsProviderError);
  return error as SmsProviderError;
}

/** Log text without fields that hold arbitrary numbers (pid, time), so digit secrets cannot match by chance. */
function logText(lines: string[]): string {
  return lines
    .map((line) => {
      const { pid: _pid, time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .join('\n');
}

/** The key, both phone numbers in any form, the code and every text these tests send. */
function expectNoSecrets(text: string): void {
  for (const secret of [API_KEY, CODE, '9121234567', '7911123456', 'sign-in text for']) {
    expect(text).not.toContain(secret);
  }
}

let fake: FakeKavenegar;

beforeAll(async () => {
  fake = await startFakeKavenegar({ apiKey: API_KEY });
});

afterAll(async () => {
  await fake.close();
  // Covers every scenario in this file, including the ones that fail on purpose.
  expectNoSecrets(logText(allLines));
});

describe(toReceptor.name, () => {
  it('writes Iranian numbers in national form and others as 00 + country code', () => {
    expect(toReceptor(IR_PHONE)).toBe(IR_RECEPTOR);
    expect(toReceptor(UK_PHONE)).toBe(UK_RECEPTOR);
    expect(toReceptor('09121234567')).toBeNull();
  });
});

describe(KavenegarSmsProvider.name, () => {
  describe('when Kavenegar accepts the SMS', () => {
    it('sends an OTP through verify/lookup with the national receptor, the code as token and the template', async () => {
      const { provider, logs } = setup();
      await provider.sendOtp(IR_PHONE, CODE, 'fa');

      expect(fake.requests.at(-1)).toEqual({
        path: 'verify/lookup',
        apiKey: API_KEY,
        params: { receptor: IR_RECEPTOR, token: CODE, template: TEMPLATE },
      });
      expect(fake.lastOtp(IR_RECEPTOR)).toBe(CODE);
      const success = logs().find((l) => l.level === 'debug');
      expect(success).toMatchObject({ component: 'sms.kavenegar', messageid: expect.any(Number) });
    });

    it('sends an OTP to a non-Iranian number as 00 + country code', async () => {
      const { provider } = setup();
      await provider.sendOtp(UK_PHONE, CODE, 'en');
      expect(fake.requests.at(-1)?.params.receptor).toBe(UK_RECEPTOR);
      expect(fake.lastOtp(UK_RECEPTOR)).toBe(CODE);
    });

    it('sends text through sms/send with the message and the configured sender', async () => {
      const { provider } = setup({ sender: '10008663' });
      await provider.sendText(IR_PHONE, 'sign-in text for a test');
      expect(fake.requests.at(-1)).toEqual({
        path: 'sms/send',
        apiKey: API_KEY,
        params: { receptor: IR_RECEPTOR, message: 'sign-in text for a test', sender: '10008663' },
      });
    });

    it('leaves the sender out when none is configured, so Kavenegar uses the default line', async () => {
      const { provider } = setup();
      await provider.sendText(UK_PHONE, 'sign-in text for abroad');
      expect(fake.requests.at(-1)?.params).toEqual({
        receptor: UK_RECEPTOR,
        message: 'sign-in text for abroad',
      });
    });
  });

  describe('when Kavenegar refuses for a reason an operator must fix', () => {
    it.each([
      { status: 401, reason: 'the account is disabled' },
      { status: 403, reason: 'the API key is invalid' },
      { status: 411, reason: 'the receptor is invalid' },
      { status: 418, reason: 'the account has no credit' },
      { status: 424, reason: 'the template is missing or not approved' },
    ])('rejects with 502 and does not retry when $reason ($status)', async ({ status }) => {
      const { provider, logs } = setup();
      const before = fake.requests.length;
      fake.failNext(status);

      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));

      expect(error).toMatchObject({
        status: 502,
        code: 'sms/provider_error',
        providerStatus: status,
        transient: false,
      });
      expect(error.headers).toEqual({});
      expect(fake.requests.length).toBe(before + 1);
      const failure = logs().find((l) => l.level === 'error');
      expect(failure).toMatchObject({
        component: 'sms.kavenegar',
        status,
        providerMessage: expect.any(String),
      });
      expect(failure?.msg).toContain('502 sms/provider_error');
    });

    it('rejects with 502 when the API key is wrong (the fake checks the key in the path)', async () => {
      const { provider } = setup({ apiKey: 'not-the-right-key' });
      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));
      expect(error).toMatchObject({ status: 502, providerStatus: 403, transient: false });
    });

    it('rejects sendText with 502 when the account has no credit (418)', async () => {
      const { provider } = setup();
      fake.failNext(418);
      const error = await rejection(provider.sendText(IR_PHONE, 'sign-in text for credit'));
      expect(error).toMatchObject({ status: 502, providerStatus: 418, transient: false });
    });

    it('rejects without calling Kavenegar when the phone is not E.164', async () => {
      const { provider } = setup();
      const before = fake.requests.length;
      const error = await rejection(provider.sendOtp('09121234567', CODE, 'fa'));
      expect(error).toMatchObject({ status: 502, transient: false });
      expect(fake.requests.length).toBe(before);
    });
  });

  describe('when Kavenegar or the way to it fails for a while', () => {
    it.each([500, 502, 503])(
      'rejects with 503 and retry-after so the caller may retry (%i)',
      async (status) => {
        const { provider, logs } = setup();
        fake.failNext(status);

        const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));

        expect(error).toMatchObject({ status: 503, providerStatus: status, transient: true });
        expect(error.headers).toEqual({ 'retry-after': '30' });
        const failure = logs().find((l) => l.level === 'warn');
        expect(failure).toMatchObject({ component: 'sms.kavenegar', status });
        expect(failure?.msg).toContain('503 sms/provider_error');
      },
    );

    it('rejects with 503 when Kavenegar cannot answer now (409)', async () => {
      const { provider } = setup();
      fake.failNext(409);
      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));
      expect(error).toMatchObject({ status: 503, providerStatus: 409, transient: true });
    });

    it('rejects with 503 when a proxy answers an HTML 502 page', async () => {
      const { provider } = setup();
      fake.htmlNext(502);
      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));
      expect(error).toMatchObject({ status: 503, providerStatus: 502, transient: true });
    });

    it('does not count an HTML 200 page as sent', async () => {
      const { provider } = setup();
      fake.htmlNext(200);
      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));
      expect(error).toMatchObject({ status: 502, providerStatus: 200, transient: false });
    });

    it('rejects as transient once the timeout passes when Kavenegar never answers', async () => {
      const { provider, logs } = setup({ timeoutMs: 200 });
      fake.hangNext();
      const started = performance.now();

      const error = await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa'));

      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(180);
      expect(elapsed).toBeLessThan(3_000);
      expect(error).toMatchObject({ status: 503, providerStatus: 'timeout', transient: true });
      expect(logs().find((l) => l.level === 'warn')).toMatchObject({ status: 'timeout' });
    });

    it('rejects as transient when nothing listens at the base URL', async () => {
      const closed = await startFakeKavenegar();
      await closed.close();
      const { provider, logs } = setup({ baseUrl: closed.url });

      const error = await rejection(provider.sendText(IR_PHONE, 'sign-in text for nowhere'));

      expect(error).toMatchObject({ status: 503, providerStatus: 'network', transient: true });
      expect(error.message).toContain('ECONNREFUSED');
      expect(logs().find((l) => l.level === 'warn')).toMatchObject({ status: 'network' });
    });
  });

  it('never logs the API key, the phone number (either form), the code or the text', async () => {
    const { provider, logs } = setup({ timeoutMs: 200 });
    await provider.sendOtp(IR_PHONE, CODE, 'fa');
    await provider.sendText(UK_PHONE, 'sign-in text for logs');
    const errors: SmsProviderError[] = [];
    fake.failNext(418);
    errors.push(await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa')));
    // Even a provider message that echoes the input must not carry it into the log.
    fake.failNext(411, `گیرنده ${IR_RECEPTOR} با کد ${CODE} نامعتبر است`);
    errors.push(await rejection(provider.sendOtp(IR_PHONE, CODE, 'fa')));
    fake.hangNext();
    errors.push(await rejection(provider.sendText(IR_PHONE, 'sign-in text for a hang')));

    const lines = logs();
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug', 'error', 'error', 'warn']);
    expect(lines.every((l) => l.component === 'sms.kavenegar')).toBe(true);
    expect(lines[3]?.providerMessage).toContain('[redacted]');
    expectNoSecrets(logText(lines.map((l) => JSON.stringify(l))));
    // Callers log the errors they get, so those must be as clean as the log lines.
    for (const error of errors) expectNoSecrets(`${error.message} ${JSON.stringify(error)}`);
  });
});
