import type { Server as HttpServer } from 'node:http';
import {
  type Ack,
  type AckedEventName,
  CLIENT_EVENT_NAMES,
  CLIENT_EVENTS,
  type ClientEventName,
  type EventPayload,
  type EventReply,
  type ServerToClientEvents,
  type UnackedEventName,
} from '@abrik/protocol';
import {
  type BroadcastOperator,
  type DefaultEventsMap,
  type ExtendedError,
  Server,
  type Socket,
} from 'socket.io';
import type { ZodType } from 'zod';
import type { AccessTokenVerifier, Actor, VisitorTokenVerifier } from '../auth.js';
import { AppError, RateLimitError } from '../errors.js';
import { errorBody, toAppError } from '../http/errors.js';
import { type Locale, negotiateLocale } from '../i18n/messages.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Redis } from '../redis/client.js';
import { releaseUpgradeRequest, useRedisStreamsAdapter } from './drivers/socket-io.js';
import { InFlight } from './in-flight.js';
import { userRoom } from './rooms.js';

/** What the server listens to: raw client input, parsed against the protocol's table before use. */
type IncomingEvents = { [E in ClientEventName]: (payload: unknown, ack?: unknown) => void };
interface SocketData {
  actor: Actor;
  context: SocketContext;
  /** Access token expiry, seconds since the epoch. */
  tokenExpiresAt: number;
  expiryTimer?: NodeJS.Timeout;
  /** Acknowledged events of this connection not answered yet. */
  inFlight?: number;
}
type AbrikSocket = Socket<IncomingEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;
export type RealtimeServer = Server<IncomingEvents, ServerToClientEvents, DefaultEventsMap, SocketData>;

/** One connection, as socket handlers see it. */
export interface SocketContext {
  /** The socket's id (also a room of its own). */
  readonly id: string;
  /** The caller; kept current when the socket refreshes its token. */
  readonly actor: Actor;
  readonly locale: Locale;
  /** True when this connection is in the room (a conversation it may see). */
  inRoom(room: string): boolean;
  /** Emits to everyone in the room but this connection. */
  toOthersIn(room: string): BroadcastOperator<ServerToClientEvents, SocketData>;
}

/** Why a fire-and-forget event was dropped (counted, never answered). */
export type Rejection = 'not_member' | 'throttled';

export type SocketHandlers = {
  [E in AckedEventName]?: (ctx: SocketContext, payload: EventPayload<E>) => Promise<EventReply<E>>;
} & {
  [E in UnackedEventName]?: (ctx: SocketContext, payload: EventPayload<E>) => Rejection | undefined;
};

type AnyAckedHandler = (ctx: SocketContext, payload: unknown) => Promise<object>;
type AnyUnackedHandler = (ctx: SocketContext, payload: unknown) => Rejection | undefined;

/** A module's part of the realtime gateway. */
export interface SocketModule {
  /** Rooms a new connection joins before its handshake completes. */
  rooms?(actor: Actor): Promise<string[]>;
  handlers?: SocketHandlers;
  onConnect?(ctx: SocketContext): void;
  /** `draining`: the connection closes because this instance stops. */
  onDisconnect?(ctx: SocketContext, draining: boolean): void;
  /** Subscribes to what services announce and delivers it to rooms. */
  deliver?(io: RealtimeServer): void;
}

export interface GatewayOptions {
  verifyAccessToken: AccessTokenVerifier;
  /**
   * Website widget visitors connect with `auth.widgetToken` (a visitor session) instead of an
   * access token; without this, such handshakes are refused.
   */
  verifyVisitorToken?: VisitorTokenVerifier | undefined;
  /** Behind a proxy (TRUST_PROXY): a client's address is the first of `X-Forwarded-For`. */
  trustProxy?: boolean | undefined;
  modules: SocketModule[];
  metrics: Metrics;
  logger: Logger;
  maxPayloadBytes: number;
  authGraceSeconds: number;
  corsOrigins: string[];
  /** With Redis, events reach the clients of every instance through the Redis Streams adapter. */
  redis?: Redis | undefined;
  /** Acknowledged events one connection may have in flight; more are refused, never queued. */
  maxInFlightPerSocket?: number | undefined;
  /** Connections one user may hold on this instance. */
  maxSocketsPerUser?: number | undefined;
  /**
   * Packets one connection may have waiting to be written. A client that stops reading (or
   * polling) is cut off past it instead of being buffered for without bound; it reconnects and
   * syncs what it missed.
   */
  maxBufferedPackets?: number | undefined;
  /** How often the connections' write buffers are checked (ms). */
  bufferCheckMs?: number | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;
/** Batches the connections are closed in at shutdown (see disconnectAll). */
const RECONNECT_BATCHES = 10;
const KNOWN_EVENTS = new Set<string>(CLIENT_EVENT_NAMES);
/**
 * What a widget visitor's connection may send: their own conversations' messages, reads, typing
 * and sync. Anything else (presence, token refresh) is refused; a visitor reconnects with a new
 * session instead of refreshing.
 */
const VISITOR_EVENTS = new Set<ClientEventName>(['message:send', 'read', 'sync', 'typing', 'focus']);

/**
 * The Socket.IO gateway: authenticates connections, joins their rooms, parses every client event
 * against the protocol's table and dispatches it to the one module that handles it, answering
 * acknowledged events `{ok: true, …}` or `{ok: false, error}`. Modules deliver what services
 * announce.
 */
export class RealtimeGateway {
  readonly io: RealtimeServer;
  private readonly log: Logger;
  private readonly inFlight = new InFlight();
  /** Connections each user holds on this instance. */
  private readonly socketsPerUser = new Map<string, number>();
  private readonly handlers: SocketHandlers = {};
  private draining = false;
  private readonly bufferCheck: NodeJS.Timeout | undefined;

  constructor(
    httpServer: HttpServer,
    private readonly options: GatewayOptions,
  ) {
    this.log = options.logger.child({ component: 'realtime' });
    for (const module of options.modules) {
      for (const event of Object.keys(module.handlers ?? {})) {
        if (event in this.handlers || event === 'auth:refresh') {
          throw new Error(`socket event ${event} is handled twice`);
        }
      }
      Object.assign(this.handlers, module.handlers);
    }
    this.io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      maxHttpBufferSize: options.maxPayloadBytes,
      perMessageDeflate: false,
      pingInterval: 25_000,
      pingTimeout: 20_000,
      cors: options.corsOrigins.length > 0 ? { origin: options.corsOrigins, credentials: false } : undefined,
    });
    if (options.redis) this.useRedis(options.redis);
    this.io.use((socket, next) => void this.authenticate(socket, next));
    this.io.on('connection', (socket) => this.onConnection(socket));
    for (const module of options.modules) module.deliver?.(this.io);
    if (options.maxBufferedPackets !== undefined) {
      // A sweep, not a check per packet: the message path pays nothing for it.
      this.bufferCheck = setInterval(() => this.cutOffSlowConsumers(), options.bufferCheckMs ?? 1000);
      this.bufferCheck.unref();
    }
  }

  /**
   * Closes the transport of every connection with more packets waiting than allowed (a client
   * that stopped reading, a poller that stopped polling). Its buffer is dropped at once; the
   * client sees "transport close", reconnects and syncs from what it holds, so nothing is lost.
   */
  private cutOffSlowConsumers(): void {
    const limit = this.options.maxBufferedPackets ?? Number.POSITIVE_INFINITY;
    for (const socket of this.io.of('/').sockets.values()) {
      // engine.io keeps what waits for the transport in `writeBuffer` (typed private, no public count).
      const waiting = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      if (waiting <= limit) continue;
      this.options.metrics.realtimeSlowConsumers.inc();
      this.log.warn(
        { userId: socket.data.actor.id, waiting, transport: socket.conn.transport.name },
        'socket closed: its client stopped reading',
      );
      clearTimeout(socket.data.expiryTimer);
      socket.conn.close(true); // discards the waiting packets
      // A WebSocket's close frame would queue behind what the kernel already holds: drop it now.
      (socket.conn.transport as { socket?: { terminate?: () => void } }).socket?.terminate?.();
    }
  }

  /**
   * Shares events between instances through a Redis stream. While Redis is down each instance
   * keeps delivering to its own clients; when it returns, every client is told to `resync`.
   */
  private useRedis(redis: Redis): void {
    useRedisStreamsAdapter(this.io, redis);
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
      const { actor, expiresAt } = await this.verifyHandshake(socket);
      // One person cannot hold the instance's connections: a cap per user (tabs, devices, retries).
      const held = this.socketsPerUser.get(actor.id) ?? 0;
      if (held >= (this.options.maxSocketsPerUser ?? Number.POSITIVE_INFINITY)) {
        this.options.metrics.realtimeEventsRejected.inc({ event: 'connect', reason: 'throttled' });
        throw new RateLimitError(10);
      }
      socket.data = { actor, context: contextOf(socket, locale), tokenExpiresAt: expiresAt };
      // Rooms are joined before the handshake completes, so the client cannot send `sync` before
      // it receives every broadcast of its conversations. The user room comes first, so a
      // conversation the user is added to while the other rooms load still reaches this socket.
      await socket.join(userRoom(actor.id));
      for (const module of this.options.modules) {
        if (module.rooms) await socket.join(await module.rooms(actor));
      }
      // Counted once the connection is sure to open (a refused handshake has no disconnect).
      this.socketsPerUser.set(actor.id, (this.socketsPerUser.get(actor.id) ?? 0) + 1);
      socket.once('disconnect', () => {
        const left = (this.socketsPerUser.get(actor.id) ?? 1) - 1;
        if (left > 0) this.socketsPerUser.set(actor.id, left);
        else this.socketsPerUser.delete(actor.id);
      });
      next();
    } catch (error) {
      const appError = toAppError(error);
      const err: ExtendedError = new Error(appError.code);
      err.data = errorBody(appError, locale).error;
      next(err);
    }
  }

  /** The caller of a handshake: an access token's user, or a widget visitor's session. */
  private async verifyHandshake(socket: AbrikSocket): Promise<{ actor: Actor; expiresAt: number }> {
    const bounded = (value: unknown): value is string =>
      typeof value === 'string' && value.length > 0 && value.length <= 4096;
    const { auth, headers } = socket.handshake;
    const widgetToken = auth?.widgetToken;
    if (widgetToken !== undefined && this.options.verifyVisitorToken) {
      if (!bounded(widgetToken)) throw new AppError(401, 'auth/unauthenticated');
      const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
      return this.options.verifyVisitorToken(widgetToken, {
        origin,
        host: headers.host,
        ip: this.clientAddress(socket),
      });
    }
    const token = auth?.token;
    if (!bounded(token)) throw new AppError(401, 'auth/unauthenticated');
    return this.options.verifyAccessToken(token);
  }

  /** The client's address, as HTTP requests see it (the same proxy trust). */
  private clientAddress(socket: AbrikSocket): string {
    const forwarded = socket.handshake.headers['x-forwarded-for'];
    const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined;
    return this.options.trustProxy && first ? first : socket.handshake.address;
  }

  private onConnection(socket: AbrikSocket): void {
    const { context } = socket.data;
    releaseUpgradeRequest(socket);
    this.options.metrics.realtimeConnections.inc();
    this.scheduleExpiry(socket);
    this.register(socket);
    for (const module of this.options.modules) module.onConnect?.(context);
    socket.on('disconnect', () => {
      this.options.metrics.realtimeConnections.dec();
      clearTimeout(socket.data.expiryTimer);
      for (const module of this.options.modules) module.onDisconnect?.(context, this.draining);
    });
  }

  private register(socket: AbrikSocket): void {
    socket.onAny((event: string) => {
      // Never a label value from the client: each new name would be a new series (unbounded).
      if (!KNOWN_EVENTS.has(event)) {
        this.options.metrics.realtimeEventsRejected.inc({ event: 'unknown', reason: 'unknown_event' });
      }
    });
    const visitor = socket.data.actor.visitor !== undefined;
    for (const event of CLIENT_EVENT_NAMES) {
      if (visitor && !VISITOR_EVENTS.has(event)) this.wireRefused(socket, event);
      else if (isAcked(event)) this.wireAcked(socket, event);
      else this.wireUnacked(socket, event);
    }
  }

  /** An event this connection may not send (a widget visitor's): answered 403, or dropped. */
  private wireRefused(socket: AbrikSocket, event: ClientEventName): void {
    socket.on(event, (_raw: unknown, maybeAck?: unknown) => {
      this.options.metrics.realtimeEventsRejected.inc({ event, reason: 'forbidden' });
      if (typeof maybeAck === 'function') {
        maybeAck({
          ok: false,
          ...errorBody(new AppError(403, 'auth/forbidden'), socket.data.context.locale),
        });
      }
    });
  }

  /** The gateway's own event: a socket whose access token is about to expire presents a new one. */
  private refreshToken(socket: AbrikSocket) {
    return async (ctx: SocketContext, payload: EventPayload<'auth:refresh'>) => {
      const { actor, expiresAt } = await this.options.verifyAccessToken(payload.token);
      if (actor.id !== ctx.actor.id) throw new AppError(401, 'auth/invalid_token');
      socket.data.actor = actor;
      socket.data.tokenExpiresAt = expiresAt;
      this.scheduleExpiry(socket);
      return { expiresAt: new Date(expiresAt * 1000).toISOString() };
    };
  }

  private wireAcked(socket: AbrikSocket, event: AckedEventName): void {
    const run = event === 'auth:refresh' ? this.refreshToken(socket) : this.handlers[event];
    // Each handler is typed by its event; here they are one kind, fed the payload parsed by the
    // same event's schema.
    if (run) this.handleAcked(socket, event, run as AnyAckedHandler);
  }

  private wireUnacked(socket: AbrikSocket, event: UnackedEventName): void {
    const run = this.handlers[event];
    if (run) this.handleUnacked(socket, event, run as AnyUnackedHandler);
  }

  /**
   * Wires one acknowledged event: parses the payload, runs the handler, and answers `{ok: true,
   * …}` or `{ok: false, error}`. A missing ack function is tolerated.
   */
  private handleAcked(socket: AbrikSocket, event: AckedEventName, run: AnyAckedHandler): void {
    const schema: ZodType = CLIENT_EVENTS[event].payload;
    socket.on(event, (raw: unknown, maybeAck?: unknown) => {
      const ack = (reply: Ack) => {
        if (typeof maybeAck === 'function') maybeAck(reply);
      };
      const fail = (error: unknown) => {
        const appError = toAppError(error);
        if (appError.status >= 500) {
          this.log[appError.code === 'internal' ? 'error' : 'warn'](
            { err: error, event, userId: socket.data.actor.id },
            `socket event failed: ${appError.code}`,
          );
        }
        this.options.metrics.errorsTotal.inc({ code: appError.code });
        ack({ ok: false, ...errorBody(appError, socket.data.context.locale) });
      };
      if (this.draining) return fail(new AppError(503, 'server/shutting_down'));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        this.options.metrics.realtimeEventsRejected.inc({ event, reason: 'invalid' });
        return fail(
          new AppError(
            400,
            'validation/invalid',
            undefined,
            parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
          ),
        );
      }
      // A bound on what one connection may have the server working on: a flood is refused at
      // once (the client retries later), never queued without end.
      const pending = socket.data.inFlight ?? 0;
      if (pending >= (this.options.maxInFlightPerSocket ?? Number.POSITIVE_INFINITY)) {
        this.options.metrics.realtimeEventsRejected.inc({ event, reason: 'throttled' });
        return fail(new RateLimitError(1));
      }
      socket.data.inFlight = pending + 1;
      void this.inFlight.track(() =>
        run(socket.data.context, parsed.data)
          .then(
            (result) => ack({ ok: true, ...result }),
            (error: unknown) => fail(error),
          )
          .finally(() => {
            socket.data.inFlight = (socket.data.inFlight ?? 1) - 1;
          }),
      );
    });
  }

  /** Wires one fire-and-forget event: parses it, runs the handler, counts what was dropped. */
  private handleUnacked(socket: AbrikSocket, event: UnackedEventName, run: AnyUnackedHandler): void {
    const schema: ZodType = CLIENT_EVENTS[event].payload;
    socket.on(event, (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      const rejected = parsed.success ? run(socket.data.context, parsed.data) : 'invalid';
      if (rejected) this.options.metrics.realtimeEventsRejected.inc({ event, reason: rejected });
    });
  }

  /** Tells the socket when its token expires and closes it after the grace period unless refreshed. */
  private scheduleExpiry(socket: AbrikSocket): void {
    clearTimeout(socket.data.expiryTimer);
    const grace = this.options.authGraceSeconds;
    const untilExpiry = Math.min(MAX_TIMER_MS, Math.max(0, socket.data.tokenExpiresAt * 1000 - Date.now()));
    socket.data.expiryTimer = setTimeout(() => {
      socket.emit('auth:expired', { graceSeconds: grace });
      socket.data.expiryTimer = setTimeout(() => {
        this.log.info({ userId: socket.data.actor.id }, 'socket closed: token expired and was not refreshed');
        socket.disconnect(true);
      }, grace * 1000);
    }, untilExpiry);
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

  /**
   * Closes every connection at the transport level — clients see "transport close" and reconnect
   * elsewhere — in RECONNECT_BATCHES batches spread over `spreadMs`, each started at a jittered
   * moment, so the instances left are not hit by every client of this one at once.
   */
  async disconnectAll(spreadMs = 0): Promise<void> {
    clearInterval(this.bufferCheck);
    const sockets = [...this.io.of('/').sockets.values()];
    // Shuffled: a batch is not one user's tabs or the oldest connections.
    for (let i = sockets.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [sockets[i], sockets[j]] = [sockets[j]!, sockets[i]!];
    }
    const close = (batch: AbrikSocket[]) => {
      for (const socket of batch) {
        clearTimeout(socket.data.expiryTimer);
        socket.conn.close();
      }
    };
    if (spreadMs <= 0 || sockets.length <= RECONNECT_BATCHES) return close(sockets);
    const size = Math.ceil(sockets.length / RECONNECT_BATCHES);
    const slot = spreadMs / RECONNECT_BATCHES;
    this.log.info(
      { sockets: sockets.length, batches: RECONNECT_BATCHES, spreadMs },
      'shutdown: sending clients to the other instances in batches',
    );
    await Promise.all(
      Array.from({ length: RECONNECT_BATCHES }, (_, b) => {
        const batch = sockets.slice(b * size, (b + 1) * size);
        // The first batch at once; each later one somewhere in the first half of its slot.
        const at = b === 0 ? 0 : b * slot + Math.random() * slot * 0.5;
        return new Promise<void>((resolve) => setTimeout(() => resolve(close(batch)), at));
      }),
    );
  }
}

/**
 * Realtime for a process without clients (`abrik worker`): a Socket.IO server attached to nothing,
 * on the Redis Streams adapter, so what the modules deliver there — a timer handing a
 * conversation on, a system note — reaches the clients of every gateway. Without Redis there is
 * nobody to reach: undefined.
 */
export function createBroadcaster(options: {
  modules: SocketModule[];
  redis: Redis | undefined;
}): { io: RealtimeServer; close(): Promise<void> } | undefined {
  if (!options.redis) return undefined;
  const io: RealtimeServer = new Server({ serveClient: false });
  useRedisStreamsAdapter(io, options.redis);
  for (const module of options.modules) module.deliver?.(io);
  // (io.close() expects an engine, which an unattached server does not have: the adapter is all.)
  return { io, close: async () => void (await io.of('/').adapter.close()) };
}

function isAcked(event: ClientEventName): event is AckedEventName {
  return 'ack' in CLIENT_EVENTS[event];
}

/** The handlers' view of a socket: the actor is read at each call, so a refreshed token applies. */
function contextOf(socket: AbrikSocket, locale: Locale): SocketContext {
  return {
    id: socket.id,
    get actor() {
      return socket.data.actor;
    },
    locale,
    inRoom: (room) => socket.rooms.has(room),
    toOthersIn: (room) => socket.to(room),
  };
}
