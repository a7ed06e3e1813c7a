import { IdSchema } from '@abrik/protocol';
import { z } from 'zod';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { defineJob } from '../../platform/jobs/registry.js';
import type { StoredMessagesJob } from '../chat/message.repository.js';
import type { MessageService } from '../chat/message.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { DeviceRepository, PushTargetRow } from './device.repository.js';
import type { SupportAlerts } from './support-alerts.js';

const MessageRefSchema = z.object({ messageId: IdSchema, conversationId: IdSchema });
/** The messages of one commit (a single message in jobs queued by earlier versions). */
const NotifyMessageSchema = z.union([z.object({ messages: z.array(MessageRefSchema) }), MessageRefSchema]);
export type NotifyMessageJob = z.infer<typeof NotifyMessageSchema>;
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** A commit's stored messages: work out who is notified (written by the messages' statement). */
    'notify-message': NotifyMessageJob;
  }
}

/**
 * The `notify-message` job of the messages a group commit stored, as SQL its own statement runs
 * on them (`inserted`: the CTE of stored rows); no job when none was stored.
 */
export async function storedMessagesJob(jobs: Pick<JobQueue, 'insertStatement'>): Promise<StoredMessagesJob> {
  const insert = await jobs.insertStatement('notify-message');
  return (inserted) =>
    insert(
      `select case when count(*) = 0 then '[]' else json_build_array(json_build_object('data',
         json_build_object('messages', json_agg(json_build_object('messageId', i.id, 'conversationId', i.conversation_id)))))::text end
       from ${inserted} i`,
    );
}

/**
 * `notify-message`: for the messages of a fetch of jobs, the members to notify, and the support
 * rules for support conversations. Two queries whatever the fetch's size, and they return only
 * what needs work: recipients who have a device, and messages of support conversations.
 */
export class MessageNotifier {
  constructor(
    private readonly deps: {
      devices: Pick<DeviceRepository, 'pushTargets'>;
      messages: Pick<MessageService, 'liveInSupport'>;
      presence: Pick<PresenceStore, 'online' | 'watching'>;
      support: Pick<SupportAlerts, 'messagesStored'>;
      jobs: Pick<JobQueue, 'sendDebounced'>;
      /** Notifications for one person and conversation within this window collapse into one. */
      collapseSeconds: number;
    },
  ) {}

  async notify(jobs: NotifyMessageJob[]): Promise<void> {
    // Jobs queued by an earlier version carry one message each.
    const refs = jobs.flatMap((job) => ('messages' in job ? job.messages : [job]));
    if (refs.length === 0) return;
    const ids = refs.map((r) => r.messageId);
    const [targets, support] = await Promise.all([
      this.deps.devices.pushTargets(ids),
      this.deps.messages.liveInSupport(ids),
    ]);
    if (targets.length > 0) await this.notifyMembers(targets);
    if (support.length > 0) await this.deps.support.messagesStored(support);
  }

  /**
   * A `notify-user` job (collapsed per member and conversation) for each recipient who can be
   * reached: offline, any device; connected elsewhere, a browser still gets its web push unless
   * it shows this conversation right now.
   */
  private async notifyMembers(targets: PushTargetRow[]): Promise<void> {
    const { presence, jobs, collapseSeconds } = this.deps;
    const online = await presence.online([...new Set(targets.map((t) => t.userId))]);
    for (const [conversationId, recipients] of Map.groupBy(targets, (t) => t.conversationId)) {
      const reachable = recipients
        .filter((r) => (online.has(r.userId) ? r.web : r.web || r.phone))
        .map((r) => r.userId);
      if (reachable.length === 0) continue;
      const watching = await presence.watching(
        reachable.filter((id) => online.has(id)),
        conversationId,
      );
      for (const userId of reachable) {
        if (watching.has(userId)) continue;
        await jobs.sendDebounced(
          'notify-user',
          { userId, conversationId },
          collapseSeconds,
          `${userId}:${conversationId}`,
        );
      }
    }
  }
}

/** One job per group commit: at a high message rate hundreds a second, so a fetch at a time. */
export const notifyMessageJob = (notifier: MessageNotifier) =>
  defineJob({
    name: 'notify-message',
    payload: NotifyMessageSchema,
    queue: { retryLimit: 5, retryBackoff: true },
    fetch: { size: 100, workers: 1 },
    performBatch: async (jobs) => {
      const handled = notifier.notify(jobs);
      return jobs.map(() => handled);
    },
  });
