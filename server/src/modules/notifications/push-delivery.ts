import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { PushOutcome, PushProvider, PushTarget } from '../../providers/push/push.provider.js';
import type { DeviceRepository } from './device.repository.js';
import type { PushLedger } from './push-ledger.js';
import { today } from './push-ledger.js';
import type { PushSendJob } from './push-send.job.js';
import type { DeviceRow } from './tables.js';

/** Above this share of the daily quota, only support notifications go out. */
const CHAT_YIELDS_AT = 0.9;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PushProviders {
  phone: PushProvider | undefined;
  web: PushProvider | undefined;
}

/**
 * How each push ends (`push-send`): dead tokens are deleted at once, transient failures retried
 * with backoff (honouring Retry-After), refused credentials trip a circuit instead of a retry
 * storm, and whatever cannot be sent lands in the dead-letter queue. Read messages and a nearly
 * used-up daily quota keep pushes back.
 */
export class PushDelivery {
  private readonly devices: Pick<DeviceRepository, 'getManyForPush' | 'delete'>;
  private readonly providers: PushProviders;
  private readonly jobs: Pick<JobQueue, 'send'>;
  private readonly ledger: PushLedger;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly settings: { maxAttempts: number; dailyLimit: number; circuitSeconds: number };
  private readonly now: () => number;
  private readonly openCircuits = new Map<string, number>();

  constructor(deps: {
    devices: Pick<DeviceRepository, 'getManyForPush' | 'delete'>;
    providers: PushProviders;
    jobs: Pick<JobQueue, 'send'>;
    ledger: PushLedger;
    metrics: Metrics;
    logger: Logger;
    settings: {
      maxAttempts: number;
      dailyLimit: number;
      /** How long a provider whose credentials were refused is left alone. */
      circuitSeconds: number;
    };
    now: () => number;
  }) {
    this.devices = deps.devices;
    this.providers = deps.providers;
    this.jobs = deps.jobs;
    this.ledger = deps.ledger;
    this.metrics = deps.metrics;
    this.log = deps.logger;
    this.settings = deps.settings;
    this.now = deps.now;
  }

  /**
   * A fetch of push-send jobs: their devices and read markers are read in one query, then the
   * pushes go out concurrently. Answers one promise per job, in order.
   */
  async sendBatch(jobs: PushSendJob[]): Promise<Promise<void>[]> {
    const pairs = jobs
      .filter((j) => UUID.test(j.deviceId) && UUID.test(j.message.data.conversationId ?? ''))
      .map((j) => ({ deviceId: j.deviceId, conversationId: j.message.data.conversationId! }));
    const found = await this.devices.getManyForPush(pairs);
    return jobs.map((job) =>
      this.sendOne(job, found.get(`${job.deviceId}:${job.message.data.conversationId}`)),
    );
  }

  private async sendOne(
    job: PushSendJob,
    found: { device: DeviceRow; lastReadSeq: number | undefined } | undefined,
  ): Promise<void> {
    const conversationId = job.message.data.conversationId;
    if (!found) return; // deleted meanwhile (dead token, sign-out, purge)
    const { device } = found;
    const target = toTarget(device);
    const provider = target.platform === 'web' ? this.providers.web : this.providers.phone;
    if (!provider) return this.deadLetter(job, 'none', 'no push provider for this platform');
    const name = provider.name;

    // Read elsewhere since it was queued (retries and collapsed jobs can be late), or no longer a
    // member: stay quiet.
    const seq = job.message.data.queue === 'waiting' ? Number.NaN : Number(job.message.data.seq);
    if (
      conversationId &&
      Number.isFinite(seq) &&
      (found.lastReadSeq === undefined || found.lastReadSeq >= seq)
    ) {
      this.metrics.notificationsSent.inc({ provider: name, outcome: 'already_read' });
      return;
    }

    const openUntil = this.openCircuits.get(name) ?? 0;
    if (openUntil > this.now()) {
      return this.finish(job, name, { outcome: 'failed', reason: 'circuit_open' }, 'circuit_open');
    }

    const day = today(this.now());
    const used = await this.ledger.quotaUsed(day);
    const { dailyLimit } = this.settings;
    if (used >= dailyLimit || (!job.support && used >= dailyLimit * CHAT_YIELDS_AT)) {
      this.metrics.notificationsSent.inc({ provider: name, outcome: 'quota_skipped' });
      this.ledger.record(name, 'quota_skipped');
      this.log.warn(
        { deviceId: device.id, used, limit: dailyLimit },
        'push skipped: daily quota nearly used up; support notifications keep priority',
      );
      return;
    }

    const outcome = await provider.send(target, job.message);
    await this.finish(job, name, outcome, outcome.outcome);
    if (outcome.outcome === 'sent') this.ledger.countSent(day);
  }

  private async finish(
    job: PushSendJob,
    provider: string,
    outcome: PushOutcome,
    label: string,
  ): Promise<void> {
    this.metrics.notificationsSent.inc({ provider, outcome: label });
    this.ledger.record(provider, label, 'reason' in outcome ? outcome.reason : undefined);
    switch (outcome.outcome) {
      case 'sent':
        return;
      case 'invalid_token':
        await this.devices.delete(job.deviceId);
        this.metrics.pushTokensRemoved.inc({ reason: outcome.reason });
        this.log.info(
          { deviceId: job.deviceId, provider, reason: outcome.reason },
          'dead device token deleted; not retried',
        );
        return;
      case 'retry': {
        if (job.attempt >= this.settings.maxAttempts) {
          return this.deadLetter(job, provider, `gave up after ${job.attempt} attempts: ${outcome.reason}`);
        }
        const backoff = Math.min(2 ** job.attempt * 1000, 300_000) * (0.5 + Math.random() / 2);
        const delayMs = Math.max(outcome.retryAfterMs ?? 0, backoff);
        await this.jobs.send(
          'push-send',
          { ...job, attempt: job.attempt + 1 },
          { startAfter: Math.ceil(delayMs / 1000) },
        );
        this.log.warn(
          {
            deviceId: job.deviceId,
            provider,
            reason: outcome.reason,
            attempt: job.attempt,
            retryInMs: Math.round(delayMs),
          },
          'push failed for now; retried with backoff',
        );
        return;
      }
      case 'auth_error':
        this.openCircuits.set(provider, this.now() + this.settings.circuitSeconds * 1000);
        this.log.error(
          { provider, reason: outcome.reason, pauseSeconds: this.settings.circuitSeconds },
          'push provider refused our credentials; pausing it (circuit open) and dead-lettering; check the credentials, then replay the dead letters',
        );
        return this.deadLetter(job, provider, outcome.reason);
      case 'failed':
        return this.deadLetter(job, provider, outcome.reason);
    }
  }

  private async deadLetter(job: PushSendJob, provider: string, reason: string): Promise<void> {
    await this.jobs.send('push-dead', {
      ...job,
      provider,
      reason,
      failedAt: new Date(this.now()).toISOString(),
    });
  }
}

function toTarget(device: DeviceRow): PushTarget {
  if (device.platform === 'web') {
    return {
      deviceId: device.id,
      platform: 'web',
      subscription: { endpoint: device.endpoint!, keys: { p256dh: device.p256dh!, auth: device.auth! } },
    };
  }
  return { deviceId: device.id, platform: device.platform, token: device.token! };
}
