/**
 * The one place that reaches into Socket.IO's internals: the Redis Streams adapter's publish
 * methods and engine.io's upgrade request. `socket-io.test.ts` fails when either changes shape.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server, Socket } from 'socket.io';
import type { Redis } from '../../redis/client.js';

/** What the adapter sends to Redis through: its two ways out. */
interface Publishing {
  doPublish(message: unknown): Promise<string>;
  doPublishResponse(uid: unknown, response: unknown): Promise<void>;
}

/**
 * Installs the Redis Streams adapter, with publishing that fails fast while Redis is down (the
 * adapter then delivers on this instance only) instead of waiting in the client's offline queue.
 */
export function useRedisStreamsAdapter(io: Server, redis: Redis): void {
  const factory = createAdapter(redis.client, {
    streamName: `${redis.prefix}socket.io`,
    channelPrefix: `${redis.prefix}socket.io`,
    sessionKeyPrefix: `${redis.prefix}sio:session:`,
    maxLen: 100_000,
  });
  const unavailable = () => Promise.reject(new Error('Redis unavailable; delivered on this instance only'));
  // Socket.IO calls the adapter with `new`: a plain function returning the instance, not an arrow.
  io.adapter(function redisStreamsAdapter(nsp: unknown) {
    const adapter = factory(nsp) as unknown as Publishing;
    const publish = adapter.doPublish.bind(adapter);
    const respond = adapter.doPublishResponse.bind(adapter);
    adapter.doPublish = (message) => (redis.isReady() ? publish(message) : unavailable());
    adapter.doPublishResponse = (uid, response) => (redis.isReady() ? respond(uid, response) : unavailable());
    return adapter as unknown as ReturnType<typeof factory>;
  });
}

/**
 * Drops engine.io's reference to the HTTP upgrade request once the handshake is built: holding
 * it costs a few KiB per idle connection (Socket.IO's memory guide).
 */
export function releaseUpgradeRequest(socket: Socket): void {
  (socket.conn as unknown as { request: unknown }).request = null;
}
