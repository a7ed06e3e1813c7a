import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../../../test/support/logs.js';
import { REDIS, REDIS_URL } from '../../../../test/support/redis.js';
import { connectRedis, type Redis } from '../../redis/client.js';
import { releaseUpgradeRequest, useRedisStreamsAdapter } from './socket-io.js';

/** Fails when the Redis Streams adapter or engine.io change what socket-io.ts reaches into. */
describe('Socket.IO internals the realtime drivers file reaches', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });

  it.skipIf(!REDIS)("wraps the Redis Streams adapter's two ways out to Redis", async () => {
    const redis: Redis = await connectRedis(
      REDIS_URL,
      `abrik-test-${process.pid}:`,
      capturingLogger().logger,
    );
    closers.push(() => redis.close());
    const io = new Server(createServer());
    closers.push(() => io.close());
    useRedisStreamsAdapter(io, redis);
    const adapter = io.of('/').adapter;
    expect(typeof Reflect.get(adapter, 'doPublish')).toBe('function');
    expect(typeof Reflect.get(adapter, 'doPublishResponse')).toBe('function');
  });

  it("drops engine.io's upgrade request of a connection", async () => {
    const http = createServer();
    const io = new Server(http);
    closers.push(() => io.close());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;
    const seen = new Promise<unknown>((resolve) =>
      io.on('connection', (socket) => {
        const before = Reflect.get(socket.conn, 'request');
        releaseUpgradeRequest(socket);
        resolve({
          before: before !== undefined && before !== null,
          after: Reflect.get(socket.conn, 'request'),
        });
      }),
    );
    const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    closers.push(async () => client.close());
    expect(await seen).toEqual({ before: true, after: null });
  });
});
