import type { Device, RegisterDevice } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { PushProviderName } from '../../platform/config.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { Locale } from '../../platform/i18n/messages.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { DeliveryLogRepository } from './delivery-log.repository.js';
import type { DeviceRepository } from './device.repository.js';
import type { DeviceRow } from './tables.js';

export function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    platform: row.platform,
    locale: row.locale,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface DeviceSettings {
  providers: PushProviderName[];
  /**
   * Hosts a Web Push endpoint may point at. The server POSTs to whatever endpoint a browser
   * registered, so without a list a user could make it call internal addresses (SSRF).
   */
  webPushHosts: string[];
  /** Devices not refreshed for this many days are reported stale, and purged after the second. */
  staleDays: number;
  /** Devices one user may have; a new one beyond it drops the one refreshed longest ago. */
  maxPerUser?: number | undefined;
  purgeDays: number;
}

const DAY_MS = 86_400_000;
/** Push outcomes are kept this long, for `abrik doctor push`. */
const OUTCOMES_KEPT_DAYS = 2;

/** Where a user's notifications go: phones (FCM tokens) and browsers (Web Push subscriptions). */
export class DeviceService {
  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      log: DeliveryLogRepository;
      metrics: Metrics;
      logger: Logger;
      settings: DeviceSettings;
      now: () => number;
    },
  ) {}

  async register(actor: Actor, input: RegisterDevice, locale: Locale): Promise<Device> {
    const enabled = this.deps.settings.providers;
    const phone = input.platform !== 'web';
    if (!enabled.includes('log') && !enabled.includes(phone ? 'fcm' : 'webpush')) {
      throw new AppError(409, 'push/not_configured');
    }
    let device: DeviceRow;
    if (input.platform === 'web') {
      const { endpoint, keys } = input.subscription;
      if (!this.allowed(endpoint)) throw new AppError(400, 'device/endpoint_not_allowed');
      device = await this.deps.devices.upsert({
        userId: actor.id,
        platform: 'web',
        endpoint,
        ...keys,
        locale,
      });
    } else {
      device = await this.deps.devices.upsert({
        userId: actor.id,
        platform: input.platform,
        token: input.token,
        locale,
      });
    }
    await this.keepNewest(actor.id);
    return toDevice(device);
  }

  /**
   * A user's devices stay within the cap: each message costs one push per device, so hundreds of
   * registered tokens would turn one message into hundreds of sends (quota spent for nothing).
   * The devices refreshed longest ago go first — a reinstalled app's old token, an old browser.
   */
  private async keepNewest(userId: string): Promise<void> {
    const max = this.deps.settings.maxPerUser;
    if (max === undefined) return;
    const mine = await this.deps.devices.listByUser(userId);
    if (mine.length <= max) return;
    const oldest = [...mine]
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
      .slice(0, mine.length - max);
    for (const device of oldest) await this.deps.devices.delete(device.id);
  }

  async list(actor: Actor): Promise<Device[]> {
    return (await this.deps.devices.listByUser(actor.id)).map(toDevice);
  }

  /** Removes one of the caller's devices, named by id, FCM token or Web Push endpoint. */
  async unregister(actor: Actor, which: { id?: string; token?: string; endpoint?: string }): Promise<void> {
    const mine = await this.deps.devices.listByUser(actor.id);
    const device = mine.find(
      (d) =>
        (which.id !== undefined && d.id === which.id) ||
        (which.token !== undefined && d.token === which.token) ||
        (which.endpoint !== undefined && d.endpoint === which.endpoint),
    );
    if (!device || !(await this.deps.devices.deleteOwn(actor.id, device.id))) {
      throw new NotFoundError('device/not_found');
    }
  }

  /** Devices not refreshed for long: counted (stale) or deleted (purge) — the runbook's SQL, automatic. */
  async maintainTokens(): Promise<{ stale: number; purged: number }> {
    const { staleDays, purgeDays } = this.deps.settings;
    const now = this.deps.now();
    const stale = await this.deps.devices.countNotUpdatedSince(new Date(now - staleDays * DAY_MS));
    const purged = await this.deps.devices.deleteNotUpdatedSince(new Date(now - purgeDays * DAY_MS));
    this.deps.metrics.pushTokensStale.set(stale);
    if (purged > 0) this.deps.metrics.pushTokensRemoved.inc({ reason: 'stale' }, purged);
    await this.deps.log.deleteOutcomesBefore(new Date(now - OUTCOMES_KEPT_DAYS * DAY_MS));
    this.deps.logger.info({ stale, purged, staleDays, purgeDays }, 'device tokens checked');
    return { stale, purged };
  }

  private allowed(endpoint: string): boolean {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return false;
    }
    const host = url.hostname.toLowerCase();
    const listed = this.deps.settings.webPushHosts.some((h) =>
      h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h.toLowerCase(),
    );
    const local = host === '127.0.0.1' || host === 'localhost';
    // Plain http only for hosts explicitly listed as local (tests, a development push service).
    return listed && (url.protocol === 'https:' || local);
  }
}
