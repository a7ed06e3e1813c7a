import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { DeliveryLogRepository } from './delivery-log.repository.js';

const FLUSH_MS = 500;
/** Warn once a day when this share of the daily quota is used. */
const WARN_AT = 0.8;

export const today = (now: number) => new Date(now).toISOString().slice(0, 10);

/**
 * Push outcomes and the day's quota use, written in batches every FLUSH_MS: one row lock on the
 * day's quota per push would serialise every worker. The quota read is cached as long, so the
 * guard may overshoot by at most what the workers send within that time.
 */
export class PushLedger {
  private readonly log: Pick<DeliveryLogRepository, 'quotaUsed' | 'recordOutcomes' | 'useQuota'>;
  private readonly metrics: Metrics;
  private readonly logger: Logger;
  private readonly dailyLimit: number;
  private readonly now: () => number;
  private pendingOutcomes: { provider: string; outcome: string; reason?: string | undefined }[] = [];
  private pendingQuota = 0;
  private quotaCache: { day: string; used: number; at: number } | undefined;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private warnedDay: string | undefined;

  constructor(deps: {
    log: Pick<DeliveryLogRepository, 'quotaUsed' | 'recordOutcomes' | 'useQuota'>;
    metrics: Metrics;
    logger: Logger;
    dailyLimit: number;
    now: () => number;
  }) {
    this.log = deps.log;
    this.metrics = deps.metrics;
    this.logger = deps.logger;
    this.dailyLimit = deps.dailyLimit;
    this.now = deps.now;
  }

  /** One push attempt's outcome, for `abrik doctor push`. */
  record(provider: string, outcome: string, reason?: string): void {
    this.pendingOutcomes.push({ provider, outcome, reason });
    this.scheduleFlush();
  }

  /** One push sent today. */
  countSent(day: string): void {
    this.pendingQuota += 1;
    if (this.quotaCache?.day === day) this.quotaCache.used += 1;
    this.scheduleFlush();
  }

  /** Pushes sent on `day`, including those not written yet. */
  async quotaUsed(day: string): Promise<number> {
    const cached = this.quotaCache;
    if (cached && cached.day === day && this.now() - cached.at < FLUSH_MS) return cached.used;
    const used = (await this.log.quotaUsed(day)) + this.pendingQuota;
    this.quotaCache = { day, used, at: this.now() };
    return used;
  }

  /** Writes the buffered outcomes and quota use now (also at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushing;
    const outcomes = this.pendingOutcomes.splice(0);
    const quota = this.pendingQuota;
    this.pendingQuota = 0;
    if (outcomes.length === 0 && quota === 0) return;
    this.flushing = (async () => {
      try {
        await this.log.recordOutcomes(outcomes);
        if (quota > 0) {
          const day = today(this.now());
          const used = await this.log.useQuota(day, quota);
          this.quotaCache = { day, used, at: this.now() };
          this.metrics.pushQuotaUsed.set(used);
          if (used >= this.dailyLimit * WARN_AT && this.warnedDay !== day) {
            this.warnedDay = day;
            this.logger.warn(
              { used, limit: this.dailyLimit },
              'push quota 80 % used today; chat notifications stop at 90 %, support ones at 100 %',
            );
          }
        }
      } catch (error) {
        this.logger.warn(
          { err: error, outcomes: outcomes.length, quota },
          'could not write push bookkeeping; retried at the next flush',
        );
        this.pendingOutcomes.unshift(...outcomes);
        this.pendingQuota += quota;
        this.scheduleFlush();
      }
    })();
    await this.flushing;
    this.flushing = undefined;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }
}
