import type { Socket as TcpSocket } from 'node:net';
import type { Message } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../support/cluster.js';
import { expectSound, report, type Sent } from '../support/ledger.js';
import { eventually } from '../support/sockets.js';
import { FAULTS_AVAILABLE, type Rig, startRig } from './rig.js';

type Ack = { ok: true; message: Message; duplicate: boolean } | { ok: false; error: { code: string } };

/**
 * Clients that misbehave: one that stops reading its socket while its group is busy, one that
 * floods sends without waiting for acks. Neither may cost the server unbounded memory or the
 * others their messages.
 */
describe.skipIf(!FAULTS_AVAILABLE)('faults: clients that misbehave', () => {
  let rig: Rig;
  let members: [ChatClient, ChatClient, ChatClient, ChatClient, ChatClient];

  beforeAll(async () => {
    // m1, m3, m5 on i1; m2, m4 on i2. A small write buffer, so the kernel's socket buffers
    // (megabytes on loopback) fill first and the limit is reached within seconds.
    rig = await startRig({
      instances: 2,
      members: 5,
      env: { SOCKET_MAX_BUFFERED_PACKETS: '300', MESSAGES_PER_USER_MINUTE: '1000' },
    });
    members = rig.members as typeof members;
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
  }, 30_000);

  it('a slow consumer that never reads is cut off instead of buffered for; it reconnects and catches up', async () => {
    const group = await rig.newGroup();
    const [m1, m2, m3, m4] = members;
    const tcp = (m3.socket.io.engine.transport as unknown as { ws?: { _socket?: TcpSocket } }).ws?._socket;
    expect(tcp, 'the WebSocket transport’s TCP socket').toBeDefined();
    const cutOffsBefore = await rig.metric(0, 'realtime_slow_consumers_total');
    const connectsBefore = m3.connects;
    let cutOffAfterMs = 0;
    const sent = await rig.run(
      group,
      [m1, m2, m4],
      'slow',
      async () => {
        tcp!.pause(); // m3 reads nothing more: the kernel's buffers fill, then the server's
        const at = Date.now();
        await eventually(
          async () => (await rig.metric(0, 'realtime_slow_consumers_total')) > cutOffsBefore,
          30_000,
          'the slow consumer to be cut off',
        );
        cutOffAfterMs = Date.now() - at;
        tcp!.resume();
      },
      // About 8 kB a message (Persian letters are two bytes each).
      { before: 200, after: 1000, pauseMs: 0, body: (s, i) => `${'س'.repeat(3900)} ${s.name} ${i}` },
    );
    const books = await rig.books(group, sent, [m1, m2, m4]);
    report(
      'slow consumer (never reads)',
      books,
      `cut off ${cutOffAfterMs} ms after it stopped reading; it reconnected ${m3.connects - connectsBefore} time(s) and got ${m3.firstVia.sync} messages through sync`,
    );
    expectSound(books, { live: true });
    expect(m3.connects).toBeGreaterThan(connectsBefore);
    expect(m3.disconnects).toContain('transport close');
  }, 90_000);

  it('a client flooding sends is refused past its share, counted across instances; everyone else is served', async () => {
    const group = await rig.newGroup();
    const [m1, m2, m3, m4, flooder] = members;
    const onI2 = await rig.cluster.client('m5@i2', rig.cluster.instances[1]!.url, rig.users[4]!);
    const flood: Sent[] = [];
    const sendRaw = (client: ChatClient, clientMsgId: string): Promise<Sent> => {
      const sent = { sender: client.name, conversationId: group, clientMsgId, attempts: 1 };
      return (
        client.socket.timeout(20_000).emitWithAck('message:send', {
          conversationId: group,
          clientMsgId,
          body: `flood ${clientMsgId}`,
        }) as Promise<Ack>
      ).then(
        (ack): Sent =>
          ack.ok
            ? { ...sent, result: 'ok', errors: [], message: ack.message }
            : { ...sent, result: 'refused', errors: [ack.error.code] },
        (): Sent => ({ ...sent, result: 'lost', errors: [] }),
      );
    };
    let historyReads = 0;
    const historyFailures: number[] = [];
    const sent = await rig.run(
      group,
      [m1, m2, m3],
      'flood-others',
      async () => {
        // 3,000 sends at once on one socket: past the events one connection may have in flight.
        flood.push(
          ...(await Promise.all(Array.from({ length: 3000 }, (_, i) => sendRaw(flooder, `at-once-${i}`)))),
        );
        // Then 25 at a time from the same user on the other instance: past the rate per minute,
        // which both instances count together in Redis.
        for (let i = 0; i < 1500; i += 25) {
          const wave = Array.from({ length: 25 }, (_, k) => sendRaw(onI2, `waves-${i + k}`));
          flood.push(...(await Promise.all(wave)));
        }
        // Another member reads the history meanwhile, as they would scroll.
        for (let i = 0; i < 10; i++) {
          const page = await rig.cluster.request('GET', `/api/v1/conversations/${group}/messages?limit=20`, {
            token: m4.user.accessToken,
            base: rig.cluster.instances[0]!.url,
          });
          historyReads += 1;
          if (page.status !== 200) historyFailures.push(page.status);
        }
      },
      { before: 300, after: 500 },
    );
    // The flooder's sockets bypassed its client's outbox: its own messages reach it by a sync.
    await flooder.synced();
    const books = await rig.books(group, [...sent, ...flood], [m1, m2, m3, m4]);
    const outcome = (list: Sent[]) =>
      [...Map.groupBy(list, (s) => (s.result === 'ok' ? 'acked' : (s.errors[0] ?? s.result)))]
        .map(([what, of]) => `${of.length} ${what}`)
        .join(', ');
    const atOnce = flood.filter((s) => s.clientMsgId.startsWith('at-once'));
    const waves = flood.filter((s) => s.clientMsgId.startsWith('waves'));
    const flooderAcked = flood.filter((s) => s.result === 'ok').length;
    report(
      'a client flooding 4,500 sends',
      books,
      `3,000 at once on i1: ${outcome(atOnce)}; 1,500 in waves of 25 on i2: ${outcome(waves)}; ` +
        `the others: ${sent.filter((s) => s.result === 'ok').length} of ${sent.length} acked; ` +
        `${historyReads - historyFailures.length} of ${historyReads} history reads answered`,
    );
    expectSound(books, { live: true });
    // The flooder was held to its share and told so; its minute's 1,000 counted on both instances.
    expect(new Set(flood.filter((s) => s.result !== 'ok').map((s) => s.errors[0] ?? s.result))).toEqual(
      new Set(['rate_limited']),
    );
    expect(atOnce.filter((s) => s.result === 'ok').length).toBeLessThan(1000);
    expect(flooderAcked).toBe(1000);
    // Everyone else was served in full.
    expect(sent.every((s) => s.result === 'ok')).toBe(true);
    expect(historyFailures).toEqual([]);
    onI2.close();
  }, 90_000);
});
