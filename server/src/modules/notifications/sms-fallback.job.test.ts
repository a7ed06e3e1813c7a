import { describe, expect, it } from 'vitest';
import { fakeChat, userRow } from '../../../test/support/fakes.js';
import { capturingLogger } from '../../../test/support/logs.js';
import { Metrics } from '../../platform/metrics.js';
import type { SmsProvider } from '../../providers/sms/sms.provider.js';
import { SmsProviderError } from '../../providers/sms/sms.provider.js';
import { SmsFallback } from './sms-fallback.job.js';

/** A customer, an agent's reply at seq 1, and an SMS provider that fails with `failure` if given. */
function build(options: { devices?: number; allowance?: boolean; failure?: Error; phone?: string } = {}) {
  const chat = fakeChat();
  const customer = userRow({ phone: options.phone ?? '+989121234567' });
  const conversation = chat.given.conversation({ kind: 'support' });
  const membership = chat.given.member(conversation.id, customer.id, 'customer');
  chat.given.message(conversation.id, null, 'پاسخ');
  const texts: { phone: string; text: string }[] = [];
  const allowance = { taken: 0, released: 0 };
  const sms: SmsProvider = {
    name: 'log',
    sendOtp: async () => {},
    sendText: async (phone, text) => {
      if (options.failure) throw options.failure;
      texts.push({ phone, text });
    },
  };
  const metrics = new Metrics({ poolStats: () => ({ total: 0, idle: 0, waiting: 0, max: 0 }) });
  const fallback = new SmsFallback({
    conversations: { membershipOf: (c, u) => chat.conversations.getMembership(c, u) },
    users: { findById: async (id) => (id === customer.id ? customer : undefined) },
    devices: { countByUser: async () => options.devices ?? 0 },
    log: {
      takeSmsAllowance: async () => {
        allowance.taken++;
        return options.allowance ?? true;
      },
      releaseSmsAllowance: async () => {
        allowance.released++;
      },
    },
    sms,
    metrics,
    logger: capturingLogger().logger,
    dailyCap: 3,
    now: Date.now,
  });
  const job = { userId: customer.id, conversationId: conversation.id, seq: 1 };
  const outcomes = async () =>
    (await metrics.smsSent.get()).values.filter((v) => v.value > 0).map((v) => v.labels.outcome);
  return { fallback, job, texts, allowance, membership, outcomes };
}

describe(SmsFallback.name, () => {
  it('texts a customer without push who has not read the reply, in Persian', async () => {
    const t = build();
    await t.fallback.send(t.job);
    expect(t.texts).toEqual([
      {
        phone: '+989121234567',
        text: 'آبریک: پاسخ درخواست پشتیبانی شما آماده است. برای دیدن آن به آبریک سر بزنید.',
      },
    ]);
    expect(await t.outcomes()).toEqual(['sent']);
  });

  it('sends nothing once read, to a customer with push, or over the daily cap', async () => {
    const read = build();
    read.membership.lastReadSeq = 1;
    await read.fallback.send(read.job);
    const withPush = build({ devices: 1 });
    await withPush.fallback.send(withPush.job);
    const capped = build({ allowance: false });
    await capped.fallback.send(capped.job);
    expect([...read.texts, ...withPush.texts, ...capped.texts]).toEqual([]);
    expect([await read.outcomes(), await withPush.outcomes(), await capped.outcomes()]).toEqual([
      ['read'],
      ['has_push'],
      ['capped'],
    ]);
  });

  it('never texts a website visitor, whose user key is not a phone number, nor takes their allowance', async () => {
    const t = build({ phone: 'widget:2f6c0f3e-0000-4000-8000-000000000001:v:0123456789abcdef' });
    await t.fallback.send(t.job);
    expect(t.texts).toEqual([]);
    expect(t.allowance.taken).toBe(0);
    expect(await t.outcomes()).toEqual(['no_phone']);
  });

  it('gives the allowance back when the provider fails; retries only what may pass later', async () => {
    const transient = build({ failure: new SmsProviderError('kavenegar', 502, true, 'gateway') });
    await expect(transient.fallback.send(transient.job)).rejects.toBeInstanceOf(SmsProviderError);
    expect(transient.allowance).toEqual({ taken: 1, released: 1 });
    const permanent = build({ failure: new SmsProviderError('kavenegar', 418, false, 'no credit') });
    await permanent.fallback.send(permanent.job);
    expect(permanent.allowance).toEqual({ taken: 1, released: 1 });
    expect(await permanent.outcomes()).toEqual(['failed']);
  });

  it('counts a reply whose SMS was given up after every retry', async () => {
    const t = build();
    t.fallback.gaveUp(t.job, new Error('still down'));
    expect(await t.outcomes()).toEqual(['gave_up']);
  });
});
