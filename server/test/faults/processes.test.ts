import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatClient, redisPing } from '../support/cluster.js';
import { expectSound, report } from '../support/ledger.js';
import { eventually } from '../support/sockets.js';
import { FAULTS_AVAILABLE, type Rig, sleep, startRig } from './rig.js';

/**
 * A server process SIGKILLed mid-traffic and started again, and Redis flushed and restarted
 * under it, with members on both instances: the clients of the killed instance reconnect and
 * sync; those of the other never lose their connection and must hear everything live.
 */
describe.skipIf(!FAULTS_AVAILABLE)('faults: processes', () => {
  let rig: Rig;
  const four = () => rig.members as [ChatClient, ChatClient, ChatClient, ChatClient];

  beforeAll(async () => {
    rig = await startRig({ instances: 2, members: 4 });
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
  }, 30_000);

  it('a server SIGKILLed and restarted: its clients come back and catch up, the others hear it all live', async () => {
    const group = await rig.newGroup();
    // m1 and m3 are on i1 (killed), m2 and m4 on i2.
    const [m1, m2, m3, m4] = four();
    const i1 = rig.cluster.instances[0]!;
    const connectsBefore = m3.connects;
    let downMs = 0;
    const sent = await rig.run(group, [m1, m2], 'kill', async () => {
      const at = Date.now();
      i1.kill('SIGKILL');
      await i1.exited;
      await sleep(500);
      await i1.restart();
      downMs = Date.now() - at;
    });
    const books = await rig.books(group, sent, [m2, m4]);
    report(
      'server SIGKILLed and restarted',
      books,
      `down ${downMs} ms; m3 (on the killed one) got ${m3.firstVia.sync} through sync after ${m3.connects - connectsBefore} reconnect(s)`,
    );
    expectSound(books, { live: true });
    expect(m3.connects).toBeGreaterThan(connectsBefore);
    expect(books.acked).toBe(books.sent);
  }, 90_000);

  it('Redis flushed, then restarted (empty): delivery resumes, clients resync, presence and limits are rebuilt', async () => {
    const group = await rig.newGroup();
    const [m1, m2, m3, m4] = four();
    const resyncsBefore = rig.members.map((m) => m.resyncs.length);
    const sent = await rig.run(group, [m1, m2, m3], 'redis', async () => {
      const flushed = await rig.cluster.redis.flush();
      expect(flushed).toBe(true);
      await sleep(1000);
      await rig.cluster.redis.stop();
      await sleep(1000);
      await rig.cluster.redis.start();
      expect(await redisPing(rig.cluster.redis.port)).toBe(true);
    });
    // Each instance lost Redis for a second: its clients missed what the other instance
    // announced then, were told to resync, and fetched it.
    const books = await rig.books(group, sent);
    const resyncs = rig.members.map((m, i) => m.resyncs.length - resyncsBefore[i]!);
    report('Redis flushed and restarted', books, `resyncs per member ${resyncs.join('/')}`);
    expectSound(books);
    expect(books.acked).toBe(books.sent);
    expect(resyncs.every((n) => n > 0)).toBe(true);

    // Presence, emptied twice, is written back by each instance: m4 (i2) sees m1 (i1) online.
    await eventually(
      async () => {
        const ack = (await m4.socket
          .timeout(3000)
          .emitWithAck('presence:query', { userIds: [m1.user.user.id, m2.user.user.id] })) as {
          ok: boolean;
          presences?: { status: string }[];
        };
        return ack.ok && ack.presences!.every((p) => p.status === 'online');
      },
      15_000,
      'presence written back after the flush',
    );
    // And a message now reaches the other instance's members live again.
    const probe = await m1.send(group, 'redis-after', 'after the flush');
    // The limits count in Redis again (not in each process's fallback): m1's sends this minute.
    const redis = createClient({ url: rig.cluster.redis.url });
    await redis.connect();
    try {
      const counters = await redis.keys('abrik:rl:send:user:1m*');
      expect(counters.length).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
    expect(probe.result).toBe('ok');
    await eventually(
      () => [m2, m4].every((m) => m.live.some((l) => l.id === probe.message!.id)),
      10_000,
      'a message after the flush to arrive live on the other instance',
    );
  }, 90_000);
});
