import type { Executor } from '../db/client.js';
import type { DeviceRow, MessageRow } from '../db/schema.js';
import { type Locale, t } from '../i18n/messages.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { PushMessage, PushOutcome, PushProvider, PushTarget } from '../providers/push/push.provider.js';
import type { SmsProvider } from '../providers/sms/sms.provider.js';
import { SmsProviderError } from '../providers/sms/sms.provider.js';
import type { ConversationRepository } from '../repositories/conversation.repository.js';
import type { DeviceRepository, PushTargetRow } from '../repositories/device.repository.js';
import type { MessageRepository } from '../repositories/message.repository.js';
import type { PushRepository } from '../repositories/push.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { PresenceStore } from './presence.store.js';

/** What the pipeline needs from the job queue (pg-boss in production). */
export interface NotificationJobs {
  sendManyInTransaction(tx: Executor, name: 'notify-message', data: NotifyMessageJob[]): Promise<void>;
  /** pg-boss's INSERT with its job list replaced by an SQL expression (see JobQueue.inlineInsert). */
  inlineInsert?(name: 'notify-message'): Promise<((jobsJsonText: string) => string) | undefined>;
  sendCollapsed(name: 'notify-user', data: NotifyUserJob, seconds: number, key: string): Promise<void>;
  sendMany(name: 'push-send', data: PushSendJob[]): Promise<void>;
  send(name: 'push-send', data: PushSendJob, options?: { startAfter?: number }): Promise<unknown>;
  send(name: 'push-dead', data: DeadPushJob): Promise<unknown>;
  send(
    name: 'sms-fallback',
    data: SmsFallbackJob,
    options: { startAfter: number; singletonKey: string },
  ): Promise<unknown>;
}

interface MessageRef {
  messageId: string;
  conversationId: string;
}
/** The messages of one commit (a single message in jobs queued by earlier versions). */
export type NotifyMessageJob = { messages: MessageRef[] } | MessageRef;
export interface NotifyUserJob {
  userId: string;
  conversationId: string;
}
export interface PushSendJob {
  deviceId: string;
  message: PushMessage;
  /** 1 for the first try; each transient failure re-enqueues with attempt + 1. */
  attempt: number;
  /** Support notifications keep priority when the daily quota runs low. */
  support: boolean;
}
export interface DeadPushJob extends PushSendJob {
  provider: string;
  reason: string;
  failedAt: string;
}
export interface SmsFallbackJob {
  userId: string;
  conversationId: string;
  /** The agent's reply: the customer has read it when their marker reached this seq. */
  seq: number;
}

export interface NotificationSettings {
  collapseSeconds: number;
  maxAttempts: number;
  dailyLimit: number;
  smsFallbackMinutes: number;
  smsDailyCap: number;
  /** How long a provider whose credentials were refused is left alone. */
  circuitSeconds: number;
}

const PREVIEW_LENGTH = 120;
const FLUSH_MS = 500;
/** Above this share of the daily quota, only support notifications go out. */
const CHAT_YIELDS_AT = 0.9;
const WARN_AT = 0.8;

const today = (now: number) => new Date(now).toISOString().slice(0, 10);

/**
 * Who is notified of what, and how each push ends. A stored message becomes a `notify-message`
 * job in the same transaction; members who are not connected and did not mute the conversation
 * get a collapsed `notify-user` job; that becomes one `push-send` job per device. Dead tokens are
 * deleted at once, transient failures retried with backoff (honouring Retry-After), refused
 * credentials trip a circuit instead of a retry storm, and whatever cannot be sent lands in the
 * dead-letter queue.
 */
export class NotificationService {
  private readonly log: Logger;
  private readonly openCircuits = new Map<string, number>();
  private warnedDay: string | undefined;
  /**
   * Outcome rows and quota use are written in batches (every FLUSH_MS): one row lock on the day's
   * quota per push would serialise every worker. The quota read is cached as long, so the guard
   * may overshoot by at most what the workers send within that time.
   */
  private pendingOutcomes: { provider: string; outcome: string; reason?: string | undefined }[] = [];
  private pendingQuota = 0;
  private quotaCache: { day: string; used: number; at: number } | undefined;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repos: {
      messages: MessageRepository;
      conversations: ConversationRepository;
      users: UserRepository;
      devices: DeviceRepository;
      push: PushRepository;
    },
    private readonly presence: PresenceStore,
    private readonly jobs: NotificationJobs,
    private readonly providers: { phone: PushProvider | undefined; web: PushProvider | undefined },
    private readonly sms: SmsProvider,
    private readonly metrics: Metrics,
    private readonly settings: NotificationSettings,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.log = logger.child({ component: 'jobs' });
  }

  /**
   * Called inside the messages' transaction: committed messages ⇒ one job for the lot (a group
   * commit stores up to a few hundred at once), rolled back ⇒ none.
   */
  async messagesStored(tx: Executor, messages: MessageRow[]): Promise<void> {
    if (messages.length === 0) return;
    await this.jobs.sendManyInTransaction(tx, 'notify-message', [
      { messages: messages.map((m) => ({ messageId: m.id, conversationId: m.conversationId })) },
    ]);
  }

  /**
   * The same job as `messagesStored`, as a statement to run in a data-modifying CTE right after
   * the messages' INSERT (`inserted`: the CTE holding the stored rows); no job when it is empty.
   * Undefined when the job queue cannot enqueue that way.
   */
  async messagesStoredStatement(): Promise<((inserted: string) => string) | undefined> {
    const insert = await this.jobs.inlineInsert?.('notify-message');
    if (!insert) return undefined;
    return (inserted) =>
      insert(
        `select case when count(*) = 0 then '[]' else json_build_array(json_build_object('data',
           json_build_object('messages', json_agg(json_build_object('messageId', i.id, 'conversationId', i.conversation_id)))))::text end
         from ${inserted} i`,
      );
  }

  /**
   * notify-message: picks, for the messages of a batch of jobs (each the messages of one commit),
   * the members to notify and, for support replies, schedules the SMS fallback. Two queries
   * whatever the batch's size, and they return only what needs work: recipients who have a
   * device (the database joins messages, members and devices) and messages of support
   * conversations. A batch with neither — the common case for people chatting live without an
   * app — costs two empty answers, not the batch's messages and members read back.
   */
  async handleMessages(jobs: NotifyMessageJob[]): Promise<void> {
    // Jobs queued by an earlier version carry one message each.
    const refs = jobs.flatMap((job) => ('messages' in job ? job.messages : [job]));
    if (refs.length === 0) return;
    const ids = refs.map((r) => r.messageId);
    const [targets, support] = await Promise.all([
      this.repos.devices.pushTargets(ids),
      this.repos.messages.liveInSupport(ids),
    ]);
    if (targets.length > 0) await this.notifyMembers(targets);
    if (support.length === 0) return;
    const conversationIds = [...new Set(support.map((m) => m.conversationId))];
    const members = await this.repos.conversations.listMembers(conversationIds);
    for (const message of support) {
      await this.supportMessage(
        message.conversationId,
        message,
        members.filter((m) => m.conversationId === message.conversationId),
      );
    }
  }

  /**
   * A `notify-user` job (collapsed per member and conversation) for each recipient who can be
   * reached: offline, any device; connected elsewhere, the message arrived live, but a browser
   * showing another conversation (or in the background) still gets its web push; on screen right
   * now, nothing to add.
   */
  private async notifyMembers(targets: PushTargetRow[]): Promise<void> {
    const online = await this.presence.online([...new Set(targets.map((t) => t.userId))]);
    const byConversation = new Map<string, PushTargetRow[]>();
    for (const target of targets) {
      const list = byConversation.get(target.conversationId);
      if (list) list.push(target);
      else byConversation.set(target.conversationId, [target]);
    }
    for (const [conversationId, recipients] of byConversation) {
      const reachable = recipients
        .filter((r) => (online.has(r.userId) ? r.web : r.web || r.phone))
        .map((r) => r.userId);
      if (reachable.length === 0) continue;
      const watching = await this.presence.watching(
        reachable.filter((id) => online.has(id)),
        conversationId,
      );
      for (const userId of reachable) {
        if (watching.has(userId)) continue;
        await this.jobs.sendCollapsed(
          'notify-user',
          { userId, conversationId },
          this.settings.collapseSeconds,
          `${userId}:${conversationId}`,
        );
      }
    }
  }

  /** A support message: agents on duty hear of unanswered ones; customers of agents' replies. */
  private async supportMessage(
    conversationId: string,
    message: MessageRow,
    members: { userId: string; role: string; name: string | null }[],
  ): Promise<void> {
    const sender = members.find((m) => m.userId === message.senderId);
    if (sender?.role === 'customer' && !members.some((m) => m.role === 'agent')) {
      await this.notifyOnDutyAgents(conversationId, message, sender.name);
    }
    if (sender?.role === 'agent') {
      for (const customer of members.filter((m) => m.role === 'customer')) {
        if ((await this.repos.devices.countByUser(customer.userId)) > 0) continue;
        await this.jobs.send(
          'sms-fallback',
          { userId: customer.userId, conversationId, seq: message.seq },
          {
            startAfter: this.settings.smsFallbackMinutes * 60,
            // One pending SMS per customer and conversation, however many replies follow.
            singletonKey: `${customer.userId}:${conversationId}`,
          },
        );
      }
    }
  }

  /**
   * A support conversation no agent has answered yet: its messages go to the agents on duty —
   * connected and `available` — on every device, since they are not members and see nothing live.
   */
  private async notifyOnDutyAgents(conversationId: string, message: MessageRow, customer: string | null) {
    const staff = await this.repos.users.staffIds();
    const online = [...(await this.presence.online(staff))];
    const availability = await this.presence.availability(online);
    const onDuty = online.filter((id) => availability.get(id) === 'available');
    const pushes: PushSendJob[] = [];
    for (const agentId of onDuty) {
      for (const device of await this.repos.devices.listByUser(agentId)) {
        const texts = t(device.locale as Locale);
        const { title, body } = texts.supportWaiting(
          customer ?? texts.someone,
          [...(message.body ?? '')].slice(0, PREVIEW_LENGTH).join(''),
        );
        pushes.push({
          deviceId: device.id,
          message: {
            title,
            body,
            data: {
              conversationId,
              messageId: message.id,
              kind: 'support',
              queue: 'waiting',
              url: `/c/${conversationId}`,
            },
            collapseKey: `queue:${conversationId}`,
            badge: 0,
            priority: 'high',
            ttlSeconds: 3600,
          },
          attempt: 1,
          support: true,
        });
      }
    }
    await this.jobs.sendMany('push-send', pushes);
  }

  /** notify-user: one notification per device, with the unread count and the latest message. */
  async handleUser(job: NotifyUserJob): Promise<void> {
    const membership = await this.repos.conversations.getMembership(job.conversationId, job.userId);
    if (!membership || membership.muted) return;
    const online = (await this.presence.online([job.userId])).has(job.userId);
    if (online && (await this.presence.watching([job.userId], job.conversationId)).size > 0) return;
    const unread = await this.repos.messages.countUnread(
      job.conversationId,
      job.userId,
      membership.lastReadSeq,
    );
    if (unread === 0) return; // read elsewhere meanwhile
    // Connected users read the message live in the app; only their browsers get a push.
    const devices = (await this.repos.devices.listByUser(job.userId)).filter(
      (d) => !online || d.platform === 'web',
    );
    if (devices.length === 0) return;
    const conversation = await this.repos.conversations.getById(job.conversationId);
    if (!conversation) return;
    const [latest] = await this.repos.messages.listPage(job.conversationId, { limit: 1 });
    if (!latest) return;
    const sender = latest.senderId ? await this.repos.users.getById(latest.senderId) : undefined;
    const badge = await this.repos.push.unreadTotal(job.userId);
    const support = conversation.kind === 'support';
    const pushes: PushSendJob[] = [];
    for (const device of devices) {
      const texts = t(device.locale as Locale);
      const preview = [...(latest.body ?? '')].slice(0, PREVIEW_LENGTH).join('');
      const { title, body } = texts.push(
        conversation.kind === 'group'
          ? (conversation.title ?? texts.someone)
          : (sender?.name ?? texts.someone),
        unread,
        conversation.kind === 'group' && sender?.name ? `${sender.name}: ${preview}` : preview,
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
      pushes.push({ deviceId: device.id, message, attempt: 1, support });
    }
    await this.jobs.sendMany('push-send', pushes);
  }

  /**
   * A batch of push-send jobs: their devices and read markers are read in one query, then the
   * pushes go out concurrently. Answers one promise per job, in order.
   */
  async handlePushes(jobs: PushSendJob[]): Promise<Promise<void>[]> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const pairs = jobs
      .filter((j) => uuid.test(j.deviceId) && uuid.test(j.message.data.conversationId ?? ''))
      .map((j) => ({ deviceId: j.deviceId, conversationId: j.message.data.conversationId! }));
    const found = await this.repos.devices.getManyForPush(pairs);
    return jobs.map((job) =>
      this.sendOne(job, found.get(`${job.deviceId}:${job.message.data.conversationId}`)),
    );
  }

  private async sendOne(
    job: PushSendJob,
    found: { device: DeviceRow; lastReadSeq: number | undefined } | undefined,
  ): Promise<void> {
    const conversationId = job.message.data.conversationId;
    if (!found) return; // deleted meanwhile (dead token, sign-out, purge)
    const { device } = found;
    const target = toTarget(device);
    const provider = target.platform === 'web' ? this.providers.web : this.providers.phone;
    if (!provider) return this.deadLetter(job, 'none', 'no push provider for this platform');
    const name = provider.name;

    // Read elsewhere since it was queued (retries and collapsed jobs can be late), or no longer a
    // member: stay quiet.
    const seq = job.message.data.queue === 'waiting' ? Number.NaN : Number(job.message.data.seq);
    if (
      conversationId &&
      Number.isFinite(seq) &&
      (found.lastReadSeq === undefined || found.lastReadSeq >= seq)
    ) {
      this.metrics.notificationsSent.inc({ provider: name, outcome: 'already_read' });
      return;
    }

    const openUntil = this.openCircuits.get(name) ?? 0;
    if (openUntil > this.now())
      return this.finish(job, name, { outcome: 'failed', reason: 'circuit_open' }, 'circuit_open');

    const day = today(this.now());
    const used = await this.quotaUsed(day);
    if (
      used >= this.settings.dailyLimit ||
      (!job.support && used >= this.settings.dailyLimit * CHAT_YIELDS_AT)
    ) {
      this.metrics.notificationsSent.inc({ provider: name, outcome: 'quota_skipped' });
      this.record(name, 'quota_skipped');
      this.log.warn(
        { deviceId: device.id, used, limit: this.settings.dailyLimit },
        'push skipped: daily quota nearly used up; support notifications keep priority',
      );
      return;
    }

    const outcome = await provider.send(target, job.message);
    await this.finish(job, name, outcome, outcome.outcome);
    if (outcome.outcome === 'sent') this.countQuota(day);
  }

  /** sms-fallback: one SMS to a customer who still has not read the reply and has no push. */
  async handleSmsFallback(job: SmsFallbackJob): Promise<void> {
    const membership = await this.repos.conversations.getMembership(job.conversationId, job.userId);
    if (!membership || membership.lastReadSeq >= job.seq) return this.smsOutcome('read');
    if ((await this.repos.devices.countByUser(job.userId)) > 0) return this.smsOutcome('has_push');
    const user = await this.repos.users.getById(job.userId);
    if (!user) return;
    const day = today(this.now());
    if (!(await this.repos.push.takeSmsAllowance(user.id, day, this.settings.smsDailyCap))) {
      this.log.info({ userId: user.id }, 'fallback SMS not sent: daily cap reached');
      return this.smsOutcome('capped');
    }
    try {
      await this.sms.sendText(user.phone, t('fa').supportReplySms('آبریک'));
      this.smsOutcome('sent');
    } catch (error) {
      // Not sent: the allowance goes back, or the retry would find the cap used up by this failure.
      await this.repos.push.releaseSmsAllowance(user.id, day);
      const transient = error instanceof SmsProviderError && error.transient;
      this.smsOutcome(transient ? 'retry' : 'failed');
      if (transient) throw error; // pg-boss retries with backoff
      this.log.error({ err: error, userId: user.id }, 'fallback SMS refused by the provider; not retried');
    }
  }

  /** Devices not refreshed for long: counted (stale) or deleted (purge) — the runbook's SQL, automatic. */
  async maintainTokens(staleDays: number, purgeDays: number): Promise<{ stale: number; purged: number }> {
    const day = 86_400_000;
    const stale = await this.repos.devices.countNotUpdatedSince(new Date(this.now() - staleDays * day));
    const purged = await this.repos.devices.deleteNotUpdatedSince(new Date(this.now() - purgeDays * day));
    this.metrics.pushTokensStale.set(stale);
    if (purged > 0) this.metrics.pushTokensRemoved.inc({ reason: 'stale' }, purged);
    await this.repos.push.deleteOutcomesBefore(new Date(this.now() - 2 * day));
    this.log.info({ stale, purged, staleDays, purgeDays }, 'device tokens checked');
    return { stale, purged };
  }

  private async finish(
    job: PushSendJob,
    provider: string,
    outcome: PushOutcome,
    label: string,
  ): Promise<void> {
    this.metrics.notificationsSent.inc({ provider, outcome: label });
    this.record(provider, label, 'reason' in outcome ? outcome.reason : undefined);
    switch (outcome.outcome) {
      case 'sent':
        return;
      case 'invalid_token':
        await this.repos.devices.delete(job.deviceId);
        this.metrics.pushTokensRemoved.inc({ reason: outcome.reason });
        this.log.info(
          { deviceId: job.deviceId, provider, reason: outcome.reason },
          'dead device token deleted; not retried',
        );
        return;
      case 'retry': {
        if (job.attempt >= this.settings.maxAttempts) {
          return this.deadLetter(job, provider, `gave up after ${job.attempt} attempts: ${outcome.reason}`);
        }
        const backoff = Math.min(2 ** job.attempt * 1000, 300_000) * (0.5 + Math.random() / 2);
        const delayMs = Math.max(outcome.retryAfterMs ?? 0, backoff);
        await this.jobs.send(
          'push-send',
          { ...job, attempt: job.attempt + 1 },
          { startAfter: Math.ceil(delayMs / 1000) },
        );
        this.log.warn(
          {
            deviceId: job.deviceId,
            provider,
            reason: outcome.reason,
            attempt: job.attempt,
            retryInMs: Math.round(delayMs),
          },
          'push failed for now; retried with backoff',
        );
        return;
      }
      case 'auth_error':
        this.openCircuits.set(provider, this.now() + this.settings.circuitSeconds * 1000);
        this.log.error(
          { provider, reason: outcome.reason, pauseSeconds: this.settings.circuitSeconds },
          'push provider refused our credentials; pausing it (circuit open) and dead-lettering; check the credentials, then replay the dead letters',
        );
        return this.deadLetter(job, provider, outcome.reason);
      case 'failed':
        return this.deadLetter(job, provider, outcome.reason);
    }
  }

  private async deadLetter(job: PushSendJob, provider: string, reason: string): Promise<void> {
    await this.jobs.send('push-dead', {
      ...job,
      provider,
      reason,
      failedAt: new Date(this.now()).toISOString(),
    });
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
        await this.repos.push.recordOutcomes(outcomes);
        if (quota > 0) {
          const day = today(this.now());
          const used = await this.repos.push.useQuota(day, quota);
          this.quotaCache = { day, used, at: this.now() };
          this.metrics.pushQuotaUsed.set(used);
          if (used >= this.settings.dailyLimit * WARN_AT && this.warnedDay !== day) {
            this.warnedDay = day;
            this.log.warn(
              { used, limit: this.settings.dailyLimit },
              'push quota 80 % used today; chat notifications stop at 90 %, support ones at 100 %',
            );
          }
        }
      } catch (error) {
        this.log.warn(
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

  private record(provider: string, outcome: string, reason?: string): void {
    this.pendingOutcomes.push({ provider, outcome, reason });
    this.scheduleFlush();
  }

  private countQuota(day: string): void {
    this.pendingQuota += 1;
    if (this.quotaCache?.day === day) this.quotaCache.used += 1;
    this.scheduleFlush();
  }

  private async quotaUsed(day: string): Promise<number> {
    const cached = this.quotaCache;
    if (cached && cached.day === day && this.now() - cached.at < FLUSH_MS) return cached.used;
    const used = (await this.repos.push.quotaUsed(day)) + this.pendingQuota;
    this.quotaCache = { day, used, at: this.now() };
    return used;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.flushTimer.unref();
  }

  private smsOutcome(outcome: string): void {
    this.metrics.smsSent.inc({ outcome });
  }
}

function toTarget(device: DeviceRow): PushTarget {
  if (device.platform === 'web') {
    return {
      deviceId: device.id,
      platform: 'web',
      subscription: { endpoint: device.endpoint!, keys: { p256dh: device.p256dh!, auth: device.auth! } },
    };
  }
  return { deviceId: device.id, platform: device.platform, token: device.token! };
}
