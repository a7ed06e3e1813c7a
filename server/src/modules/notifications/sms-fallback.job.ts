import { IdSchema, isE164 } from '@abrik/protocol';
import { z } from 'zod';
import { t } from '../../platform/i18n/messages.js';
import { defineJob } from '../../platform/jobs/registry.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { type SmsProvider, SmsProviderError } from '../../providers/sms/sms.provider.js';
import type { ConversationService } from '../chat/conversation.service.js';
import type { UserService } from '../identity/user.service.js';
import type { DeliveryLogRepository } from './delivery-log.repository.js';
import type { DeviceRepository } from './device.repository.js';
import { today } from './push-ledger.js';

const SmsFallbackSchema = z.object({
  userId: IdSchema,
  conversationId: IdSchema,
  /** The agent's reply: the customer has read it when their marker reached this seq. */
  seq: z.int().min(0),
});
export type SmsFallbackJob = z.infer<typeof SmsFallbackSchema>;
declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** A customer without push who has not read a support reply: one SMS. */
    'sms-fallback': SmsFallbackJob;
  }
}

/** `sms-fallback`: one SMS to a customer who still has not read the reply and has no push. */
export class SmsFallback {
  constructor(
    private readonly deps: {
      conversations: Pick<ConversationService, 'membershipOf'>;
      users: Pick<UserService, 'findById'>;
      devices: Pick<DeviceRepository, 'countByUser'>;
      log: Pick<DeliveryLogRepository, 'takeSmsAllowance' | 'releaseSmsAllowance'>;
      sms: SmsProvider;
      metrics: Metrics;
      logger: Logger;
      /** Most fallback SMS one user receives per day. */
      dailyCap: number;
      now: () => number;
    },
  ) {}

  async send(job: SmsFallbackJob): Promise<void> {
    const { conversations, users, devices, log, sms, logger } = this.deps;
    const membership = await conversations.membershipOf(job.conversationId, job.userId);
    if (!membership || membership.lastReadSeq >= job.seq) return this.outcome('read');
    if ((await devices.countByUser(job.userId)) > 0) return this.outcome('has_push');
    const user = await users.findById(job.userId);
    if (!user) return;
    // A website visitor has no phone to text (their key is not one): the widget shows the reply.
    if (!isE164(user.phone)) return this.outcome('no_phone');
    const day = today(this.deps.now());
    if (!(await log.takeSmsAllowance(user.id, day, this.deps.dailyCap))) {
      logger.info({ userId: user.id }, 'fallback SMS not sent: daily cap reached');
      return this.outcome('capped');
    }
    try {
      await sms.sendText(user.phone, t('fa').supportReplySms());
      this.outcome('sent');
    } catch (error) {
      // Not sent: the allowance goes back, or the retry would find the cap used up by this failure.
      await log.releaseSmsAllowance(user.id, day);
      const transient = error instanceof SmsProviderError && error.transient;
      this.outcome(transient ? 'retry' : 'failed');
      if (transient) throw error; // pg-boss retries with backoff
      logger.error({ err: error, userId: user.id }, 'fallback SMS refused by the provider; not retried');
    }
  }

  /** The provider kept failing until no retry was left: the customer gets no SMS for this reply. */
  gaveUp(job: SmsFallbackJob, error: unknown): void {
    this.outcome('gave_up');
    this.deps.logger.error(
      { err: error, userId: job.userId, conversationId: job.conversationId },
      'fallback SMS given up after its retries; check the SMS provider (abrik doctor)',
    );
  }

  private outcome(outcome: string): void {
    this.deps.metrics.smsSent.inc({ outcome });
  }
}

/** `short` policy: at most one waiting job per singletonKey, so a burst of replies makes one SMS. */
export const smsFallbackJob = (fallback: SmsFallback) =>
  defineJob({
    name: 'sms-fallback',
    payload: SmsFallbackSchema,
    queue: { policy: 'short', retryLimit: 3, retryBackoff: true },
    fetch: { size: 5, workers: 1 },
    perform: (job) => fallback.send(job),
    onFailed: (job, error, { final }) => {
      if (final) fallback.gaveUp(job, error);
    },
  });
