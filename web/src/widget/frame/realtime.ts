import type { ClientToServerEvents, ServerToClientEvents } from '@abrik/protocol';
import { io, type Socket } from 'socket.io-client';
import { type ConnectOptions, LISTENED, type SocketHandle } from './transport';

/**
 * The realtime chunk: loaded by the frame (dynamic import) only for a visitor who has a
 * conversation. Same origin as the frame; the session token goes in the handshake's auth.
 */

const ACK_TIMEOUT_MS = 15_000;

export function connectSocket({ token, lang, onEvent }: ConnectOptions): SocketHandle {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    auth: { widgetToken: token, lang },
    transports: ['websocket', 'polling'],
  });
  const emit = onEvent as (event: { type: string; payload?: unknown }) => void;
  for (const type of LISTENED) {
    socket.on(type, ((payload: unknown) => emit({ type, payload })) as never);
  }
  socket.on('connect', () => onEvent({ type: 'connect' }));
  socket.on('connect_error', (error) => {
    // Refused by the server (its middleware: `err.message` is the code): Socket.IO does not retry
    // by itself then. Transport failures keep `active` and are retried by the client.
    if (!socket.active) onEvent({ type: 'refused', code: error.message });
  });
  return {
    request: (event, payload) =>
      (socket.timeout(ACK_TIMEOUT_MS).emitWithAck as (...args: unknown[]) => Promise<never>)(event, payload),
    typing: (conversationId) => socket.emit('typing', { conversationId }),
    reconnect: (next) => {
      socket.auth = { widgetToken: next, lang };
      socket.disconnect().connect();
    },
    close: () => {
      socket.disconnect();
    },
  };
}
