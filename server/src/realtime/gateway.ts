import type { Server as HttpServer } from 'node:http';
import {
  type Ack,
  AuthRefreshPayloadSchema,
  CLIENT_EVENTS,
  type ClientToServerEvents,
  FocusPayloadSchema,
  MessageSendPayloadSchema,
  PresenceQueryPayloadSchema,
  PresenceSetPayloadSchema,
  ReadPayloadSchema,
  type ServerToClientEvents,
  SyncPayloadSchema,
  TypingPayloadSchema,
} from '@abrik/protocol';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { type DefaultEventsMap, type ExtendedError, Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { errorBody, toAppError } from '../http/errors.js';
import { type Locale, negotiateLocale } from '../i18n/messages.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Redis } from '../redis/client.js';
import type { Actor } from '../services/access.js';
import type { ConversationService } from '../services/conversation.service.js';
import { toMessage } from '../services/dto.js';
import type { DomainEvents } from '../services/events.js';
import type { MessageService } from '../services/message.service.js';
import type { PresenceService } from '../services/presence.service.js';
import type { TokenService } from '../services/token.service.js';
import { InFlight } from './in-flight.js';

export interface SocketData {
  actor: Actor;
  locale: Locale;
  /** Access token expiry, seconds since the epoch. */
  tokenExpiresAt: number;
  expiryTimer?: NodeJS.Timeout;
  typingAt: Map<string, number>;
}

type AbrikServer = Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
type AbrikSocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;

export const conversationRoom = (id: string) => `conv:${id}`;
export const userRoom = (id: string) => `user:${id}`;
const KNOWN_EVENTS = new Set<string>(CLIENT_EVENTS);
const MAX_TIMER_MS = 2_147_483_647;

export interface GatewayDeps {
  tokens: TokenService;
  messages: MessageService;
  conversations: ConversationService;
  presence: PresenceService;
  events: DomainEvents;
  metrics: Metrics;
  logger: Logger;
  maxPayloadBytes: number;
  authGraceSeconds: number;
  typingThrottleMs?: number;
  corsOrigins: string[];
  /** With Redis, events reach the clients of every instance through the Redis Streams adapter. */
  redis?: Redis | undefined;
}

/**
 * The Socket.IO gateway: authenticates connections, keeps each socket in its user room and its
 * conversations' rooms, turns client events into service calls, and delivers domain events.
 */
export class RealtimeGateway {
  readonly io: AbrikServer;
  private readonly log: Logger;
  private readonly inFlight = new InFlight();
  private draining = false;

  constructor(
    httpServer: HttpServer,
    private readonly deps: GatewayDeps,
  ) {
    this.log = deps.logger.child({ component: 'realtime' });
    this.io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      maxHttpBufferSize: deps.maxPayloadBytes,
      perMessageDeflate: false,
      pingInterval: 25_000,
      pingTimeout: 20_000,
      cors: deps.corsOrigins.length > 0 ? { origin: deps.corsOrigins, credentials: false } : undefined,
    });
    if (deps.redis) this.useRedis(deps.redis);
    this.io.use((socket, next) => void this.authenticate(socket, next));
    this.io.on('connection', (socket) => this.onConnection(socket));
    this.subscribe();
  }

  /**
   * Shares events between instances through a Redis stream. Publishing fails fast while Redis is
   * down, so each instance keeps delivering to its own clients (the adapter delivers locally
   * after a failed publish); when Redis returns, every client is told to `resync`, and catches up
   * on what other instances stored meanwhile from the database.
   */
  private useRedis(redis: Redis): void {
    const factory = createAdapter(redis.client, {
      streamName: `${redis.prefix}socket.io`,
      channelPrefix: `${redis.prefix}socket.io`,
      sessionKeyPrefix: `${redis.prefix}sio:session:`,
      maxLen: 100_000,
    });
    const unavailable = () => Promise.reject(new Error('Redis unavailable; delivered on this instance only'));
    // Socket.IO calls the adapter with `new`: a plain function returning the instance, not an arrow.
    this.io.adapter(function redisStreamsAdapter(nsp: unknown) {
      // doPublish/doPublishResponse are the adapter's two ways out to Redis.
      const adapter = factory(nsp) as unknown as {
        doPublish(message: unknown): Promise<string>;
        doPublishResponse(uid: unknown, response: unknown): Promise<void>;
      };
      const publish = adapter.doPublish.bind(adapter);
      const respond = adapter.doPublishResponse.bind(adapter);
      adapter.doPublish = (message) => (redis.isReady() ? publish(message) : unavailable());
      adapter.doPublishResponse = (uid, response) =>
        redis.isReady() ? respond(uid, response) : unavailable();
      return adapter as unknown as ReturnType<typeof factory>;
    });
    redis.onRecovered(() => {
      this.io.emit('resync', { reason: 'redis_recovered' });
    });
  }

  private async authenticate(socket: AbrikSocket, next: (err?: ExtendedError) => void): Promise<void> {
    const locale = negotiateLocale(
      (socket.handshake.auth?.lang as string | undefined) ?? socket.handshake.headers['accept-language'],
    );
    try {
      if (this.draining) throw new AppError(503, 'server/shutting_down');
      const token = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw new AppError(401, 'auth/unauthenticated');
      }
      const claims = await this.deps.tokens.verifyAccess(token);
      socket.data = {
        actor: { id: claims.userId, role: claims.role },
        locale,
        tokenExpiresAt: claims.expiresAt,
        typingAt: new Map(),
      };
      // Rooms are joined before the handshake completes, so the client cannot send `sync` (or
      // anything) before it receives every broadcast of its conversations: nothing falls between
      // the sync read and the first live event. The user room comes first, so a conversation the
      // user is added to while its ids load still reaches this socket (members.added joins it).
      await socket.join(userRoom(claims.userId));
      const ids = await this.deps.conversations.conversationIdsOf(claims.userId);
      await socket.join(ids.map(conversationRoom));
      next();
    } catch (error) {
      const appError = toAppError(error);
      const err: ExtendedError = new Error(appError.code);
      err.data = errorBody(appError, locale).error;
      next(err);
    }
  }

  private onConnection(socket: AbrikSocket): void {
    const { actor } = socket.data;
    // The handshake (headers, address) is built; the upgrade request it came from is not needed
    // again, and holding it costs a few KiB per idle connection (Socket.IO's memory guide).
    (socket.conn as unknown as { request: unknown }).request = null;
    this.deps.metrics.realtimeConnections.inc();
    this.scheduleExpiry(socket);
    this.register(socket);
    const presenceFailed = (error: unknown) =>
      this.log.warn(
        { err: error, userId: actor.id },
        'presence update failed; corrected at the next reconcile',
      );
    this.deps.presence.connected(actor.id).catch(presenceFailed);
    socket.on('disconnect', () => {
      this.deps.metrics.realtimeConnections.dec();
      clearTimeout(socket.data.expiryTimer);
      // While draining, sockets close because this instance stops: their presence share stays
      // until the store's leave grace is over, so users reconnecting elsewhere never flicker.
      if (!this.draining) this.deps.presence.disconnected(actor.id).catch(presenceFailed);
      this.deps.presence.setFocus(actor.id, socket.id, null).catch(presenceFailed);
    });
  }

  private register(socket: AbrikSocket): void {
    const { actor } = socket.data;
    const reject = (event: string, reason: string) =>
      this.deps.metrics.realtimeEventsRejected.inc({ event, reason });

    socket.onAny((event: string) => {
      if (!KNOWN_EVENTS.has(event)) reject(String(event).slice(0, 40), 'unknown_event');
    });

    this.handle(socket, 'message:send', MessageSendPayloadSchema, async (payload) => {
      const result = await this.deps.messages.send(actor, payload, socket.id);
      if (!result.duplicate) this.deps.metrics.messagesTotal.inc({ transport: 'socket' });
      return result;
    });

    this.handle(socket, 'read', ReadPayloadSchema, (payload) =>
      this.deps.conversations
        .markRead(actor, payload.conversationId, payload.seq)
        .then((r) => ({ seq: r.lastReadSeq })),
    );

    this.handle(socket, 'sync', SyncPayloadSchema, (payload) =>
      this.deps.messages.sync(actor, payload.since, payload.limit),
    );

    this.handle(socket, 'presence:query', PresenceQueryPayloadSchema, async (payload) => ({
      presences: await this.deps.presence.query(actor.id, payload.userIds),
    }));

    this.handle(socket, 'presence:set', PresenceSetPayloadSchema, async (payload) => {
      if (actor.role !== 'agent' && actor.role !== 'admin') throw new AppError(403, 'auth/forbidden');
      await this.deps.presence.setAvailability(actor, payload.availability);
      return {};
    });

    this.handle(socket, 'auth:refresh', AuthRefreshPayloadSchema, async (payload) => {
      const claims = await this.deps.tokens.verifyAccess(payload.token);
      if (claims.userId !== actor.id) throw new AppError(401, 'auth/invalid_token');
      socket.data.tokenExpiresAt = claims.expiresAt;
      socket.data.actor = { id: claims.userId, role: claims.role };
      this.scheduleExpiry(socket);
      return { expiresAt: new Date(claims.expiresAt * 1000).toISOString() };
    });

    socket.on('focus', (raw: unknown) => {
      const parsed = FocusPayloadSchema.safeParse(raw);
      if (!parsed.success) return reject('focus', 'invalid');
      const { conversationId } = parsed.data;
      if (conversationId && !socket.rooms.has(conversationRoom(conversationId)))
        return reject('focus', 'not_member');
      this.deps.presence
        .setFocus(actor.id, socket.id, conversationId)
        .catch((error: unknown) => this.log.warn({ err: error, userId: actor.id }, 'focus not recorded'));
    });

    socket.on('typing', (raw: unknown) => {
      const parsed = TypingPayloadSchema.safeParse(raw);
      if (!parsed.success) return reject('typing', 'invalid');
      const room = conversationRoom(parsed.data.conversationId);
      if (!socket.rooms.has(room)) return reject('typing', 'not_member');
      const now = Date.now();
      const last = socket.data.typingAt.get(room) ?? 0;
      if (now - last < (this.deps.typingThrottleMs ?? 1000)) return reject('typing', 'throttled');
      socket.data.typingAt.set(room, now);
      socket.to(room).emit('typing', { conversationId: parsed.data.conversationId, userId: actor.id });
    });
  }

  /**
   * Wires one acknowledged event: validates the payload, runs the service call, and answers
   * `{ok: true, …}` or `{ok: false, error}`. A missing ack function is tolerated.
   */
  private handle<S extends z.ZodType, R extends object>(
    socket: AbrikSocket,
    event: 'message:send' | 'read' | 'sync' | 'presence:query' | 'presence:set' | 'auth:refresh',
    schema: S,
    run: (payload: z.output<S>) => Promise<R>,
  ): void {
    const listener = (raw: unknown, maybeAck?: unknown) => {
      const ack = (typeof maybeAck === 'function' ? maybeAck : () => {}) as (reply: Ack<R>) => void;
      const fail = (error: unknown) => {
        const appError = toAppError(error);
        if (appError.status >= 500) {
          this.log[appError.code === 'internal' ? 'error' : 'warn'](
            { err: error, event, userId: socket.data.actor.id },
            `socket event failed: ${appError.code}`,
          );
        }
        this.deps.metrics.errorsTotal.inc({ code: appError.code });
        ack({ ok: false, ...errorBody(appError, socket.data.locale) });
      };
      if (this.draining) return fail(new AppError(503, 'server/shutting_down'));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        this.deps.metrics.realtimeEventsRejected.inc({ event, reason: 'invalid' });
        return fail(
          new AppError(
            400,
            'validation/invalid',
            undefined,
            parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
          ),
        );
      }
      void this.inFlight.track(() =>
        run(parsed.data).then(
          (result) => ack({ ok: true, ...result }),
          (error: unknown) => fail(error),
        ),
      );
    };
    socket.on(event, listener as never);
  }

  /** Tells the socket when its token expires and closes it after the grace period unless refreshed. */
  private scheduleExpiry(socket: AbrikSocket): void {
    clearTimeout(socket.data.expiryTimer);
    const grace = this.deps.authGraceSeconds;
    const untilExpiry = Math.min(MAX_TIMER_MS, Math.max(0, socket.data.tokenExpiresAt * 1000 - Date.now()));
    socket.data.expiryTimer = setTimeout(() => {
      socket.emit('auth:expired', { graceSeconds: grace });
      socket.data.expiryTimer = setTimeout(() => {
        this.log.info({ userId: socket.data.actor.id }, 'socket closed: token expired and was not refreshed');
        socket.disconnect(true);
      }, grace * 1000);
    }, untilExpiry);
  }

  /** Delivers what services announce to the right rooms. */
  private subscribe(): void {
    const { events, presence } = this.deps;
    const io = this.io;
    events.on('message.created', ({ message, origin }) => {
      // Every socket of the conversation but the sending one (each socket is in a room of its
      // own id): the sender's other devices get it, the sender has it in its ack.
      const room = io.to(conversationRoom(message.conversationId));
      (origin ? room.except(origin) : room).emit('message:new', toMessage(message));
    });
    events.on('message.updated', ({ message }) => {
      io.to(conversationRoom(message.conversationId)).emit('message:updated', toMessage(message));
    });
    events.on('message.deleted', ({ message }) => {
      io.to(conversationRoom(message.conversationId)).emit('message:deleted', {
        conversationId: message.conversationId,
        id: message.id,
        seq: message.seq,
        deletedAt: (message.deletedAt ?? new Date()).toISOString(),
      });
    });
    events.on('members.added', ({ conversationId, userIds }) => {
      const rooms = userIds.map(userRoom);
      io.in(rooms).socketsJoin(conversationRoom(conversationId));
      io.to(rooms).emit('conversation:joined', { conversationId });
    });
    events.on('members.removed', ({ conversationId, userIds }) => {
      const rooms = userIds.map(userRoom);
      io.in(rooms).socketsLeave(conversationRoom(conversationId));
      io.to(rooms).emit('conversation:left', { conversationId });
    });
    events.on('read.advanced', ({ conversationId, userId, seq }) => {
      io.to(conversationRoom(conversationId)).emit('read', { conversationId, userId, seq });
    });
    events.on('presence.changed', ({ userId, status, lastSeenAt, availability }) => {
      presence
        .audience(userId)
        .then((contacts) => {
          if (contacts.length === 0) return;
          io.to(contacts.map(userRoom)).emit('presence', {
            userId,
            status,
            lastSeenAt: lastSeenAt?.toISOString() ?? null,
            ...(availability ? { availability } : {}),
          });
        })
        .catch((error: unknown) => this.log.warn({ err: error, userId }, 'presence change not delivered'));
    });
  }

  /**
   * Shutdown, step one: refuse new events and connections, and wait (up to timeoutMs) for the
   * writes under way to be acked. Step two, `disconnectAll`, closes the transports so clients
   * reconnect to another instance.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    return this.inFlight.drained(timeoutMs);
  }

  /** Closes every connection at the transport level: clients see "transport close" and reconnect. */
  disconnectAll(): void {
    for (const socket of this.io.of('/').sockets.values()) {
      clearTimeout(socket.data.expiryTimer);
      socket.conn.close();
    }
  }
}
