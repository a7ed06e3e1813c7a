import type { ClientToServerEvents, ServerToClientEvents } from '@abrik/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Session } from '../api/session.js';
import { Store } from '../lib/store.js';

export type ConnectionState = 'connecting' | 'online' | 'offline';
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type CreateSocket = (options: Partial<ManagerOptions & SocketOptions>) => ChatSocket;

export const ACK_TIMEOUT_MS = 10_000;
/** Refusals a fresh token may cure. */
const AUTH_ERRORS: ReadonlySet<string> = new Set([
  'auth/token_expired',
  'auth/invalid_token',
  'auth/unauthenticated',
]);

/** What the rest of the client does as the connection comes, goes, and the page is hidden or shown. */
export interface ConnectionEvents {
  connected(): void;
  disconnected(): void;
  visibilityChanged(): void;
}

/**
 * One Socket.IO connection: a fresh token for every attempt, the browser's online and offline
 * events, backoff after a refusal, and the access token renewed before the server drops us.
 */
export class Connection {
  readonly state = new Store<ConnectionState>('connecting');
  readonly socket: ChatSocket;
  private failedAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly cleanups: (() => void)[] = [];
  private started = false;

  constructor(
    private readonly session: Session,
    lang: () => string,
    private readonly events: ConnectionEvents,
    createSocket: CreateSocket = (o) => io(o),
  ) {
    this.socket = createSocket({
      autoConnect: false,
      transports: ['websocket'],
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 15_000,
      randomizationFactor: 0.5,
      // A fresh token for every attempt, so a reconnect after a long sleep is not refused.
      auth: (cb) => {
        this.session.accessToken().then(
          (token) => cb({ token: token ?? '', lang: lang() }),
          () => cb({ token: this.session.current?.accessToken ?? '', lang: lang() }),
        );
      },
    });
    this.listen();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const online = () => {
      this.failedAttempts = 0;
      this.updateState();
      if (!this.socket.connected) this.socket.connect();
    };
    const offline = () => {
      // Say so at once and stop sending into a dead connection; the outbox keeps what is written.
      this.socket.disconnect();
      this.updateState();
    };
    const visibility = () => this.events.visibilityChanged();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visibility);
    let token = this.session.current?.accessToken;
    const unsubscribe = this.session.store.subscribe(() => {
      const next = this.session.current?.accessToken;
      if (next && next !== token && this.socket.connected) this.socket.emit('auth:refresh', { token: next });
      token = next;
    });
    this.cleanups.push(
      () => window.removeEventListener('online', online),
      () => window.removeEventListener('offline', offline),
      () => document.removeEventListener('visibilitychange', visibility),
      unsubscribe,
    );
    if (navigator.onLine === false) this.updateState();
    else this.socket.connect();
  }

  /** Connects again now, with a fresh token (the session changed: a new role, new rooms). */
  reconnect(): void {
    if (!this.started) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  stop(): void {
    this.started = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    clearTimeout(this.reconnectTimer);
    this.socket.disconnect();
  }

  private listen(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.failedAttempts = 0;
      this.updateState();
      this.events.connected();
    });
    s.on('disconnect', (reason) => {
      this.events.disconnected();
      this.updateState();
      // The server closed us (e.g. draining): Socket.IO does not come back by itself then.
      if (reason === 'io server disconnect') this.reconnectLater();
    });
    s.on('connect_error', (error) => {
      this.failedAttempts++;
      this.updateState();
      if (s.active) return; // Socket.IO retries on its own, with backoff.
      if (AUTH_ERRORS.has(error.message)) {
        this.session.refresh().then(
          (fresh) => {
            if (fresh) this.reconnectLater(0);
          },
          () => this.reconnectLater(),
        );
      } else {
        this.reconnectLater();
      }
    });
    s.on('auth:expired', () => {
      this.session.refresh().then(
        (fresh) => {
          if (fresh && s.connected) s.emit('auth:refresh', { token: fresh.accessToken });
        },
        () => {
          // Offline: the socket will be closed and reconnect with a fresh token.
        },
      );
    });
  }

  private updateState(): void {
    const state: ConnectionState = this.socket.connected
      ? 'online'
      : navigator.onLine === false || this.failedAttempts >= 2
        ? 'offline'
        : 'connecting';
    this.state.set(state);
  }

  private reconnectLater(delayMs?: number): void {
    clearTimeout(this.reconnectTimer);
    if (!this.started || !this.session.current) return;
    const backoff =
      delayMs ?? Math.min(15_000, 1_000 * 2 ** Math.min(this.failedAttempts, 4)) * (0.5 + Math.random());
    this.reconnectTimer = setTimeout(() => {
      if (this.started && !this.socket.connected && navigator.onLine !== false) this.socket.connect();
    }, backoff);
  }
}
