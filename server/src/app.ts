import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/client.js';
import { pgErrorCode } from './errors.js';
import { buildHttpApp } from './http/app.js';
import { JobQueue, QUEUES } from './jobs/queue.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { FcmPushProvider, loadServiceAccount } from './providers/push/fcm.provider.js';
import { LogPushProvider } from './providers/push/log.provider.js';
import type { PushProvider } from './providers/push/push.provider.js';
import { WebPushProvider } from './providers/push/webpush.provider.js';
import { KavenegarSmsProvider } from './providers/sms/kavenegar.provider.js';
import { LogSmsProvider } from './providers/sms/log.provider.js';
import type { SmsProvider } from './providers/sms/sms.provider.js';
import { RealtimeGateway } from './realtime/gateway.js';
import { connectRedis, type Redis } from './redis/client.js';
import { RedisPresenceStore } from './redis/presence.store.js';
import { AuthRepository } from './repositories/auth.repository.js';
import { ConversationRepository } from './repositories/conversation.repository.js';
import { DeviceRepository } from './repositories/device.repository.js';
import { MessageRepository } from './repositories/message.repository.js';
import { PushRepository } from './repositories/push.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth.service.js';
import { ConversationService } from './services/conversation.service.js';
import { DeviceService } from './services/device.service.js';
import { DomainEvents } from './services/events.js';
import { MessageService } from './services/message.service.js';
import {
  type NotificationJobs,
  NotificationService,
  type NotifyMessageJob,
  type NotifyUserJob,
  type PushSendJob,
  type SmsFallbackJob,
} from './services/notification.service.js';
import { PresenceService } from './services/presence.service.js';
import { MemoryPresenceStore, type PresenceStore } from './services/presence.store.js';
import { rateLimits } from './services/rate-limit.js';
import { TokenService } from './services/token.service.js';
import { UserService } from './services/user.service.js';

export interface AppOptions {
  logger?: Logger;
  /** Replaces the SMS provider chosen by the configuration (tests capture codes with it). */
  sms?: SmsProvider;
  /** Replaces the push providers chosen by the configuration. */
  push?: { phone?: PushProvider; web?: PushProvider };
  /** How often idle job workers poll (seconds). */
  jobPollSeconds?: number;
  /**
   * `all` (abrik serve): API, realtime gateway and, with WORKERS, the job workers. `worker`
   * (abrik worker): the job workers with only /health and /metrics on HTTP.
   */
  role?: 'all' | 'worker';
  /** PGlite location when DATABASE_URL is unset; `memory://` for throw-away databases. */
  pglitePath?: string;
  presenceOfflineGraceMs?: number;
  typingThrottleMs?: number;
  now?: () => number;
}

export interface App {
  config: Config;
  logger: Logger;
  database: Database;
  /** Present when REDIS_URL is set. */
  redis: Redis | undefined;
  metrics: Metrics;
  http: FastifyInstance;
  /** Absent in the worker role. */
  gateway: RealtimeGateway | undefined;
  services: {
    auth: AuthService;
    users: UserService;
    conversations: ConversationService;
    messages: MessageService;
    presence: PresenceService;
    tokens: TokenService;
    notifications: NotificationService;
    devices: DeviceService;
  };
  jobs: JobQueue;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Drains and stops: refuses new work, finishes acked writes, closes sockets and the database. */
  stop(): Promise<void>;
}

/** The push provider for phones and for browsers, as PUSH_PROVIDERS says. */
export async function createPushProviders(
  config: Config,
  logger: Logger,
): Promise<{ phone: PushProvider | undefined; web: PushProvider | undefined }> {
  const enabled = config.PUSH_PROVIDERS;
  const log = enabled.includes('log') ? new LogPushProvider() : undefined;
  const phone = enabled.includes('fcm')
    ? new FcmPushProvider({
        serviceAccount: await loadServiceAccount(config.FIREBASE_SERVICE_ACCOUNT_PATH!),
        baseUrl: config.FCM_BASE_URL,
        logger,
      })
    : log;
  const web =
    enabled.includes('webpush') && config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY
      ? new WebPushProvider({
          vapid: {
            publicKey: config.VAPID_PUBLIC_KEY,
            privateKey: config.VAPID_PRIVATE_KEY,
            subject: config.VAPID_SUBJECT,
          },
          logger,
        })
      : log;
  return { phone, web };
}

export function createSmsProvider(config: Config, logger: Logger): SmsProvider {
  if (config.SMS_PROVIDER === 'kavenegar') {
    return new KavenegarSmsProvider({
      apiKey: config.KAVENEGAR_API_KEY!,
      baseUrl: config.KAVENEGAR_BASE_URL,
      otpTemplate: config.KAVENEGAR_OTP_TEMPLATE,
      sender: config.KAVENEGAR_SENDER,
      timeoutMs: config.KAVENEGAR_TIMEOUT_MS,
      logger,
    });
  }
  return new LogSmsProvider();
}

/** The composition root: builds every part by hand, in dependency order. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const role = options.role ?? 'all';
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.dataDir,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
    ...(options.pglitePath ? { pglitePath: options.pglitePath } : {}),
  });
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  const { db } = database;
  const redis = config.REDIS_URL
    ? await connectRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger)
    : undefined;
  let presence: PresenceService | undefined;
  const presenceStore: PresenceStore = redis
    ? new RedisPresenceStore(redis, {
        instanceId: config.INSTANCE_ID,
        heartbeatMs: config.PRESENCE_HEARTBEAT_SECONDS * 1000,
        instanceTtlMs: config.PRESENCE_INSTANCE_TTL_SECONDS * 1000,
        leaveGraceMs: Math.max(config.PRESENCE_OFFLINE_GRACE_MS, 2000),
        onChange: (changes) => void presence?.applyChanges(changes),
        logger,
      })
    : new MemoryPresenceStore();
  const metrics = new Metrics({
    poolStats: () => database.poolStats(),
    redisUp: redis ? () => redis.isReady() : undefined,
    clusterConnections: redis ? () => presenceStore.clusterConnections() : undefined,
    jobQueues: async () =>
      Promise.all(
        (await jobs.stats()).map(async (q) => ({
          queue: q.name,
          depth: q.queuedCount,
          oldestSeconds: await jobs.oldestWaitingSeconds(database, q.name as never),
        })),
      ),
  });
  const events = new DomainEvents((error, event) =>
    logger
      .child({ component: 'events' })
      .error({ err: error, event }, 'event listener failed; delivery skipped'),
  );

  const userRepo = new UserRepository(db);
  const authRepo = new AuthRepository(db);
  const conversationRepo = new ConversationRepository(db);
  const messageRepo = new MessageRepository(db);
  const deviceRepo = new DeviceRepository(db);
  const pushRepo = new PushRepository(db);
  const jobs = await JobQueue.create(database, {
    pollSeconds: options.jobPollSeconds ?? 2,
    expireSeconds: config.JOBS_EXPIRE_SECONDS,
    logger,
  });

  const limits = rateLimits(redis);
  const smsProvider = options.sms ?? createSmsProvider(config, logger);
  const tokens = new TokenService(
    config.JWT_SECRET,
    config.JWT_ACCESS_TTL_SECONDS,
    config.JWT_CLOCK_SKEW_SECONDS,
    options.now,
  );
  const auth = new AuthService(
    db,
    authRepo,
    userRepo,
    tokens,
    smsProvider,
    {
      otpSecret: config.JWT_SECRET,
      otpTtlSeconds: config.OTP_TTL_SECONDS,
      otpMaxAttempts: config.OTP_MAX_ATTEMPTS,
      otpPhoneIntervalSeconds: config.OTP_PHONE_INTERVAL_SECONDS,
      otpPhonePerHour: config.OTP_PHONE_PER_HOUR,
      otpRequestsPerIpHour: config.OTP_REQUESTS_PER_IP_HOUR,
      otpVerifyPerIpHour: config.OTP_VERIFY_PER_IP_HOUR,
      refreshTtlDays: config.JWT_REFRESH_TTL_DAYS,
    },
    limits,
    logger,
    options.now,
  );
  const users = new UserService(userRepo, config.LOOKUP_PER_USER_HOUR, limits);
  const conversations = new ConversationService(db, conversationRepo, messageRepo, userRepo, events);
  const pushProviders = options.push
    ? { phone: options.push.phone, web: options.push.web }
    : await createPushProviders(config, logger);
  const notifications = new NotificationService(
    {
      messages: messageRepo,
      conversations: conversationRepo,
      users: userRepo,
      devices: deviceRepo,
      push: pushRepo,
    },
    presenceStore,
    jobs as unknown as NotificationJobs,
    pushProviders,
    smsProvider,
    metrics,
    {
      collapseSeconds: config.PUSH_COLLAPSE_SECONDS,
      maxAttempts: config.PUSH_MAX_ATTEMPTS,
      dailyLimit: config.PUSH_DAILY_LIMIT,
      smsFallbackMinutes: config.SMS_FALLBACK_MINUTES,
      smsDailyCap: config.SMS_DAILY_CAP,
      circuitSeconds: 300,
    },
    logger,
    options.now,
  );
  const messages = new MessageService(
    db,
    messageRepo,
    conversationRepo,
    events,
    {
      persisted: (seconds) => metrics.messagePersistDuration.observe(seconds),
      batched: (size) => metrics.messageBatchSize.observe(size),
      batchFailed: (error) => {
        const code = pgErrorCode(error) ?? 'other';
        metrics.messageBatchFailures.inc({ code });
        // A concurrent retry of the same message (23505) is expected now and then; anything
        // else is a bug or a database problem worth seeing.
        // The driver's own message only: the failed query's text and parameters (message bodies)
        // stay out of the log.
        const cause = (error as { cause?: { message?: unknown } }).cause;
        const reason = typeof cause?.message === 'string' ? cause.message : 'unknown';
        if (code !== '23505')
          logger.warn({ code, reason }, 'group commit failed; messages stored one by one');
      },
    },
    {
      onStored: (tx, stored) => notifications.messagesStored(tx, stored),
      storedStatement: await notifications.messagesStoredStatement(),
      maxQueueWaitMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      writer: database.writer,
    },
  );
  const devices = new DeviceService(deviceRepo, {
    providers: config.PUSH_PROVIDERS,
    webPushHosts: config.webPushHosts,
  });
  presence = new PresenceService(
    presenceStore,
    userRepo,
    conversationRepo,
    events,
    logger,
    options.presenceOfflineGraceMs ?? config.PRESENCE_OFFLINE_GRACE_MS,
    config.PRESENCE_GROUP_LIMIT,
  );

  let draining = false;
  const http = await buildHttpApp({
    logger,
    metrics,
    database,
    redis,
    instanceId: config.INSTANCE_ID,
    tokens,
    auth,
    users,
    conversations,
    messages,
    devices,
    // With the log provider too, so a browser can subscribe in development (pushes are printed).
    vapidPublicKey: config.PUSH_PROVIDERS.some((p) => p === 'webpush' || p === 'log')
      ? config.VAPID_PUBLIC_KEY
      : undefined,
    webDistDir: config.webDistDir,
    api: role === 'all',
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    isDraining: () => draining,
  });
  const gateway =
    role === 'worker'
      ? undefined
      : new RealtimeGateway(http.server, {
          tokens,
          messages,
          conversations,
          presence,
          events,
          metrics,
          logger,
          maxPayloadBytes: config.SOCKET_MAX_PAYLOAD_BYTES,
          authGraceSeconds: config.SOCKET_AUTH_GRACE_SECONDS,
          corsOrigins: config.corsOrigins,
          redis,
          ...(options.typingThrottleMs !== undefined ? { typingThrottleMs: options.typingThrottleMs } : {}),
        });

  // After the gateway subscribed, so presence changes found at start reach clients.
  await presenceStore.start();

  if (config.WORKERS || role === 'worker') {
    await startWorkers(jobs, notifications, auth, config);
  }

  let stopped: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    redis,
    metrics,
    http,
    gateway,
    services: { auth, users, conversations, messages, presence, tokens, notifications, devices },
    jobs,
    async listen() {
      await http.listen({ host: config.HOST, port: config.PORT });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
      return `http://${host}:${port}`;
    },
    stop() {
      stopped ??= (async () => {
        draining = true;
        const budget = config.SHUTDOWN_TIMEOUT_MS;
        if (gateway) {
          const drained = await gateway.drain(Math.floor(budget * 0.5));
          if (!drained)
            logger.warn({ component: 'realtime' }, 'shutdown: some socket writes did not finish in time');
          gateway.disconnectAll();
        }
        await http.close();
        await presence.flush();
        await presenceStore.close();
        await jobs.stop();
        await notifications.flush();
        await Promise.allSettled([pushProviders.phone?.close(), pushProviders.web?.close()]);
        await redis?.close();
        await database.close();
      })();
      return stopped;
    },
  };
}

/**
 * The job workers: the notification pipeline and scheduled clean-ups (tokens daily, expired
 * sign-in codes and sessions hourly). `abrik serve` runs them unless WORKERS=false; `abrik
 * worker` runs them alone.
 */
async function startWorkers(
  jobs: JobQueue,
  notifications: NotificationService,
  auth: AuthService,
  config: Config,
) {
  // One job per group commit: at a high message rate hundreds a second, so they are handled a
  // batch at a time (a few queries for the lot); a failure retries the batch's jobs.
  await jobs.workBatch<NotifyMessageJob>(
    QUEUES.notifyMessage,
    async (batch) => {
      const handled = notifications.handleMessages(batch);
      return batch.map(() => handled);
    },
    { batchSize: 100, workers: 1 },
  );
  await jobs.work<NotifyUserJob>(QUEUES.notifyUser, (job) => notifications.handleUser(job));
  // Pushes are I/O-bound: big batches, several fetchers, so a backlog drains at provider speed.
  await jobs.workBatch<PushSendJob>(QUEUES.pushSend, (batch) => notifications.handlePushes(batch), {
    batchSize: 200,
    workers: 3,
  });
  await jobs.work<SmsFallbackJob>(QUEUES.smsFallback, (job) => notifications.handleSmsFallback(job), {
    batchSize: 5,
  });
  await jobs.work<{ task: 'tokens' | 'auth' }>(QUEUES.maintenance, async (job) => {
    if (job.task === 'tokens') {
      await notifications.maintainTokens(config.PUSH_TOKEN_STALE_DAYS, config.PUSH_TOKEN_PURGE_DAYS);
    } else {
      await auth.purgeExpired();
    }
  });
  await jobs.boss.schedule(QUEUES.maintenance, '17 3 * * *', { task: 'tokens' }, { key: 'tokens' });
  await jobs.boss.schedule(QUEUES.maintenance, '7 * * * *', { task: 'auth' }, { key: 'auth' });
}
