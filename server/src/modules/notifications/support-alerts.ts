import type { SlaTargetKind } from '@abrik/protocol';
import { type Locale, t } from '../../platform/i18n/messages.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { MemberWithName } from '../chat/conversation.repository.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { MessageRow } from '../chat/tables.js';
import type { DeviceRepository } from './device.repository.js';
import { preview } from './preview.js';
import type { PushSendJob } from './push-send.job.js';

/** What the alerts need of the support desk. */
export interface SupportDesk {
  /** The ticket follows the message (waiting, reopened, answered, …). */
  messagesStored(messages: MessageRow[]): Promise<void>;
  /** Staff serving the conversation who are connected and `online`. */
  onDuty(conversationId: string): Promise<string[]>;
  /** The supervisors who take an escalated conversation. */
  supervisorsOf(conversationId: string): Promise<string[]>;
}

/**
 * Who hears of a support message beyond its members (its assignee is one): the agents on duty
 * for it, of a customer's message nobody has taken yet; a customer without push, by SMS, of an
 * agent's reply left unread (`sms-fallback`); the supervisors, of an escalated conversation.
 */
export class SupportAlerts {
  constructor(
    private readonly deps: {
      conversations: Pick<ConversationService, 'membersOf'>;
      desk: SupportDesk;
      devices: Pick<DeviceRepository, 'countByUser' | 'listByUser'>;
      jobs: Pick<JobQueue, 'send' | 'sendMany'>;
      /** An agent's reply unread this long by a customer without push: one SMS. */
      smsFallbackMinutes: number;
    },
  ) {}

  /** Support messages just stored (live ones, in seq order). */
  async messagesStored(messages: MessageRow[]): Promise<void> {
    await this.deps.desk.messagesStored(messages);
    const conversationIds = [...new Set(messages.map((m) => m.conversationId))];
    const members = Map.groupBy(
      await this.deps.conversations.membersOf(conversationIds),
      (m) => m.conversationId,
    );
    for (const message of messages) {
      await this.messageStored(message, members.get(message.conversationId) ?? []);
    }
  }

  private async messageStored(message: MessageRow, members: MemberWithName[]): Promise<void> {
    const sender = members.find((m) => m.userId === message.senderId);
    if (sender?.role === 'customer' && !members.some((m) => m.role === 'agent')) {
      await this.alertOnDutyAgents(message, sender.name);
    }
    if (sender?.role === 'agent') {
      for (const customer of members.filter((m) => m.role === 'customer')) {
        if ((await this.deps.devices.countByUser(customer.userId)) > 0) continue;
        await this.deps.jobs.send(
          'sms-fallback',
          { userId: customer.userId, conversationId: message.conversationId, seq: message.seq },
          {
            startAfter: this.deps.smsFallbackMinutes * 60,
            // One pending SMS per customer and conversation, however many replies follow.
            singletonKey: `${customer.userId}:${message.conversationId}`,
          },
        );
      }
    }
  }

  /**
   * A support conversation no agent has taken yet: its messages go to the agents on duty for it
   * on every device, since they are not members and see nothing live.
   */
  private async alertOnDutyAgents(message: MessageRow, customer: string | null): Promise<void> {
    const { conversationId } = message;
    await this.pushEveryDevice(await this.deps.desk.onDuty(conversationId), (locale) => {
      const texts = t(locale);
      return {
        ...texts.supportWaiting(customer ?? texts.someone, preview(message, locale)),
        data: {
          conversationId,
          messageId: message.id,
          kind: 'support',
          queue: 'waiting',
          url: `/c/${conversationId}`,
        },
        collapseKey: `queue:${conversationId}`,
      };
    });
  }

  /** An escalated conversation: its supervisors hear of it on every device. */
  async escalated(conversationId: string): Promise<void> {
    await this.pushEveryDevice(await this.deps.desk.supervisorsOf(conversationId), (locale) => ({
      ...t(locale).supportEscalated(),
      data: { conversationId, kind: 'support', queue: 'escalated', url: `/c/${conversationId}` },
      collapseKey: `escalated:${conversationId}`,
    }));
  }

  /** A conversation missed an SLA deadline: its supervisors hear of it on every device. */
  async slaBreached(conversationId: string, kind: SlaTargetKind, cycle: number): Promise<void> {
    await this.pushEveryDevice(await this.deps.desk.supervisorsOf(conversationId), (locale) => ({
      ...t(locale).supportSlaBreached(kind),
      data: { conversationId, kind: 'support', queue: 'sla', url: `/c/${conversationId}` },
      collapseKey: `sla:${conversationId}:${cycle}:${kind}`,
    }));
  }

  /** A high-priority push, in each device's language, to every device of these staff members. */
  private async pushEveryDevice(
    userIds: string[],
    compose: (locale: Locale) => Pick<PushSendJob['message'], 'title' | 'body' | 'data' | 'collapseKey'>,
  ): Promise<void> {
    const pushes: PushSendJob[] = [];
    for (const userId of userIds) {
      for (const device of await this.deps.devices.listByUser(userId)) {
        pushes.push({
          deviceId: device.id,
          message: { ...compose(device.locale), badge: 0, priority: 'high', ttlSeconds: 3600 },
          attempt: 1,
          support: true,
        });
      }
    }
    await this.deps.jobs.sendMany('push-send', pushes);
  }
}
