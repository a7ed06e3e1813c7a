import { it } from 'vitest';
import {
  cpuBetween,
  cpuSnapshot,
  createGroup,
  createUsers,
  environment,
  knob,
  markdownTable,
  percentile,
  progress,
  round,
  sleep,
  startSingle,
  withLoad,
  withTarget,
  writeResults,
} from './harness/index.js';
import type { Endpoint } from './load/ipc.js';

/**
 * `fanout` (issue 5): a group of 1,000 members, all connected; one member sends a message, and
 * every other member's socket notes when it arrives (send time in the body, one monotonic clock
 * for all load processes). Repeated (20 messages, 500 ms apart); the figure is the time until
 * the last member has it: its p50 and p99 over the messages, and the spread over the members.
 */
it('fanout: one message to a group of 1,000 members', async () => {
  const settings = {
    members: knob('BENCH_FANOUT_MEMBERS', 1000, 2),
    messages: knob('BENCH_FANOUT_MESSAGES', 20, 1),
    intervalMs: knob('BENCH_FANOUT_INTERVAL_MS', 500, 1),
    settleSeconds: knob('BENCH_FANOUT_SETTLE', 5),
    bodyLength: 64,
    loadProcesses: knob('BENCH_LOAD_PROCESSES', 2, 1),
  };
  await withTarget(
    () => startSingle(),
    (target) =>
      withLoad(settings.loadProcesses, async (pool) => {
        const users = await createUsers(target, settings.members);
        const conversationId = await createGroup(target, users, 'bench fan-out');
        // Member k in process k mod P; the sender (member 0) is socket 0 of process 0.
        const endpoints: Endpoint[][] = Array.from({ length: pool.size }, () => []);
        users.forEach((u, k) => {
          endpoints[k % pool.size]!.push({ url: target.instances[0]!.url, token: u.token });
        });
        const connected = await pool.connect(endpoints);
        progress(
          `${connected.opened} members connected in ${connected.seconds} s (${connected.retries} refused and retried)`,
        );
        // Connecting tells every online member about every other one (presence): let that pass
        // (at least BENCH_FANOUT_SETTLE seconds, then until no presence event came for 1 s).
        await sleep(settings.settleSeconds * 1000);
        const presenceEvents = async () => (await pool.stats()).reduce((n, s) => n + s.presenceEvents, 0);
        let presenceAfterConnect = await presenceEvents();
        for (const quietUntil = Date.now() + 60_000; Date.now() < quietUntil; ) {
          await sleep(1000);
          const seen = await presenceEvents();
          if (seen === presenceAfterConnect) break;
          presenceAfterConnect = seen;
        }

        const groups = [...target.groups, ...pool.groups()];
        const before = await cpuSnapshot(groups);
        const acks = [];
        for (let tag = 1; tag <= settings.messages; tag++) {
          const started = Date.now();
          acks.push(await pool.fanoutSend(0, 0, conversationId, tag, settings.bodyLength));
          await sleep(Math.max(0, settings.intervalMs - (Date.now() - started)));
        }
        // Wait until every member has every message (or 10 s).
        const expected = settings.members - 1;
        let reports = await pool.fanoutReport();
        const deadline = Date.now() + 10_000;
        const complete = () => {
          for (let tag = 1; tag <= settings.messages; tag++) {
            const got = reports.reduce((n, r) => n + (r.received[tag]?.length ?? 0), 0);
            if (got < expected) return false;
          }
          return true;
        };
        while (!complete() && Date.now() < deadline) {
          await sleep(100);
          reports = await pool.fanoutReport();
        }
        const after = await cpuSnapshot(groups);

        const perMessage = [];
        const everyone: number[] = [];
        for (let tag = 1; tag <= settings.messages; tag++) {
          const times = reports.flatMap((r) => r.received[tag] ?? []);
          everyone.push(...times);
          const ack = acks[tag - 1]!;
          perMessage.push({
            tag,
            acked: ack.ok,
            error: ack.error ?? null,
            ackMs: round(ack.ackMs, 2),
            receivedBy: times.length,
            missed: expected - times.length,
            // Time to the last member only when every member got it.
            lastMs: times.length >= expected ? round(Math.max(...times), 2) : null,
            p50Ms: round(percentile(times, 50), 2),
            p99Ms: round(percentile(times, 99), 2),
          });
        }
        const lasts = perMessage.map((m) => m.lastMs).filter((v): v is number => v !== null);
        const summary = {
          lastMemberMs: {
            p50: lasts.length ? round(percentile(lasts, 50), 2) : null,
            p99: lasts.length ? round(percentile(lasts, 99), 2) : null,
            max: lasts.length ? round(Math.max(...lasts), 2) : null,
          },
          allMembersMs: { p50: round(percentile(everyone, 50), 2), p99: round(percentile(everyone, 99), 2) },
          ackMs: {
            p50: round(
              percentile(
                perMessage.map((m) => m.ackMs),
                50,
              ),
              2,
            ),
          },
          messagesMissedBySomeone: perMessage.filter((m) => m.missed > 0).length,
          deliveriesMissed: perMessage.reduce((n, m) => n + m.missed, 0),
          presenceEventsWhileConnecting: presenceAfterConnect,
          cpu: cpuBetween(before, after, groups),
        };
        progress(
          `last member: p50 ${summary.lastMemberMs.p50} ms, p99 ${summary.lastMemberMs.p99} ms; ` +
            `all deliveries p99 ${summary.allMembersMs.p99} ms; missed ${summary.deliveriesMissed}`,
        );
        writeResults(
          'fanout',
          {
            environment: await environment(target.db),
            settings: {
              ...settings,
              connectSeconds: connected.seconds,
              connectRetries: connected.retries,
              ...target.settings,
            },
            ...summary,
            perMessage,
            serverLog: target.logSummary(),
          },
          [
            markdownTable(
              [
                'members',
                'messages',
                'last member p50 ms',
                'last member p99 ms',
                'last member max ms',
                'any member p50 ms',
                'any member p99 ms',
                'sender ack p50 ms',
                'deliveries missed',
                ...Object.keys(summary.cpu)
                  .filter((k) => !/^load\d+$/.test(k))
                  .map((k) => `CPU ${k}`),
              ],
              [
                [
                  settings.members,
                  settings.messages,
                  summary.lastMemberMs.p50,
                  summary.lastMemberMs.p99,
                  summary.lastMemberMs.max,
                  summary.allMembersMs.p50,
                  summary.allMembersMs.p99,
                  summary.ackMs.p50,
                  summary.deliveriesMissed,
                  ...Object.entries(summary.cpu)
                    .filter(([k]) => !/^load\d+$/.test(k))
                    .map(([, v]) => v),
                ],
              ],
            ),
            '',
            `CPU over the ${settings.messages} messages (${settings.intervalMs} ms apart) and the wait for the last deliveries; ` +
              `${presenceAfterConnect.toLocaleString('en-US')} presence events reached the members while they connected.`,
          ].join('\n'),
        );
      }),
  );
});
