import type { Device, RegisterDevice } from '@abrik/protocol';
import type { PushProviderName } from '../config.js';
import type { DeviceRow } from '../db/schema.js';
import { AppError, NotFoundError } from '../errors.js';
import type { Locale } from '../i18n/messages.js';
import type { DeviceRepository } from '../repositories/device.repository.js';
import type { Actor } from './access.js';

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
}

/** Where a user's notifications go: phones (FCM tokens) and browsers (Web Push subscriptions). */
export class DeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly settings: DeviceSettings,
  ) {}

  async register(actor: Actor, input: RegisterDevice, locale: Locale): Promise<Device> {
    const enabled = this.settings.providers;
    const phone = input.platform !== 'web';
    if (!enabled.includes('log') && !enabled.includes(phone ? 'fcm' : 'webpush')) {
      throw new AppError(409, 'push/not_configured');
    }
    if (input.platform === 'web') {
      const { endpoint, keys } = input.subscription;
      if (!this.allowed(endpoint)) throw new AppError(400, 'device/endpoint_not_allowed');
      return toDevice(
        await this.devices.upsert({ userId: actor.id, platform: 'web', endpoint, ...keys, locale }),
      );
    }
    return toDevice(
      await this.devices.upsert({ userId: actor.id, platform: input.platform, token: input.token, locale }),
    );
  }

  async list(actor: Actor): Promise<Device[]> {
    return (await this.devices.listByUser(actor.id)).map(toDevice);
  }

  /** Removes one of the caller's devices, named by id, FCM token or Web Push endpoint. */
  async unregister(actor: Actor, which: { id?: string; token?: string; endpoint?: string }): Promise<void> {
    const mine = await this.devices.listByUser(actor.id);
    const device = mine.find(
      (d) =>
        (which.id !== undefined && d.id === which.id) ||
        (which.token !== undefined && d.token === which.token) ||
        (which.endpoint !== undefined && d.endpoint === which.endpoint),
    );
    if (!device || !(await this.devices.deleteOwn(actor.id, device.id))) {
      throw new NotFoundError('device/not_found');
    }
  }

  private allowed(endpoint: string): boolean {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return false;
    }
    const host = url.hostname.toLowerCase();
    const listed = this.settings.webPushHosts.some((h) =>
      h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h.toLowerCase(),
    );
    const local = host === '127.0.0.1' || host === 'localhost';
    // Plain http only for hosts explicitly listed as local (tests, a development push service).
    return listed && (url.protocol === 'https:' || local);
  }
}
