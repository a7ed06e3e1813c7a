import type { FastifyInstance } from 'fastify';
import type { AttachmentPort } from './modules/chat/attachment-port.js';
import { type ChatModule, createChatModule } from './modules/chat/index.js';
import type { StoredMessagesJob } from './modules/chat/message.repository.js';
import type { SupportPort, VisitorPort } from './modules/chat/support-port.js';
import { createFilesModule, type FilesModule } from './modules/files/index.js';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.js';
import { createNotificationsModule, type NotificationsModule } from './modules/notifications/index.js';
import { storedMessagesJob } from './modules/notifications/notify-message.job.js';
import { createOpsModule, type OpsModule } from './modules/ops/index.js';
import { createPresenceModule, type PresenceModule } from './modules/presence/index.js';
import type { AvailabilityPort } from './modules/presence/presence.service.js';
import { createSearchModule, type SearchModule } from './modules/search/index.js';
import { createSupportModule, type SupportModule } from './modules/support/index.js';
import type { WidgetContactPort } from './modules/support/ticket.service.js';
import { createWidgetModule, type WidgetModule } from './modules/widget/index.js';
import type { Config } from './platform/config.js';
import { createDatabase, type Database } from './platform/db/client.js';
import { DomainEvents } from './platform/events/domain-events.js';
import { LiveEvents } from './platform/events/live-events.js';
import { createHttpServer } from './platform/http/server.js';
import { JobQueue } from './platform/jobs/queue.js';
import { LatePort } from './platform/late-port.js';
import { createLogger, type Logger } from './platform/logger.js';
import { Metrics } from './platform/metrics.js';
import type { Module } from './platform/module.js';
import { createBroadcaster, RealtimeGateway } from './platform/realtime/gateway.js';
import { connectRedis, type Redis } from './platform/redis/client.js';
import { rateLimits } from './platform/redis/rate-limit.js';
import { createPushProviders, createSmsProvider } from './providers/index.js';
import type { PushProvider } from './providers/push/push.provider.js';
import type { SmsProvider } from './providers/sms/sms.provider.js';

/** How often a gateway checks the staff marked connected against presence. */
const RECONCILE_MS = 30_000;
/** Queues of earlier versions, removed at start with their schedules. */
const RETIRED_QUEUES = ['maintenance'];
/** Website widget: a visitor session's life. */
const WIDGET_SESSION_TTL_SECONDS = 3600;
/** An anonymous visitor keeps their id when they come back within this time. */
const WIDGET_RESUME_WITHIN_SECONDS = 30 * 86_400;
/** A widget's settings as its visitors' messages see them: cached this long per process. */
const WIDGET_CACHE_MS = 5_000;

export interface CoreOptions {
  logger?: Logger;
  /** Replaces the SMS provider chosen by the configuration (tests capture codes with it). */
  sms?: SmsProvider;
  /** Replaces the push providers chosen by the configuration. */
  push?: { phone?: PushProvider; web?: PushProvider };
  /** How often idle job workers poll (seconds). */
  jobPollSeconds?: number;
  /** PGlite location when DATABASE_URL is unset; `memory://` for throw-away databases. */
  pglitePath?: string;
  /** PGlite: a dumped data directory to start from instead of an empty one (tests; unset in production). */
  pgliteLoadDataDir?: Blob;
  /** False: no Redis even if REDIS_URL is set (command-line tools that need none). */
  redis?: false;
  presenceOfflineGraceMs?: number;
  typingThrottleMs?: number;
  now?: () => number;
}

/** The platform and every module, built and wired, serving nothing yet. */
export interface Core {
  config: Config;
  logger: Logger;
  database: Database;
  /** Present when REDIS_URL is set. */
  redis: Redis | undefined;
  metrics: Metrics;
  jobs: JobQueue;
  live: LiveEvents;
  events: DomainEvents;
  identity: IdentityModule;
  chat: ChatModule;
  search: SearchModule;
  presence: PresenceModule;
  support: SupportModule;
  notifications: NotificationsModule;
  widget: WidgetModule;
  files: FilesModule;
  ops: OpsModule;
  /** In the order they were built: registration follows it, shutdown reverses it. */
  modules: Module[];
  pushProviders: { phone: PushProvider | undefined; web: PushProvider | undefined };
  /** From now on readiness answers 503 and new work is refused (the first step of a shutdown). */
  startDraining(): void;
  /** Stops the job workers and the modules, and closes Redis and the database. */
  close(): Promise<void>;
}

/**
 * The composition root, and the table of contents of the server: configuration → platform
 * (database, Redis, metrics, jobs, events) → modules in dependency order.
 */
export async function createCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = options.now ?? Date.now;

  // ---- platform ----
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.dataDir,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    logger,
    ...(options.pglitePath ? { pglitePath: options.pglitePath } : {}),
    ...(options.pgliteLoadDataDir ? { pgliteLoadDataDir: options.pgliteLoadDataDir } : {}),
  });
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  const { db } = database;
  const redis =
    config.REDIS_URL && options.redis !== false
      ? await connectRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX, logger)
      : undefined;
  const jobs = await JobQueue.create(database, {
    pollSeconds: options.jobPollSeconds ?? 2,
    expireSeconds: config.JOBS_EXPIRE_SECONDS,
    logger,
  });
  const live = new LiveEvents((error, event) =>
    logger
      .child({ component: 'events' })
      .error({ err: error, event }, 'event listener failed; delivery skipped'),
  );
  const events = new DomainEvents(db, jobs, logger);
  const limits = rateLimits(redis);
  const sms = options.sms ?? createSmsProvider(config, logger);
  const pushProviders = options.push
    ? { phone: options.push.phone, web: options.push.web }
    : await createPushProviders(config, logger);
  let presence: PresenceModule | undefined;
  const metrics = new Metrics({
    poolStats: () => database.poolStats(),
    redisUp: redis ? () => redis.isReady() : undefined,
    clusterConnections: redis ? async () => presence?.store.clusterConnections() : undefined,
    jobQueues: async () =>
      [...(await jobs.waiting())].map(([queue, q]) => ({
        queue,
        depth: q.waiting,
        oldestSeconds: q.oldestSeconds,
      })),
  });
  let draining = false;

  // ---- modules, in dependency order ----
  const identity = createIdentityModule({
    db,
    events,
    live,
    redis,
    sms,
    limits,
    logger,
    now: options.now,
    lookupsPerHour: config.LOOKUP_PER_USER_HOUR,
    tokens: {
      secret: config.JWT_SECRET,
      ttlSeconds: config.JWT_ACCESS_TTL_SECONDS,
      clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
    },
    auth: {
      otpSecret: config.JWT_SECRET,
      otpTtlSeconds: config.OTP_TTL_SECONDS,
      otpMaxAttempts: config.OTP_MAX_ATTEMPTS,
      otpPhoneIntervalSeconds: config.OTP_PHONE_INTERVAL_SECONDS,
      otpPhonePerHour: config.OTP_PHONE_PER_HOUR,
      otpRequestsPerIpHour: config.OTP_REQUESTS_PER_IP_HOUR,
      otpVerifyPerIpHour: config.OTP_VERIFY_PER_IP_HOUR,
      refreshTtlDays: config.JWT_REFRESH_TTL_DAYS,
    },
  });
  // The notify job's statement is pg-boss's own INSERT, which exists once the queues are created.
  const notifyStatement = Promise.withResolvers<StoredMessagesJob>();
  // Chat and presence ask the support desk things; it is built after them (it uses both).
  const supportPort = new LatePort<SupportPort>('the support desk');
  const visitorPort = new LatePort<VisitorPort>('the website widget');
  const widgetContacts = new LatePort<WidgetContactPort>('the website widget');
  const availabilityPort = new LatePort<AvailabilityPort>('staff availability');
  const attachmentPort = new LatePort<AttachmentPort>('the files module');
  const chat = createChatModule({
    db,
    writer: database.writer,
    storedMessagesJob: notifyStatement.promise,
    events,
    live,
    users: identity.users,
    metrics,
    logger,
    maxQueueWaitMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    typingThrottleMs: options.typingThrottleMs ?? 1000,
    support: supportPort,
    visitors: visitorPort,
    attachments: attachmentPort,
    limits,
    sendsPerMinute: config.MESSAGES_PER_USER_MINUTE,
    reads: {
      syncPerMinute: config.SYNC_PER_USER_MINUTE,
      historyPerMinute: config.HISTORY_PER_USER_MINUTE,
      concurrentPerUser: config.HEAVY_READS_PER_USER,
    },
  });
  const search = createSearchModule({
    db,
    live,
    logger,
    limits,
    searchesPerMinute: config.HISTORY_PER_USER_MINUTE,
    concurrentPerUser: config.HEAVY_READS_PER_USER,
    // The index waits while this process stores more than SEARCH_INDEX_PAUSE_RATE messages a second.
    indexer: { busy: () => chat.writeRate() > config.SEARCH_INDEX_PAUSE_RATE },
  });
  presence = createPresenceModule({
    redis,
    users: identity.users,
    conversations: chat.conversations,
    live,
    logger,
    instanceId: config.INSTANCE_ID,
    heartbeatSeconds: config.PRESENCE_HEARTBEAT_SECONDS,
    instanceTtlSeconds: config.PRESENCE_INSTANCE_TTL_SECONDS,
    offlineGraceMs: options.presenceOfflineGraceMs ?? config.PRESENCE_OFFLINE_GRACE_MS,
    leaveGraceMs: Math.max(config.PRESENCE_OFFLINE_GRACE_MS, 2000),
    groupLimit: config.PRESENCE_GROUP_LIMIT,
    availability: availabilityPort,
  });
  const support = createSupportModule({
    db,
    chat,
    presence: presence.store,
    widgetContacts,
    events,
    live,
    jobs,
    logger,
    now,
    sms,
    limits,
    publicUrl: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ''),
    timeZone: config.SUPPORT_TIME_ZONE,
    webhooks: {
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      retryDelaySeconds: config.WEBHOOK_RETRY_DELAY_SECONDS,
      allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK,
    },
    defaults: {
      maxConversations: config.SUPPORT_MAX_CONVERSATIONS,
      reassignOfflineAfterSeconds: config.SUPPORT_REASSIGN_OFFLINE_SECONDS,
      reassignNoReplyAfterSeconds: config.SUPPORT_REASSIGN_NO_REPLY_SECONDS,
      maxAutoReassigns: config.SUPPORT_MAX_AUTO_REASSIGNS,
      reopenWindowSeconds: config.SUPPORT_REOPEN_WINDOW_SECONDS,
    },
  });
  supportPort.set(support.port);
  availabilityPort.set(support.availability);
  const notifications = createNotificationsModule({
    db,
    jobs,
    chat,
    users: identity.users,
    presence: presence.store,
    desk: support.tickets,
    events,
    pushProviders,
    sms,
    metrics,
    logger,
    now,
    settings: {
      providers: config.PUSH_PROVIDERS,
      webPushHosts: config.webPushHosts,
      // With the log provider too, so a browser can subscribe in development (pushes are printed).
      vapidPublicKey: config.PUSH_PROVIDERS.some((p) => p === 'webpush' || p === 'log')
        ? config.VAPID_PUBLIC_KEY
        : undefined,
      collapseSeconds: config.PUSH_COLLAPSE_SECONDS,
      maxAttempts: config.PUSH_MAX_ATTEMPTS,
      dailyLimit: config.PUSH_DAILY_LIMIT,
      smsFallbackMinutes: config.SMS_FALLBACK_MINUTES,
      smsDailyCap: config.SMS_DAILY_CAP,
      tokenStaleDays: config.PUSH_TOKEN_STALE_DAYS,
      tokenPurgeDays: config.PUSH_TOKEN_PURGE_DAYS,
      devicesPerUser: config.DEVICES_PER_USER,
      circuitSeconds: 300,
    },
  });
  const widget = createWidgetModule({
    db,
    redis,
    events,
    users: identity.users,
    chat,
    support,
    webDistDir: config.webDistDir,
    limits,
    logger,
    now,
    publicUrl: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ''),
    settings: {
      tokenSecret: config.JWT_SECRET,
      sessionTtlSeconds: WIDGET_SESSION_TTL_SECONDS,
      rotationGraceSeconds: config.WIDGET_ROTATION_GRACE_SECONDS,
      sessionsPerIpMinute: config.WIDGET_SESSIONS_PER_IP_MINUTE,
      sessionsPerWidgetMinute: config.WIDGET_SESSIONS_PER_WIDGET_MINUTE,
      resumeWithinSeconds: WIDGET_RESUME_WITHIN_SECONDS,
      clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
      messagesPerIpMinute: config.WIDGET_MESSAGES_PER_IP_MINUTE,
      messagesPerWidgetMinute: config.WIDGET_MESSAGES_PER_WIDGET_MINUTE,
      widgetCacheMs: WIDGET_CACHE_MS,
    },
  });
  visitorPort.set(widget.port);
  widgetContacts.set(widget.contacts);
  const files = createFilesModule({
    db,
    live,
    conversations: chat.conversations,
    profiles: identity.users,
    limits,
    logger,
    now,
    dataDir: config.dataDir,
    settings: {
      storage:
        config.FILE_STORAGE === 's3'
          ? {
              kind: 's3',
              endpoint: config.S3_ENDPOINT,
              bucket: config.S3_BUCKET ?? '',
              region: config.S3_REGION,
              credentials:
                config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
                  ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
                  : undefined,
              forcePathStyle: config.S3_FORCE_PATH_STYLE,
            }
          : { kind: 'local' },
      limits: {
        image: config.FILE_MAX_IMAGE_BYTES,
        voice: config.FILE_MAX_VOICE_BYTES,
        file: config.FILE_MAX_FILE_BYTES,
      },
      uploadsPerMinute: config.FILE_UPLOADS_PER_USER_MINUTE,
    },
  });
  attachmentPort.set(files.attachments);
  const ops = createOpsModule({
    database,
    redis,
    jobs,
    metrics,
    instanceId: config.INSTANCE_ID,
    isDraining: () => draining,
    metricsToken: config.METRICS_TOKEN,
  });
  const modules: Module[] = [identity, chat, search, presence, support, notifications, widget, files, ops];

  await jobs.register([events.job(), ...modules.flatMap((m) => m.jobs ?? [])]);
  await jobs.retire(RETIRED_QUEUES);
  notifyStatement.resolve(await storedMessagesJob(jobs));

  let closed: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    redis,
    metrics,
    jobs,
    live,
    events,
    identity,
    chat,
    search,
    presence,
    support,
    notifications,
    widget,
    files,
    ops,
    modules,
    pushProviders,
    startDraining() {
      draining = true;
    },
    close() {
      draining = true;
      closed ??= (async () => {
        await jobs.stop();
        for (const module of [...modules].reverse()) await module.stop?.();
        await Promise.allSettled([pushProviders.phone?.close(), pushProviders.web?.close()]);
        await redis?.close();
        await database.close();
      })();
      return closed;
    },
  };
}

export interface AppOptions extends CoreOptions {
  /**
   * `all` (abrik serve): API, realtime gateway and, with WORKERS, the job workers. `worker`
   * (abrik worker): the job workers with only /health and /metrics on HTTP.
   */
  role?: 'all' | 'worker';
  /** Worker role: run only these queues' workers (`abrik worker --queues …`). */
  queues?: readonly string[];
}

export interface App extends Core {
  http: FastifyInstance;
  /** Absent in the worker role. */
  gateway: RealtimeGateway | undefined;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Drains and stops: refuses new work, finishes acked writes, closes sockets and the database. */
  stop(): Promise<void>;
}

/** The server: the core behind HTTP and Socket.IO, with the job workers where they run. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const core = await createCore(config, options);
  const role = options.role ?? 'all';
  const { logger, modules } = core;
  const serves = role === 'all' ? modules : [core.ops];
  const http = await createHttpServer({
    logger,
    metrics: core.metrics,
    verifyAccessToken: core.identity.tokens.verifier,
    routes: {
      public: serves.flatMap((m) => m.routes?.public ?? []),
      // A worker serves health and metrics only (ops' audit route is the API's).
      authenticated: role === 'all' ? serves.flatMap((m) => m.routes?.authenticated ?? []) : [],
    },
    webDistDir: role === 'all' ? config.webDistDir : false,
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
  });
  const gateway =
    role === 'worker'
      ? undefined
      : new RealtimeGateway(http.server, {
          verifyAccessToken: core.identity.tokens.verifier,
          verifyVisitorToken: (token, handshake) => core.widget.visitors.authenticateSocket(token, handshake),
          trustProxy: config.TRUST_PROXY,
          modules: modules.flatMap((m) => (m.socket ? [m.socket] : [])),
          metrics: core.metrics,
          logger,
          maxPayloadBytes: config.SOCKET_MAX_PAYLOAD_BYTES,
          authGraceSeconds: config.SOCKET_AUTH_GRACE_SECONDS,
          corsOrigins: config.corsOrigins,
          redis: core.redis,
          maxInFlightPerSocket: config.SOCKET_MAX_IN_FLIGHT,
          maxSocketsPerUser: config.SOCKETS_PER_USER,
          maxBufferedPackets: config.SOCKET_MAX_BUFFERED_PACKETS,
        });
  // A worker's changes (timers, system notes) still reach the gateways' clients, through Redis.
  const broadcaster =
    role === 'worker'
      ? createBroadcaster({
          modules: modules.flatMap((m) => (m.socket ? [m.socket] : [])),
          redis: core.redis,
        })
      : undefined;
  // After the gateway subscribed, so presence changes found at start reach clients.
  await core.presence.start();
  let reconciling: NodeJS.Timeout | undefined;
  if (gateway) {
    // Staff marked connected whom presence does not know (a restart) go offline; checked now
    // and then, after clients had time to reconnect.
    const reconcile = () =>
      void core.support
        .reconcile()
        .catch((error: unknown) =>
          logger.warn(
            { err: error, component: 'support' },
            'agent presence not reconciled; tried again later',
          ),
        );
    reconciling = setInterval(reconcile, RECONCILE_MS);
    reconciling.unref();
  }
  if (config.WORKERS || role === 'worker') {
    await core.jobs.work(role === 'worker' ? options.queues : undefined);
    core.search.indexer.start();
  }

  let stopped: Promise<void> | undefined;
  return {
    ...core,
    http,
    gateway,
    async listen() {
      await http.listen({ host: config.HOST, port: config.PORT });
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
      return `http://${host}:${port}`;
    },
    stop() {
      stopped ??= (async () => {
        clearInterval(reconciling);
        core.startDraining();
        const budget = config.SHUTDOWN_TIMEOUT_MS;
        if (gateway) {
          const started = Date.now();
          const drained = await gateway.drain(Math.floor(budget * 0.5));
          if (!drained)
            logger.warn({ component: 'realtime' }, 'shutdown: some socket writes did not finish in time');
          // The clients leave in batches, within what is left of the budget (a quarter kept for the rest).
          const left = budget * 0.75 - (Date.now() - started);
          await gateway.disconnectAll(Math.max(0, Math.min(config.SHUTDOWN_RECONNECT_SPREAD_MS, left)));
        }
        await broadcaster?.close();
        await http.close();
        await core.close();
      })();
      return stopped;
    },
  };
}
