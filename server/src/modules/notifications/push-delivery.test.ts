import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceRow, recordingJobs } from '../../../test/support/fakes.js';
import { capturingLogger } from '../../../test/support/logs.js';
import { Metrics } from '../../platform/metrics.js';
import type { PushOutcome, PushProvider } from '../../providers/push/push.provider.js';
import { PushDelivery } from './push-delivery.js';
import { PushLedger } from './push-ledger.js';
import type { PushSendJob } from './push-send.job.js';

/** A delivery whose phone provider answers `outcomes` in turn; `used` pushes sent today so far. */
function build(options: { outcomes?: PushOutcome[]; used?: number; lastReadSeq?: number } = {}) {
  const outcomes = [...(options.outcomes ?? [])];
  const attempted: string[] = [];
  const provider: PushProvider = {
    name: 'fcm',
    send: async (target) => {
      attempted.push(target.deviceId);
      return outcomes.shift() ?? { outcome: 'sent' };
    },
    checkCredentials: async () => {},
    close: async () => {},
  };
  const device = deviceRow({ userId: randomUUID() });
  const deleted: string[] = [];
  const jobs = recordingJobs();
  const metrics = new Metrics({ poolStats: () => ({ total: 0, idle: 0, waiting: 0, max: 0 }) });
  let now = Date.parse('2026-12-05T10:00:00Z');
  const { logger } = capturingLogger();
  const ledger = new PushLedger({
    log: {
      quotaUsed: async () => options.used ?? 0,
      recordOutcomes: async () => {},
      useQuota: async (_d, n) => n ?? 1,
    },
    metrics,
    logger,
    dailyLimit: 100,
    now: () => now,
  });
  const delivery = new PushDelivery({
    devices: {
      getManyForPush: async (pairs) =>
        new Map(
          pairs
            .filter((p) => p.deviceId === device.id && !deleted.includes(device.id))
            .map((p) => [
              `${p.deviceId}:${p.conversationId}`,
              { device, lastReadSeq: options.lastReadSeq ?? 0 },
            ]),
        ),
      delete: async (id) => {
        deleted.push(id);
        return true;
      },
    },
    providers: { phone: provider, web: undefined },
    jobs,
    ledger,
    metrics,
    logger,
    settings: { maxAttempts: 3, dailyLimit: 100, circuitSeconds: 300 },
    now: () => now,
  });
  const job = (values: Partial<PushSendJob> = {}): PushSendJob => ({
    deviceId: device.id,
    attempt: 1,
    support: false,
    message: {
      title: 't',
      body: 'b',
      data: { conversationId: randomUUID(), seq: '5' },
      collapseKey: 'k',
      badge: 1,
      priority: 'high',
      ttlSeconds: 60,
    },
    ...values,
  });
  const send = async (j: PushSendJob) => {
    for (const p of await delivery.sendBatch([j])) await p;
  };
  return { send, job, jobs, attempted, deleted, device, advance: (ms: number) => (now += ms) };
}

describe(PushDelivery.name, () => {
  it('sends, and deletes a dead token at once without retrying', async () => {
    const t = build({
      outcomes: [{ outcome: 'sent' }, { outcome: 'invalid_token', reason: '404 UNREGISTERED' }],
    });
    await t.send(t.job());
    await t.send(t.job());
    expect(t.attempted).toHaveLength(2);
    expect(t.deleted).toEqual([t.device.id]);
    expect(t.jobs.sent).toEqual([]);
  });

  it('retries a transient failure later, honouring Retry-After, and dead-letters it after the last attempt', async () => {
    const t = build({
      outcomes: [
        { outcome: 'retry', reason: '503', retryAfterMs: 120_000 },
        { outcome: 'retry', reason: '503' },
      ],
    });
    await t.send(t.job());
    expect(t.jobs.sent).toMatchObject([
      { name: 'push-send', data: { attempt: 2 }, options: { startAfter: 120 } },
    ]);
    await t.send(t.job({ attempt: 3 }));
    expect(t.jobs.sent[1]).toMatchObject({
      name: 'push-dead',
      data: { attempt: 3, provider: 'fcm', reason: 'gave up after 3 attempts: 503' },
    });
  });

  it('pauses a provider that refused our credentials (circuit open) instead of a retry storm', async () => {
    const t = build({ outcomes: [{ outcome: 'auth_error', reason: '401' }] });
    await t.send(t.job());
    await t.send(t.job());
    expect(t.attempted).toHaveLength(1);
    expect(t.jobs.of('push-dead').map((d) => d.reason)).toEqual(['401', 'circuit_open']);
    t.advance(301_000);
    await t.send(t.job());
    expect(t.attempted).toHaveLength(2);
  });

  it('stays quiet about a message read since the push was queued', async () => {
    const t = build({ lastReadSeq: 5 });
    await t.send(t.job());
    expect(t.attempted).toEqual([]);
  });

  it('keeps the last tenth of the daily quota for support, and stops at the limit', async () => {
    const nearly = build({ used: 90 });
    await nearly.send(nearly.job());
    await nearly.send(nearly.job({ support: true }));
    expect(nearly.attempted).toHaveLength(1);
    const spent = build({ used: 100 });
    await spent.send(spent.job({ support: true }));
    expect(spent.attempted).toEqual([]);
  });

  it('does nothing for a device deleted meanwhile or a malformed job', async () => {
    const t = build();
    await t.send(t.job({ deviceId: randomUUID() }));
    await t.send(t.job({ deviceId: 'not-a-uuid' }));
    expect(t.attempted).toEqual([]);
    expect(t.jobs.sent).toEqual([]);
  });
});
