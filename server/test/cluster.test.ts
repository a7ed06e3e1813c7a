import type { Message } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, uniquePhone } from './support/app.js';
import {
  type ChatClient,
  type Cluster,
  clusterAvailable,
  httpJson,
  type Instance,
  startCluster,
} from './support/cluster.js';
import { describeDelivery, type Sent, storedMessages, traffic } from './support/ledger.js';
import { eventually, next } from './support/sockets.js';

/**
 * Issue #3: many instances, one chat. Three `abrik serve` processes on one PostgreSQL and one
 * Redis, behind nginx running deploy/nginx.conf. Everything is counted, nothing sampled: after
 * each disturbance every member must hold every stored message of the conversation.
 *
 * With `hash $remote_addr consistent` every client of this machine lands on the same instance
 * through nginx, so clients that must sit on different instances connect to them directly.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const available = clusterAvailable();

/** What every member must hold: every stored message, once; every acked one among them. */
async function expectEveryMemberHoldsEverything(
  cluster: Cluster,
  conversationId: string,
  members: ChatClient[],
  sent: Sent[],
) {
  const stored = await storedMessages(cluster.database.url!, conversationId);
  const storedIds = new Set(stored.map((m) => m.id));
  const acked = sent.filter((s) => s.result === 'ok');
  // Every ack names a stored message, with the seq it was stored under.
  expect(acked.filter((s) => !storedIds.has(s.message!.id))).toEqual([]);
  // seq is gap-free, and each clientMsgId was stored once.
  expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
  const byClientMsgId = new Map<string, number>();
  for (const m of stored)
    if (m.clientMsgId) byClientMsgId.set(m.clientMsgId, (byClientMsgId.get(m.clientMsgId) ?? 0) + 1);
  expect([...byClientMsgId].filter(([, n]) => n !== 1)).toEqual([]);
  for (const member of members) {
    const held = member.messagesOf(conversationId);
    const missing = stored.filter((m) => !member.received.has(m.id));
    expect({ member: member.name, missing }).toEqual({ member: member.name, missing: [] });
    // Nothing extra, and every message exactly once: seqs 1..N, each held under one id.
    expect(held.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
    expect(held.map((m) => m.id)).toEqual(stored.map((m) => m.id));
    for (const s of acked) {
      const copies = held.filter((m) => m.clientMsgId === s.clientMsgId);
      expect(copies.map((m) => m.id)).toEqual([s.message!.id]);
    }
  }
  return { stored: stored.length, acked: acked.length };
}

describe.skipIf(!available)('three instances behind nginx, on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  const users = new Map<string, AuthResult>();

  const user = async (name: string) => {
    let found = users.get(name);
    if (!found) {
      found = await cluster.signIn(uniquePhone(), name);
      users.set(name, found);
    }
    return found;
  };

  const conversation = async (owner: AuthResult, others: AuthResult[]) => {
    const body =
      others.length === 1
        ? { kind: 'direct', userId: others[0]!.user.id }
        : { kind: 'group', title: 'cluster', memberIds: others.map((o) => o.user.id) };
    const created = await cluster.request('POST', '/api/v1/conversations', {
      token: owner.accessToken,
      body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };

  /** The instance nginx sends this machine's Socket.IO connections to, found by connecting one. */
  const nginxRealtimeInstance = async (probe: AuthResult): Promise<Instance> => {
    const before = await cluster.connectionCounts();
    const client = await cluster.client('probe', cluster.url, probe);
    let index = -1;
    await eventually(
      async () => {
        const after = await cluster.connectionCounts();
        index = after.findIndex((n, i) => n === before[i]! + 1);
        return index >= 0;
      },
      5000,
      'the connection through nginx to show up on an instance',
    );
    client.close();
    await eventually(async () => (await cluster.connectionCounts())[index] === before[index], 5000);
    return cluster.instances[index]!;
  };

  beforeAll(async () => {
    cluster = await startCluster();
  }, 90_000);

  afterAll(async () => {
    await cluster?.close();
  }, 30_000);

  it('serves the API and WebSocket upgrades through nginx, with every instance ready', async () => {
    for (const instance of cluster.instances) {
      const ready = await httpJson(instance.url, 'GET', '/health/ready');
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready', failed: [] } });
      expect(ready.body.checks.redis).toMatchObject({ ok: true });
      expect((await httpJson(instance.url, 'GET', '/health')).body).toMatchObject({ instance: instance.id });
    }
    // Round robin for the API: the instances answer in turn.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await cluster.request('GET', '/health')).body.instance);
    expect([...seen].sort()).toEqual(['i1', 'i2', 'i3']);
    // /metrics is not public.
    expect((await cluster.request('GET', '/metrics')).status).toBe(403);
    // A body over the server's 64 KiB limit is refused by nginx already.
    const big = await cluster.request('POST', '/api/v1/auth/otp', { body: { phone: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
  });

  it('clients on different instances exchange messages both ways, in order', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const direct = await conversation(alice, [bob]);
    const a = await cluster.client('alice@i1', cluster.instances[0]!.url, alice);
    const b = await cluster.client('bob@i3', cluster.instances[2]!.url, bob);
    await Promise.all([a.synced(), b.synced()]);

    const run = async (from: ChatClient, n: number) => {
      const acked: Message[] = [];
      for (let i = 0; i < n; i++) {
        const outcome = await from.send(direct, `order-${from === a ? 'a' : 'b'}-${i}`, `${from.name} ${i}`);
        expect(outcome.result).toBe('ok');
        acked.push(outcome.message!);
      }
      return acked;
    };
    const [fromA, fromB] = await Promise.all([run(a, 25), run(b, 25)]);
    const liveFrom = (to: ChatClient, sender: AuthResult) =>
      to.live.filter((m) => m.conversationId === direct && m.senderId === sender.user.id).map((m) => m.id);
    await eventually(
      () => liveFrom(b, alice).length >= 25 && liveFrom(a, bob).length >= 25,
      10_000,
      '25 live messages each way',
    );
    // Live, exactly once, in the order they were sent (and acked).
    expect(liveFrom(b, alice)).toEqual(fromA.map((m) => m.id));
    expect(liveFrom(a, bob)).toEqual(fromB.map((m) => m.id));
    await expectEveryMemberHoldsEverything(cluster, direct, [a, b], []);
    expect(a.messagesOf(direct)).toHaveLength(50);
    a.close();
    b.close();
  });

  it('clients through nginx (WebSocket and long-polling) and on another instance talk', async () => {
    const [carol, dave, erin] = [await user('carol'), await user('dave'), await user('erin')];
    const x = await nginxRealtimeInstance(carol);
    const other = cluster.instances.find((i) => i !== x)!;
    const group = await conversation(carol, [dave, erin]);
    const c = await cluster.client('carol@nginx', cluster.url, carol);
    // Long-polling: every poll is a new HTTP request; only the sticky upstream keeps the
    // Socket.IO session on the instance that holds it.
    const e = await cluster.client('erin@nginx-polling', cluster.url, erin, { transports: ['polling'] });
    const d = await cluster.client(`dave@${other.id}`, other.url, dave);
    const members = [c, d, e];
    await Promise.all(members.map((m) => m.synced()));

    const sentBy = new Map<ChatClient, Message[]>();
    await Promise.all(
      members.map(async (m) => {
        const acked: Message[] = [];
        for (let i = 0; i < 10; i++) {
          const outcome = await m.send(group, `nginx-${members.indexOf(m)}-${i}`, `${m.name} ${i}`);
          expect(outcome.result).toBe('ok');
          acked.push(outcome.message!);
        }
        sentBy.set(m, acked);
      }),
    );
    const liveFrom = (to: ChatClient, from: ChatClient) =>
      to.live.filter((m) => m.conversationId === group && m.senderId === from.user.user.id).map((m) => m.id);
    await eventually(
      () => members.every((to) => members.every((from) => to === from || liveFrom(to, from).length >= 10)),
      10_000,
      'every member to get every other member’s 10 messages live',
    );
    for (const to of members) {
      for (const from of members) {
        if (to !== from) expect(liveFrom(to, from)).toEqual(sentBy.get(from)!.map((m) => m.id));
      }
    }
    await expectEveryMemberHoldsEverything(cluster, group, members, []);
    // The polling client kept one session the whole time (no "Session ID unknown" reconnects).
    expect(e.connects).toBe(1);
    expect(e.socket.io.engine.transport.name).toBe('polling');
    for (const m of members) m.close();
  });

  it('presence crosses instances, and a SIGKILLed instance’s users go offline within 30 s', async () => {
    const [frank, grace] = [await user('frank'), await user('grace')];
    await conversation(frank, [grace]);
    const i1 = cluster.instances[0]!;
    const i3 = cluster.instances[2]!;
    const f = await cluster.client('frank@i1', i1.url, frank);
    const online = next(
      f.socket,
      'presence',
      (p) => p.userId === grace.user.id && p.status === 'online',
      10_000,
    );
    const g = await cluster.client('grace@i3', i3.url, grace, { reconnection: false });
    await online;
    const queried = await f.socket.timeout(5000).emitWithAck('presence:query', { userIds: [grace.user.id] });
    expect(queried).toMatchObject({ ok: true, presences: [{ userId: grace.user.id, status: 'online' }] });

    const offline = next(
      f.socket,
      'presence',
      (p) => p.userId === grace.user.id && p.status === 'offline',
      30_000,
    );
    const killedAt = Date.now();
    i3.kill('SIGKILL');
    expect(await i3.exited).toMatchObject({ signal: 'SIGKILL' });
    const event = await offline;
    const offlineAfterMs = Date.now() - killedAt;
    process.stdout.write(
      `cluster: grace (on i3) seen offline by frank (on i1) ${offlineAfterMs} ms after SIGKILL of i3 ` +
        `(heartbeat 2 s, instance TTL 6 s); lastSeenAt ${event.lastSeenAt}\n`,
    );
    expect(offlineAfterMs).toBeLessThan(30_000);
    const after = await f.socket.timeout(5000).emitWithAck('presence:query', { userIds: [grace.user.id] });
    expect(after).toMatchObject({ ok: true, presences: [{ userId: grace.user.id, status: 'offline' }] });
    g.close();
    f.close();

    await i3.restart();
  }, 60_000);

  it('Redis restarted under steady traffic: every member ends up with every acked message', async () => {
    const names = ['s1', 's2', 's3', 's4', 'r5'];
    const auth = await Promise.all(names.map((n) => user(`redis-${n}`)));
    const group = await conversation(auth[0]!, auth.slice(1));
    const [i1, i2, i3] = cluster.instances as [Instance, Instance, Instance];
    const members = [
      await cluster.client('s1@i1', i1.url, auth[0]!),
      await cluster.client('s2@i2', i2.url, auth[1]!),
      await cluster.client('s3@i3', i3.url, auth[2]!),
      await cluster.client('s4@nginx', cluster.url, auth[3]!),
      await cluster.client('r5@i2', i2.url, auth[4]!),
    ];
    await Promise.all(members.map((m) => m.synced()));
    const senders = members.slice(0, 4);

    let running = true;
    const startedAt = Date.now();
    const sending = traffic(senders, group, 'redis', () => running);
    await sleep(1200);

    const stoppedAt = Date.now();
    await cluster.redis.stop();
    // An instance without Redis still serves its own clients: ready, but degraded.
    let degraded: Awaited<ReturnType<typeof httpJson>> | undefined;
    await eventually(
      async () => {
        degraded = await httpJson(i2.url, 'GET', '/health/ready', { timeoutMs: 3000 });
        return degraded.body?.status === 'degraded';
      },
      10_000,
      '/health/ready to report Redis degraded',
    );
    expect(degraded).toMatchObject({
      status: 200,
      body: { status: 'degraded', failed: [], degraded: ['redis'], checks: { redis: { ok: false } } },
    });
    const degradedAfterMs = Date.now() - stoppedAt;
    await sleep(Math.max(0, 2000 - (Date.now() - stoppedAt)));
    await cluster.redis.start();
    const restartedAt = Date.now();
    await eventually(
      async () => {
        const all = await Promise.all(
          cluster.instances.map((i) => httpJson(i.url, 'GET', '/health/ready', { timeoutMs: 3000 })),
        );
        return all.every((r) => r.status === 200 && r.body?.status === 'ready');
      },
      20_000,
      'every instance ready again after Redis came back',
    );
    const readyAfterMs = Date.now() - restartedAt;
    // Traffic goes on a while after Redis is back: at least 4 s in all.
    await sleep(Math.max(1000, 4000 - (Date.now() - startedAt)));
    running = false;
    const sent = await sending;

    const stored = () => storedMessages(cluster.database.url!, group);
    let storedNow = await stored();
    await eventually(
      async () => {
        storedNow = await stored();
        return members.every((m) => storedNow.every((s) => m.received.has(s.id)));
      },
      20_000,
      'every member to hold every stored message (live, or through sync after resync)',
    ).catch((error: unknown) => {
      throw new Error(
        `${error}: ${members
          .map((m) => `${m.name} misses ${storedNow.filter((s) => !m.received.has(s.id)).length}`)
          .join(', ')} of ${storedNow.length}; ${describeDelivery(members)}`,
      );
    });
    const counts = await expectEveryMemberHoldsEverything(cluster, group, members, sent);
    // The ones that were told to resync: every client, as every instance lost Redis.
    expect(members.filter((m) => m.resyncs.length === 0).map((m) => m.name)).toEqual([]);

    // Fan-out works again: a message sent now reaches everyone live.
    const probe = await members[0]!.send(group, 'redis-after', 'after the restart');
    expect(probe.result).toBe('ok');
    await eventually(
      () => members.slice(1).every((m) => m.live.some((l) => l.id === probe.message!.id)),
      10_000,
      'a message after the restart to arrive live everywhere',
    );

    const refusedAttempts = sent.reduce((n, s) => n + s.errors.length, 0);
    const unansweredAttempts = sent.reduce((n, s) => n + s.attempts - 1 - s.errors.length, 0);
    const notAcked = sent.filter((s) => s.result !== 'ok');
    process.stdout.write(
      `cluster: Redis down ${restartedAt - stoppedAt} ms (degraded reported after ${degradedAfterMs} ms, ` +
        `all ready ${readyAfterMs} ms after restart); ${sent.length} sends, ${counts.acked} acked, ` +
        `${notAcked.length} never acked, ${refusedAttempts} refused and ${unansweredAttempts} unanswered attempts retried; ` +
        `${counts.stored} stored, every one held by all ${members.length} members; ` +
        `${describeDelivery(members)}\n`,
    );
    expect(notAcked).toEqual([]);
    for (const m of members) m.close();
  }, 60_000);

  it('SIGTERM on the instance behind nginx mid-traffic: its 200 other sockets leave in batches, its clients move over and lose nothing', async () => {
    const names = ['n1', 'n2', 'd1', 'd2'];
    const auth = await Promise.all(names.map((n) => user(`term-${n}`)));
    const x = await nginxRealtimeInstance(auth[0]!);
    const [y, z] = cluster.instances.filter((i) => i !== x) as [Instance, Instance];
    const group = await conversation(auth[0]!, auth.slice(1));
    const crowdUsers = await Promise.all(Array.from({ length: 20 }, (_, i) => user(`term-crowd-${i}`)));
    const before = await cluster.connectionCounts();
    // 200 more sockets through nginx (20 people, 10 tabs each), all on x.
    const crowd: ChatClient[] = [];
    for (let i = 0; i < 200; i++)
      crowd.push(await cluster.client(`crowd-${i}`, cluster.url, crowdUsers[i % 20]!));
    const crowdLeftAt: number[] = [];
    for (const c of crowd) c.socket.on('disconnect', () => crowdLeftAt.push(Date.now()));
    const members = [
      await cluster.client('n1@nginx', cluster.url, auth[0]!),
      await cluster.client('n2@nginx', cluster.url, auth[1]!),
      await cluster.client(`d1@${y.id}`, y.url, auth[2]!),
      await cluster.client(`d2@${z.id}`, z.url, auth[3]!),
    ];
    await Promise.all(members.map((m) => m.synced()));
    const connected = await cluster.connectionCounts();
    expect(connected.map((n, i) => n - before[i]!)).toEqual(
      cluster.instances.map((i) => (i === x ? 202 : 1)),
    );
    const [n1, n2] = members as [ChatClient, ChatClient];

    let running = true;
    const sending = traffic(members, group, 'term', () => running);
    await sleep(1500);
    const termAt = Date.now();
    x.kill('SIGTERM');
    const exit = await Promise.race([x.exited, sleep(15_000).then(() => 'still running 15 s after SIGTERM')]);
    expect(exit, x.stderr).toEqual({ code: 0, signal: null });
    const exitMs = Date.now() - termAt;
    await eventually(
      () => [n1, n2, ...crowd].every((c) => c.connects >= 2),
      20_000,
      'every client through nginx to reconnect',
    );
    const movedAfterMs = Date.now() - termAt;
    // Through nginx, to one of the instances still running.
    const counts = await cluster.connectionCounts();
    expect(counts[x.index]).toBe(-1);
    expect(counts[y.index]! + counts[z.index]! - before[y.index]! - before[z.index]!).toBe(204);
    // Not all at once: ten batches over SHUTDOWN_RECONNECT_SPREAD_MS (3 s), the last no sooner than 2.7 s.
    const first = Math.min(...crowdLeftAt);
    const spreadMs = Math.max(...crowdLeftAt) - first;
    const batches = new Set(crowdLeftAt.map((t) => Math.floor((t - first) / 150))).size;
    expect(crowdLeftAt).toHaveLength(200);
    expect(spreadMs).toBeGreaterThanOrEqual(2000);
    expect(batches).toBeGreaterThanOrEqual(5);
    await sleep(1500);
    running = false;
    const sent = await sending;

    let storedNow = await storedMessages(cluster.database.url!, group);
    await eventually(
      async () => {
        storedNow = await storedMessages(cluster.database.url!, group);
        return members.every((m) => storedNow.every((s) => m.received.has(s.id)));
      },
      20_000,
      'every member to hold every stored message',
    ).catch((error: unknown) => {
      throw new Error(
        `${error}: ${members
          .map((m) => `${m.name} misses ${storedNow.filter((s) => !m.received.has(s.id)).length}`)
          .join(', ')} of ${storedNow.length}; ${describeDelivery(members)}`,
      );
    });
    const totals = await expectEveryMemberHoldsEverything(cluster, group, members, sent);
    expect(n1.disconnects).toContain('transport close');
    expect(n2.disconnects).toContain('transport close');
    const notAcked = sent.filter((s) => s.result !== 'ok');
    expect(notAcked).toEqual([]);
    const refused = sent.flatMap((s) => s.errors);
    const unanswered = sent.reduce((n, s) => n + s.attempts - 1 - s.errors.length, 0);
    process.stdout.write(
      `cluster: SIGTERM on ${x.id} (behind nginx, 202 sockets): exit 0 after ${exitMs} ms, its 200 idle sockets left over ${spreadMs} ms in ${batches} groups, all reconnected ` +
        `through nginx ${movedAfterMs} ms after SIGTERM; ${sent.length} sends, ${totals.acked} acked ` +
        `(retried: ${refused.length} refused attempts [${[...new Set(refused)].join(', ')}], ${unanswered} unanswered), ` +
        `${totals.stored} stored, every one held by all ${members.length} members; ${describeDelivery(members)}\n`,
    );
    for (const m of [...members, ...crowd]) m.close();
    await x.restart();
  }, 90_000);
});
