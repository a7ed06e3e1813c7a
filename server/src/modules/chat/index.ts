import type { Db } from '../../platform/db/client.js';
import { pgErrorCode } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import { KeyedGate } from '../../platform/keyed-gate.js';
import type { LatePort } from '../../platform/late-port.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Module } from '../../platform/module.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { UserService } from '../identity/user.service.js';
import type { AttachmentPort } from './attachment-port.js';
import { chatSocket } from './chat.socket.js';
import { ConversationRepository } from './conversation.repository.js';
import { conversationRoutes } from './conversation.routes.js';
import { ConversationService } from './conversation.service.js';
import { MessageRepository, type StoredMessagesJob } from './message.repository.js';
import { messageRoutes } from './message.routes.js';
import { MessageService } from './message.service.js';
import { MessageWriter } from './message-writer.js';
import type { SupportPort, VisitorPort } from './support-port.js';

export interface ChatModule extends Module {
  conversations: ConversationService;
  messages: MessageService;
  /** Messages this process stored in the last second (MessageWriter.recentRate). */
  writeRate(): number;
}

/** Conversations, members, messages, the message writer (group commit) and sync. */
export function createChatModule(deps: {
  db: Db;
  /** The database's writer connections, where the group commit runs. */
  writer: Db;
  /** The notify job of stored messages, written by the group commit's own statement. */
  storedMessagesJob: Promise<StoredMessagesJob>;
  events: DomainEvents;
  live: LiveEvents;
  users: UserService;
  metrics: Metrics;
  logger: Logger;
  /** A send waiting this long for a batch is refused with `db/unavailable`. */
  maxQueueWaitMs: number;
  typingThrottleMs: number;
  /** The support desk, once built (support conversations' tickets, notes, who serves what). */
  support: LatePort<SupportPort>;
  /** The website widget, once built (checks its visitors' messages). */
  visitors?: LatePort<VisitorPort>;
  /** The files module, once built (the attachments messages carry). */
  attachments?: LatePort<AttachmentPort>;
  limits: RateLimitFactory;
  reads: { syncPerMinute: number; historyPerMinute: number; concurrentPerUser: number };
  /** Messages one user may send per minute (every socket, HTTP, every instance with Redis). */
  sendsPerMinute: number;
}): ChatModule {
  const { db, events, live, metrics } = deps;
  const log = deps.logger.child({ component: 'db' });
  const conversationRepo = new ConversationRepository(db);
  const messageRepo = new MessageRepository(db);
  const conversations = new ConversationService({
    db,
    conversations: conversationRepo,
    messages: messageRepo,
    users: deps.users,
    events,
    live,
    support: deps.support,
  });
  const writer = new MessageWriter({
    messages: messageRepo,
    writer: deps.writer,
    job: deps.storedMessagesJob,
    maxQueueWaitMs: deps.maxQueueWaitMs,
    metrics: {
      persisted: (seconds) => metrics.messagePersistDuration.observe(seconds),
      batched: (size) => metrics.messageBatchSize.observe(size),
      batchFailed: (error) => {
        const code = pgErrorCode(error) ?? 'other';
        metrics.messageBatchFailures.inc({ code });
        // A concurrent retry of the same message (23505) is expected now and then. The driver's
        // own message only: the query's text and parameters (message bodies) stay out of the log.
        const cause = (error as { cause?: { message?: unknown } }).cause;
        const reason = typeof cause?.message === 'string' ? cause.message : 'unknown';
        if (code !== '23505') log.warn({ code, reason }, 'group commit failed; messages written one by one');
      },
    },
  });
  const messages = new MessageService({
    writer,
    messages: messageRepo,
    conversations: conversationRepo,
    conversationService: conversations,
    live,
    support: deps.support,
    visitors: deps.visitors,
    attachments: deps.attachments,
    users: deps.users,
    sends: deps.limits({ name: 'send:user:1m', points: deps.sendsPerMinute, durationSeconds: 60 }),
    reads: {
      sync: deps.limits({ name: 'sync:user:1m', points: deps.reads.syncPerMinute, durationSeconds: 60 }),
      history: deps.limits({
        name: 'history:user:1m',
        points: deps.reads.historyPerMinute,
        durationSeconds: 60,
      }),
      gate: new KeyedGate(deps.reads.concurrentPerUser),
    },
  });
  return {
    name: 'chat',
    conversations,
    messages,
    writeRate: () => writer.recentRate(),
    routes: {
      authenticated: [
        conversationRoutes({ conversations }),
        messageRoutes({ messages, onMessageStored: () => metrics.messagesTotal.inc({ transport: 'http' }) }),
      ],
    },
    socket: chatSocket({ conversations, messages, live, metrics, typingThrottleMs: deps.typingThrottleMs }),
  };
}
