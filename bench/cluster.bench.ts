import { io } from 'socket.io-client';
import { it } from 'vitest';
import {
  connectionCounts,
  createUsers,
  environment,
  knob,
  latestResult,
  progress,
  type Route,
  sleep,
  startClusterTarget,
  stepsTable,
  type Target,
  withLoad,
  withTarget,
  writeResults,
} from './harness/index.js';
import { connectPairs, maxScenario, maxTables, pairsScenario } from './scenarios.js';

/**
 * Through nginx, which places a WebSocket by a hash of the client address
 * (deploy/nginx.conf: `hash $remote_addr consistent`): finds, by connecting from 127.0.0.2,
 * 127.0.0.3, … and watching each instance's connection count, one local address that lands on
 * each instance.
 */
async function routeThroughNginx(target: Target): Promise<Route> {
  const proxy = target.proxyUrl;
  if (!proxy) throw new Error('nginx is not running');
  const [probe] = await createUsers(target, 1);
  const addresses = new Map<number, string>();
  const sockets = [];
  try {
    for (let k = 2; k < 255 && addresses.size < target.instances.length; k++) {
      const localAddress = `127.0.0.${k}`;
      const before = await connectionCounts(target);
      const socket = io(proxy, {
        transports: ['websocket'],
        auth: { token: probe!.token },
        reconnection: false,
        forceNew: true,
        localAddress,
      } as Parameters<typeof io>[1]);
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const after = await connectionCounts(target);
      const landed = after.findIndex((n, i) => n > before[i]!);
      if (landed >= 0 && !addresses.has(landed)) addresses.set(landed, localAddress);
    }
  } finally {
    for (const socket of sockets) socket.close();
  }
  if (addresses.size < target.instances.length) {
    throw new Error(`nginx placed no client address on some instance (found ${[...addresses.entries()]})`);
  }
  progress(`through nginx: ${[...addresses.entries()].map(([i, a]) => `${a} → i${i + 1}`).join(', ')}`);
  return (i) => ({ url: proxy, localAddress: addresses.get(i)! });
}

/**
 * `cluster` (issue 5): `pairs` and `max` over 3 instances sharing PostgreSQL and a Redis of their
 * own, each pair's two members on different instances, so every message crosses the Redis hop.
 * By default clients connect straight to the instances' ports (BENCH_CLUSTER_VIA=nginx: through
 * nginx running deploy/nginx.conf, each client from a local address that nginx's hash places on
 * the wanted instance). The `max` figure is compared with one instance's: BENCH_SINGLE_MAX, or
 * the newest bench/results/max-*.json.
 */
it('cluster: pairs and max over 3 instances with Redis, senders and receivers apart', async () => {
  const instances = knob('BENCH_CLUSTER_INSTANCES', 3, 2);
  const via = process.env.BENCH_CLUSTER_VIA ?? 'direct';
  if (via !== 'direct' && via !== 'nginx')
    throw new Error(`BENCH_CLUSTER_VIA must be direct or nginx, got "${via}"`);
  await withTarget(
    () => startClusterTarget({ instances, nginx: via === 'nginx' }),
    (target) =>
      withLoad(knob('BENCH_LOAD_PROCESSES', 2, 1), async (pool) => {
        const route = via === 'nginx' ? await routeThroughNginx(target) : undefined;
        const connected = await connectPairs(target, pool, route);
        const perInstance = await connectionCounts(target);
        progress(`connections per instance: ${perInstance.join(', ')}`);

        const pairs =
          knob('BENCH_CLUSTER_PAIRS_STEP', 1) !== 0 ? await pairsScenario(target, pool) : undefined;
        if (pairs) await sleep(3000);
        const { settings, max } = await maxScenario(target, pool);

        const single = process.env.BENCH_SINGLE_MAX
          ? { rate: knob('BENCH_SINGLE_MAX', 0, 1), from: 'BENCH_SINGLE_MAX' }
          : (() => {
              const latest = latestResult('max');
              if (!latest) return undefined;
              const e = latest.data.environment as { commit?: string } | undefined;
              return {
                rate: Number(latest.data.maxSustainedRate),
                from: `${latest.file} (commit ${e?.commit})`,
              };
            })();
        const ratio =
          single && single.rate > 0 ? Math.round((max.maxSustainedRate / single.rate) * 100) / 100 : null;
        progress(
          `cluster max ${max.maxSustainedRate} msg/s; one instance ${single?.rate ?? '—'} msg/s (${single?.from ?? 'no max result'}); ratio ${ratio ?? '—'}`,
        );
        writeResults(
          'cluster',
          {
            environment: await environment(target.db),
            settings: {
              ...connected,
              via:
                via === 'nginx' ? 'nginx (client address placed by hash)' : 'straight to the instance ports',
              connectionsPerInstance: perInstance,
              ...settings,
              ...target.settings,
            },
            pairs: pairs?.step ?? null,
            pairsSettings: pairs?.settings ?? null,
            maxSustainedRate: max.maxSustainedRate,
            limitedBy: max.limitedBy,
            singleInstanceMax: single ?? null,
            ratioToSingleInstance: ratio,
            steps: max.steps,
            serverLog: target.logSummary(),
          },
          [
            `${instances} instances, Redis, ${via === 'nginx' ? 'clients through nginx' : 'clients straight to the instances'}; every message from one instance to another.`,
            '',
            ...(pairs ? ['## pairs', '', stepsTable([pairs.step]), ''] : []),
            '## max',
            '',
            `Ratio to one instance: ${ratio ?? '—'} (one instance: ${single?.rate?.toLocaleString('en-US') ?? '—'} msg/s from ${single?.from ?? 'no max result; run `max` first or set BENCH_SINGLE_MAX'}).`,
            '',
            maxTables(max),
          ].join('\n'),
        );
      }),
  );
});
