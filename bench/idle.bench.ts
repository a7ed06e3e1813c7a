import { it } from 'vitest';
import {
  connectionCounts,
  createPairs,
  environment,
  knob,
  knobList,
  markdownTable,
  openFilesLimit,
  percentile,
  progress,
  round,
  rssBytes,
  sleep,
  startSingle,
  withLoad,
  withTarget,
  writeResults,
} from './harness/index.js';
import type { Endpoint } from './load/ipc.js';

/** A DevTools protocol session on the server's inspector (Node's global WebSocket client). */
async function inspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('cannot open the inspector session'));
  });
  let id = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  };
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      id += 1;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    collectGarbage: () => call('HeapProfiler.collectGarbage'),
    async memoryUsage(): Promise<NodeJS.MemoryUsage> {
      const reply = (await call('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value: string } };
      return JSON.parse(reply.result.value) as NodeJS.MemoryUsage;
    },
    close: () => ws.close(),
  };
}

/**
 * `idle` (issue 5): connections held and doing nothing; the server's resident memory per
 * connection = (RSS with N − RSS with none after a warm-up) / N, at 1,000, 5,000 and 10,000
 * connections. Each user is one socket in a direct conversation with another (its user room and
 * one conversation room). RSS is VmRSS from /proc after the server settled; with the inspector on
 * (BENCH_IDLE_GC=1, the default: `--inspect=127.0.0.1:PORT`, no change to the server) a full GC
 * is forced before sampling, so garbage does not count as cost.
 */
it('idle: server memory per idle connection', async () => {
  const levels = knobList('BENCH_IDLE_LEVELS', [1000, 5000, 10_000]).sort((a, b) => a - b);
  const total = levels.at(-1)!;
  const settings = {
    levels,
    warmupConnections: Math.min(knob('BENCH_IDLE_WARMUP', 1000, 1), total),
    settleSeconds: knob('BENCH_IDLE_SETTLE', 5),
    samples: knob('BENCH_IDLE_SAMPLES', 5, 1),
    forcedGc: knob('BENCH_IDLE_GC', 1) !== 0,
    loadProcesses: knob('BENCH_LOAD_PROCESSES', Math.max(2, Math.ceil(total / 5000)), 1),
  };
  await withTarget(
    () => startSingle({ inspect: settings.forcedGc }),
    (target) =>
      withLoad(settings.loadProcesses, async (pool) => {
        const server = target.instances[0]!.pid;
        const limit = openFilesLimit(server);
        if (limit < total + 500) {
          throw new Error(
            `the server may open only ${limit} files, too few for ${total} connections: raise the hard limit (ulimit -Hn) or lower BENCH_IDLE_LEVELS`,
          );
        }
        const session = target.inspectPort ? await inspector(target.inspectPort) : undefined;
        try {
          const pairs = await createPairs(target, Math.ceil(total / 2));
          const all: Endpoint[] = pairs
            .flatMap((p) => [p.a, p.b])
            .slice(0, total)
            .map((u) => ({ url: target.instances[0]!.url, token: u.token }));
          const spread = (list: Endpoint[]) => {
            const out: Endpoint[][] = Array.from({ length: pool.size }, () => []);
            list.forEach((e, i) => {
              out[i % pool.size]!.push(e);
            });
            return out;
          };

          const measure = async () => {
            await sleep(settings.settleSeconds * 1000);
            if (session) {
              await session.collectGarbage();
              await session.collectGarbage();
            }
            const samples: number[] = [];
            for (let i = 0; i < settings.samples; i++) {
              if (i > 0) await sleep(1000);
              samples.push(rssBytes(server));
            }
            const usage = session ? await session.memoryUsage() : undefined;
            return {
              connections: (await connectionCounts(target))[0]!,
              rssBytes: percentile(samples, 50),
              rssSamples: samples,
              heapUsedBytes: usage?.heapUsed ?? null,
              externalBytes: usage?.external ?? null,
              loadRssBytes: (await pool.stats()).reduce((n, s) => n + s.rssBytes, 0),
            };
          };

          // Warm-up: the connection path compiled and its pools filled, then everyone gone again.
          await pool.connect(spread(all.slice(0, settings.warmupConnections)));
          await sleep(2000);
          await pool.disconnect();
          const baseline = await measure();
          progress(`0 connections after warm-up: RSS ${round(baseline.rssBytes / 2 ** 20, 1)} MiB`);

          const rows = [];
          let open = 0;
          for (const level of levels) {
            const connected = await pool.connect(spread(all.slice(open, level)));
            open = level;
            const m = await measure();
            const perConnection = (m.rssBytes - baseline.rssBytes) / level / 1024;
            const heapPerConnection =
              m.heapUsedBytes !== null && baseline.heapUsedBytes !== null
                ? (m.heapUsedBytes - baseline.heapUsedBytes) / level / 1024
                : null;
            const loadStats = await pool.stats();
            rows.push({
              level,
              ...m,
              connectSeconds: connected.seconds,
              connectRetries: connected.retries,
              rssPerConnectionKiB: round(perConnection, 1),
              heapPerConnectionKiB: heapPerConnection === null ? null : round(heapPerConnection, 1),
              loadRssPerConnectionKiB: round((m.loadRssBytes - baseline.loadRssBytes) / level / 1024, 1),
              connectedAtClients: loadStats.reduce((n, s) => n + s.connected, 0),
              disconnects: loadStats.map((s) => s.disconnects),
            });
            progress(
              `${level} connections (server counts ${m.connections}): RSS ${round(m.rssBytes / 2 ** 20, 1)} MiB, ` +
                `${round(perConnection, 1)} KiB per connection`,
            );
          }
          writeResults(
            'idle',
            {
              environment: await environment(target.db),
              settings: { ...settings, ...target.settings },
              baseline,
              levels: rows,
              serverLog: target.logSummary(),
            },
            [
              `Baseline (0 connections after a warm-up of ${settings.warmupConnections}): RSS ${round(baseline.rssBytes / 2 ** 20, 1)} MiB${baseline.heapUsedBytes ? `, V8 heap ${round(baseline.heapUsedBytes / 2 ** 20, 1)} MiB` : ''}.`,
              '',
              markdownTable(
                [
                  'connections',
                  'server counts',
                  'RSS MiB',
                  'RSS KiB / connection',
                  'V8 heap KiB / connection',
                  'load processes KiB / connection',
                  'connect s',
                ],
                rows.map((r) => [
                  r.level,
                  r.connections,
                  round(r.rssBytes / 2 ** 20, 1),
                  r.rssPerConnectionKiB,
                  r.heapPerConnectionKiB,
                  r.loadRssPerConnectionKiB,
                  r.connectSeconds,
                ]),
              ),
            ].join('\n'),
          );
        } finally {
          session?.close();
        }
      }),
  );
});
