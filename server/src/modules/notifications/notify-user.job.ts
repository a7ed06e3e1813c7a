import { IdSchema } from '@abrik/protocol';
import { z } from 'zod';
import { type Locale, t } from '../../platform/i18n/messages.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { defineJob } from '../../platform/jobs/registry.js';
import type { PushMessage } from '../../providers/push/push.provider.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { MessageService } from '../chat/message.service.js';
import type { UserService } from '../identity/user.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { DeviceRepository } from './device.repository.js';
import { preview } from './preview.js';
import type { PushSendJob } from './push-send.job.js';

const NotifyUserSchema = z.object({ userId: IdSchema, conversationId: IdSchema });
export type NotifyUserJob = z.infer<typeof NotifyUserSchema>;
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** One person and conversation: collapse a burst, then one push per device. */
    'notify-user': NotifyUserJob;
  }
}

/** `notify-user`: one notification per device, with the unread count and the latest message. */
export class UserNotifier {
  constructor(
    private readonly deps: {
      conversations: Pick<ConversationService, 'membershipOf' | 'findById'>;
      messages: Pick<MessageService, 'countUnread' | 'latest' | 'unreadTotal'>;
      users: Pick<UserService, 'findById'>;
      devices: Pick<DeviceRepository, 'listByUser'>;
      presence: Pick<PresenceStore, 'online' | 'watching'>;
      jobs: Pick<JobQueue, 'sendMany'>;
    },
  ) {}

  async notify(job: NotifyUserJob): Promise<void> {
    const { conversations, messages, users, devices, presence, jobs } = this.deps;
    const membership = await conversations.membershipOf(job.conversationId, job.userId);
    if (!membership || membership.muted) return;
    const online = (await presence.online([job.userId])).has(job.userId);
    if (online && (await presence.watching([job.userId], job.conversationId)).size > 0) return;
    const unread = await messages.countUnread(job.conversationId, job.userId, membership.lastReadSeq);
    if (unread === 0) return; // read elsewhere meanwhile
    // Connected users read the message live in the app; only their browsers get a push.
    const targets = (await devices.listByUser(job.userId)).filter((d) => !online || d.platform === 'web');
    if (targets.length === 0) return;
    const conversation = await conversations.findById(job.conversationId);
    if (!conversation) return;
    const latest = await messages.latest(job.conversationId);
    if (!latest) return;
    const sender = latest.senderId ? await users.findById(latest.senderId) : undefined;
    const badge = await messages.unreadTotal(job.userId);
    const support = conversation.kind === 'support';
    const pushes: PushSendJob[] = targets.map((device) => {
      const texts = t(device.locale as Locale);
      const text = preview(latest, device.locale as Locale);
      const group = conversation.kind === 'group';
      const { title, body } = texts.push(
        group ? (conversation.title ?? texts.someone) : (sender?.name ?? texts.someone),
        unread,
        group && sender?.name ? `${sender.name}: ${text}` : text,
      );
      const message: PushMessage = {
        title,
        body,
        data: {
          conversationId: conversation.id,
          messageId: latest.id,
          seq: String(latest.seq),
          kind: conversation.kind,
          url: `/c/${conversation.id}`,
        },
        collapseKey: `conv:${conversation.id}`,
        badge,
        priority: 'high',
        ttlSeconds: 86_400,
      };
      return { deviceId: device.id, message, attempt: 1, support };
    });
    await jobs.sendMany('push-send', pushes);
  }
}

export const notifyUserJob = (notifier: UserNotifier) =>
  defineJob({
    name: 'notify-user',
    payload: NotifyUserSchema,
    queue: { retryLimit: 5, retryBackoff: true },
    perform: (job) => notifier.notify(job),
  });
