import { type Locale, t } from '../../platform/i18n/messages.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { MemberWithName } from '../chat/conversation.repository.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { MessageRow } from '../chat/tables.js';
import type { UserService } from '../identity/user.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { DeviceRepository } from './device.repository.js';
import { preview } from './preview.js';
import type { PushSendJob } from './push-send.job.js';

/**
 * Who hears of a support message beyond its members: agents on duty learn of a customer's
 * message nobody has answered yet; a customer without push gets an SMS when an agent's reply
 * stays unread (`sms-fallback`). The support desk (routing, assignees) will refine both.
 */
export class SupportAlerts {
  constructor(
    private readonly deps: {
      conversations: Pick<ConversationService, 'membersOf'>;
      users: Pick<UserService, 'staffIds'>;
      devices: Pick<DeviceRepository, 'countByUser' | 'listByUser'>;
      presence: Pick<PresenceStore, 'online' | 'availability'>;
      jobs: Pick<JobQueue, 'send' | 'sendMany'>;
      /** An agent's reply unread this long by a customer without push: one SMS. */
      smsFallbackMinutes: number;
    },
  ) {}

  /** Support messages just stored (live ones, in seq order). */
  async messagesStored(messages: MessageRow[]): Promise<void> {
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
   * A support conversation no agent has answered yet: its messages go to the agents on duty —
   * connected and `available` — on every device, since they are not members and see nothing live.
   */
  private async alertOnDutyAgents(message: MessageRow, customer: string | null): Promise<void> {
    const { users, presence, devices, jobs } = this.deps;
    const online = [...(await presence.online(await users.staffIds()))];
    const availability = await presence.availability(online);
    const onDuty = online.filter((id) => availability.get(id) === 'available');
    const pushes: PushSendJob[] = [];
    for (const agentId of onDuty) {
      for (const device of await devices.listByUser(agentId)) {
        const texts = t(device.locale as Locale);
        const { title, body } = texts.supportWaiting(customer ?? texts.someone, preview(message.body));
        pushes.push({
          deviceId: device.id,
          message: {
            title,
            body,
            data: {
              conversationId: message.conversationId,
              messageId: message.id,
              kind: 'support',
              queue: 'waiting',
              url: `/c/${message.conversationId}`,
            },
            collapseKey: `queue:${message.conversationId}`,
            badge: 0,
            priority: 'high',
            ttlSeconds: 3600,
          },
          attempt: 1,
          support: true,
        });
      }
    }
    await jobs.sendMany('push-send', pushes);
  }
}
