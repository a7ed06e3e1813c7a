import type { PushProviderName } from '../../platform/config.js';
import type { Db } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Module } from '../../platform/module.js';
import type { SmsProvider } from '../../providers/sms/sms.provider.js';
import type { ChatModule } from '../chat/index.js';
import type { UserService } from '../identity/user.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { DeviceRepository } from './device.repository.js';
import { deviceRoutes, vapidRoutes } from './device.routes.js';
import { DeviceService } from './device.service.js';
import { deviceTokensJob } from './device-tokens.job.js';
import { MessageNotifier, notifyMessageJob } from './notify-message.job.js';
import { notifyUserJob, UserNotifier } from './notify-user.job.js';
import { PushDelivery, type PushProviders } from './push-delivery.js';
import { PushLedger } from './push-ledger.js';
import { pushDeadQueue, pushSendJob } from './push-send.job.js';
import { SmsFallback, smsFallbackJob } from './sms-fallback.job.js';
import { SupportAlerts, type SupportDesk } from './support-alerts.js';

export interface NotificationSettings {
  providers: PushProviderName[];
  webPushHosts: string[];
  /** The VAPID public key browsers subscribe with; undefined when Web Push is off. */
  vapidPublicKey: string | undefined;
  collapseSeconds: number;
  maxAttempts: number;
  dailyLimit: number;
  smsFallbackMinutes: number;
  smsDailyCap: number;
  tokenStaleDays: number;
  tokenPurgeDays: number;
  /** Devices one user may have (DEVICES_PER_USER). */
  devicesPerUser?: number | undefined;
  /** How long a provider whose credentials were refused is left alone. */
  circuitSeconds: number;
}

export interface NotificationsModule extends Module {
  devices: DeviceService;
}

/**
 * Who is notified of what, and how: a stored message becomes a `notify-message` job in its own
 * statement; members away get a collapsed `notify-user` job; that becomes one `push-send` job per
 * device; support replies unread by customers without push become an `sms-fallback`.
 */
export function createNotificationsModule(deps: {
  db: Db;
  jobs: JobQueue;
  chat: Pick<ChatModule, 'conversations' | 'messages'>;
  users: UserService;
  presence: PresenceStore;
  /** The support desk: tickets follow messages; who is on duty; who takes escalations. */
  desk: SupportDesk;
  events: Pick<DomainEvents, 'listen'>;
  pushProviders: PushProviders;
  sms: SmsProvider;
  metrics: Metrics;
  logger: Logger;
  settings: NotificationSettings;
  now: () => number;
}): NotificationsModule {
  const { db, jobs, chat, users, presence, metrics, settings, now } = deps;
  const logger = deps.logger.child({ component: 'jobs' });
  const devicesRepo = new DeviceRepository(db);
  const log = new DeliveryLogRepository(db);
  const ledger = new PushLedger({ log, metrics, logger, dailyLimit: settings.dailyLimit, now });
  const devices = new DeviceService({
    devices: devicesRepo,
    log,
    metrics,
    logger,
    settings: {
      providers: settings.providers,
      webPushHosts: settings.webPushHosts,
      staleDays: settings.tokenStaleDays,
      purgeDays: settings.tokenPurgeDays,
      maxPerUser: settings.devicesPerUser,
    },
    now,
  });
  const support = new SupportAlerts({
    conversations: chat.conversations,
    desk: deps.desk,
    devices: devicesRepo,
    jobs,
    smsFallbackMinutes: settings.smsFallbackMinutes,
  });
  deps.events.listen('support.escalated', 'notifications.push-supervisors', (event) =>
    support.escalated(event.subject.slice('conversation:'.length)),
  );
  deps.events.listen('support.sla_breached', 'notifications.push-sla-breached', (event) =>
    support.slaBreached(event.subject.slice('conversation:'.length), event.payload.kind, event.payload.cycle),
  );
  const messageNotifier = new MessageNotifier({
    devices: devicesRepo,
    messages: chat.messages,
    presence,
    support,
    jobs,
    collapseSeconds: settings.collapseSeconds,
  });
  const userNotifier = new UserNotifier({
    conversations: chat.conversations,
    messages: chat.messages,
    users,
    devices: devicesRepo,
    presence,
    jobs,
  });
  const delivery = new PushDelivery({
    devices: devicesRepo,
    providers: deps.pushProviders,
    jobs,
    ledger,
    metrics,
    logger,
    settings: {
      maxAttempts: settings.maxAttempts,
      dailyLimit: settings.dailyLimit,
      circuitSeconds: settings.circuitSeconds,
    },
    now,
  });
  const fallback = new SmsFallback({
    conversations: chat.conversations,
    users,
    devices: devicesRepo,
    log,
    sms: deps.sms,
    metrics,
    logger,
    dailyCap: settings.smsDailyCap,
    now,
  });
  return {
    name: 'notifications',
    devices,
    routes: {
      public: [vapidRoutes({ publicKey: settings.vapidPublicKey })],
      authenticated: [deviceRoutes({ devices })],
    },
    jobs: [
      notifyMessageJob(messageNotifier),
      notifyUserJob(userNotifier),
      pushDeadQueue(),
      pushSendJob(delivery),
      smsFallbackJob(fallback),
      deviceTokensJob(devices),
    ],
    stop: () => ledger.flush(),
  };
}
