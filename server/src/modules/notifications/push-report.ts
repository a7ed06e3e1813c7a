import type { DeliveryLogRepository } from './delivery-log.repository.js';
import type { DeviceRepository } from './device.repository.js';

/** What `abrik doctor` reads of the notification pipeline (push.quota, push.failures). */
export class PushReport {
  constructor(private readonly deps: { log: DeliveryLogRepository; devices: DeviceRepository }) {}

  /** Push outcomes since `since`, by provider and outcome. */
  outcomesSince(since: Date): Promise<{ provider: string; outcome: string; n: number }[]> {
    return this.deps.log.outcomesSince(since);
  }

  /** Pushes sent on `day` (YYYY-MM-DD, UTC). */
  quotaUsed(day: string): Promise<number> {
    return this.deps.log.quotaUsed(day);
  }

  /** Devices not refreshed since `cutoff`. */
  staleDevices(cutoff: Date): Promise<number> {
    return this.deps.devices.countNotUpdatedSince(cutoff);
  }
}
