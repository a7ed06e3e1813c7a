import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/client.js';
import { buildHttpApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { KavenegarSmsProvider } from './providers/sms/kavenegar.provider.js';
import { LogSmsProvider } from './providers/sms/log.provider.js';
import type { SmsProvider } from './providers/sms/sms.provider.js';
import { RealtimeGateway } from './realtime/gateway.js';
import { connectRedis, type Redis } from './redis/client.js';
import { RedisPresenceStore } from './redis/presence.store.js';
import { AuthRepository } from './repositories/auth.repository.js';
import { ConversationRepository } from './repositories/conversation.repository.js';
import { MessageRepository } from './repositories/message.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth.service.js';
import { ConversationService } from './services/conversation.service.js';
import { DomainEvents } from './services/events.js';
import { MessageService } from './services/message.service.js';
import { PresenceService } from './services/presence.service.js';
import { MemoryPresenceStore, type PresenceStore } from './services/presence.store.js';
import { rateLimits } from './services/rate-limit.js';
import { TokenService } from './services/token.service.js';
import { UserService } from './services/user.service.js';

export interface AppOptions {
  logger?: Logger;
  /** Replaces the SMS provider chosen by the configuration (tests capture codes with it). */
  sms?: SmsProvider;
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
  gateway: RealtimeGateway;
  services: {
    auth: AuthService;
    users: UserService;
    conversations: ConversationService;
    messages: MessageService;
    presence: PresenceService;
    tokens: TokenService;
  };
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Drains and stops: refuses new work, finishes acked writes, closes sockets and the database. */
  stop(): Promise<void>;
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

  const limits = rateLimits(redis);
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
    options.sms ?? createSmsProvider(config, logger),
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
  const messages = new MessageService(db, messageRepo, conversationRepo, events, {
    persisted: (seconds) => metrics.messagePersistDuration.observe(seconds),
  });
  presence = new PresenceService(
    presenceStore,
    userRepo,
    conversationRepo,
    events,
    logger,
    options.presenceOfflineGraceMs ?? config.PRESENCE_OFFLINE_GRACE_MS,
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
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    isDraining: () => draining,
  });
  const gateway = new RealtimeGateway(http.server, {
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

  // Expired codes and sessions are swept here until the job queue takes scheduled work over.
  const sweep = setInterval(() => {
    auth
      .purgeExpired()
      .catch((error: unknown) =>
        logger.warn(
          { err: error, component: 'auth' },
          'sweep of expired codes failed; retried in 10 minutes',
        ),
      );
  }, 600_000);
  sweep.unref();

  let stopped: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    redis,
    metrics,
    http,
    gateway,
    services: { auth, users, conversations, messages, presence, tokens },
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
        clearInterval(sweep);
        const budget = config.SHUTDOWN_TIMEOUT_MS;
        const drained = await gateway.drain(Math.floor(budget * 0.5));
        if (!drained)
          logger.warn({ component: 'realtime' }, 'shutdown: some socket writes did not finish in time');
        gateway.disconnectAll();
        await http.close();
        await presence.flush();
        await presenceStore.close();
        await redis?.close();
        await database.close();
      })();
      return stopped;
    },
  };
}
