import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CDPSession, chromium, type Page } from 'playwright-core';
import { it } from 'vitest';
import { REPO } from '../server/test/support/cluster.js';
import {
  environment,
  knob,
  markdownTable,
  percentile,
  progress,
  round,
  startSingle,
  type Target,
  writeResults,
} from './harness/index.js';

/** A slow mobile line (issue 18): 1.6 Mbps down, 0.75 Mbps up, 150 ms round trip, a slow phone's CPU. */
const PROFILE = { downKbps: 1600, upKbps: 750, rttMs: 150, cpuSlowdown: 4 } as const;

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Load {
  /** Milliseconds from navigation start. */
  firstPaint: number | null;
  firstContentfulPaint: number | null;
  /**
   * The phone field of the sign-in form rendered (in the page's own clock, by a MutationObserver
   * set before any script): the page can be used. Not tied to `load`, which also waits for the
   * web fonts a page that renders early asks for.
   */
  signInShown: number;
  domContentLoaded: number;
  load: number;
  /**
   * Bytes on the wire (headers and bodies, as Chromium counts them) once the network is idle:
   * everything the page fetched by itself (fonts, a chunk prefetched when idle), however late.
   */
  bytes: number;
  requests: number;
  scriptBytes: number;
}

/** The throttled profile on one page, through the DevTools protocol. */
async function throttle(cdp: CDPSession) {
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PROFILE.rttMs,
    downloadThroughput: (PROFILE.downKbps * 1000) / 8,
    uploadThroughput: (PROFILE.upKbps * 1000) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpuSlowdown });
}

/** One cold load of the sign-in page (new context: no cache, no service worker, no storage). */
async function coldLoad(page: Page, cdp: CDPSession, url: string, compressed: boolean): Promise<Load> {
  await throttle(cdp);
  // Without compression: the browser says it takes none (what the server sent before issue 18).
  if (!compressed)
    await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  const finished = new Map<string, number>();
  const types = new Map<string, string>();
  cdp.on('Network.responseReceived', (event) => types.set(event.requestId, event.type));
  cdp.on('Network.loadingFinished', (event) => finished.set(event.requestId, event.encodedDataLength));
  await page.addInitScript(`new MutationObserver((_, observer) => {
    if (!document.querySelector('[data-testid="phone-input"]')) return;
    window.__signInShown = performance.now();
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });`);
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.getByTestId('phone-input').waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  const signInShown = (await page.evaluate('window.__signInShown')) as number;
  // Runs in the page (a string: this project's types have no DOM).
  const timing = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    return {
      firstPaint: paint('first-paint'),
      firstContentfulPaint: paint('first-contentful-paint'),
      domContentLoaded: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
    };
  })()`)) as Pick<Load, 'firstPaint' | 'firstContentfulPaint' | 'domContentLoaded' | 'load'>;
  let bytes = 0;
  let scriptBytes = 0;
  for (const [id, length] of finished) {
    bytes += length;
    if (types.get(id) === 'Script') scriptBytes += length;
  }
  return { ...timing, signInShown, bytes, requests: finished.size, scriptBytes };
}

const median = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? round(percentile(known, 50), 0) : null;
};

type Variant = 'compressed' | 'identity';
const VARIANTS: readonly Variant[] = ['compressed', 'identity'];

/** Medians of a kind of load. */
function summary(loads: Load[]) {
  return {
    firstPaintMs: median(loads.map((l) => l.firstPaint)),
    firstContentfulPaintMs: median(loads.map((l) => l.firstContentfulPaint)),
    signInShownMs: median(loads.map((l) => l.signInShown)),
    domContentLoadedMs: median(loads.map((l) => l.domContentLoaded)),
    loadMs: median(loads.map((l) => l.load)),
    bytes: median(loads.map((l) => l.bytes)),
    scriptBytes: median(loads.map((l) => l.scriptBytes)),
    requests: median(loads.map((l) => l.requests)),
  };
}

/**
 * `coldload` (issue 18): the sign-in page loaded cold in headless Chromium on a slow mobile
 * profile (1.6 Mbps down, 0.75 Mbps up, 150 ms RTT, CPU × 4), BENCH_COLDLOAD_RUNS times
 * (default 3, medians reported) with compression and without (`Accept-Encoding: identity`).
 * Serves the built client (web/dist) from the built server; BENCH_COLDLOAD_DIST names other
 * builds (comma-separated, e.g. an older one), each served by a server of its own and loaded in
 * turn within every run, so that a busy machine slows them alike.
 */
it('coldload: the sign-in page on a slow phone line', async () => {
  const runs = knob('BENCH_COLDLOAD_RUNS', 3, 1);
  const dists = (process.env.BENCH_COLDLOAD_DIST ?? join(REPO, 'web/dist')).split(',').map((d) => d.trim());
  for (const dist of dists) {
    if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} has no built client: npm run build`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_BIN)`);
  const targets: Target[] = [];
  try {
    for (const dist of dists) targets.push(await startSingle({ env: { WEB_DIST_DIR: dist } }));
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const results = dists.map(() => ({ compressed: [] as Load[], identity: [] as Load[] }));
    try {
      for (let run = 0; run < runs; run++) {
        for (const [i, target] of targets.entries()) {
          for (const variant of VARIANTS) {
            const context = await browser.newContext({
              serviceWorkers: 'block',
              viewport: { width: 390, height: 844 },
              locale: 'fa-IR',
            });
            try {
              const page = await context.newPage();
              const cdp = await context.newCDPSession(page);
              const load = await coldLoad(
                page,
                cdp,
                `${target.instances[0]!.url}/`,
                variant === 'compressed',
              );
              results[i]![variant].push(load);
              progress(
                `${dists[i]} ${variant} run ${run + 1}: FCP ${round(load.firstContentfulPaint ?? 0, 0)} ms, sign-in shown ${round(load.signInShown, 0)} ms, load ${round(load.load, 0)} ms, ${load.bytes} bytes`,
              );
            } finally {
              await context.close();
            }
          }
        }
      }
    } finally {
      await browser.close();
    }
    const summaries = results.map((r) => ({
      compressed: summary(r.compressed),
      identity: summary(r.identity),
    }));
    const rows = summaries.flatMap((s, i) =>
      VARIANTS.map((variant) => {
        const m = s[variant];
        const name = `${dists.length > 1 ? `${dists[i]} ` : ''}${variant === 'compressed' ? 'brotli/gzip' : 'uncompressed'}`;
        return [
          name,
          m.firstPaintMs,
          m.firstContentfulPaintMs,
          m.signInShownMs,
          m.domContentLoadedMs,
          m.loadMs,
          m.bytes,
          m.scriptBytes,
          m.requests,
        ];
      }),
    );
    const tables = markdownTable(
      [
        '',
        'first paint ms',
        'FCP ms',
        'sign-in shown ms',
        'DOMContentLoaded ms',
        'load ms',
        'bytes',
        'script bytes',
        'requests',
      ],
      rows,
    );
    progress(`\n${tables}`);
    writeResults(
      'coldload',
      {
        environment: await environment(targets[0]!.db),
        settings: { runs, profile: PROFILE, dists, chromium: CHROMIUM, serviceWorkers: 'blocked' },
        builds: dists.map((dist, i) => ({ dist, ...summaries[i], runs: results[i] })),
      },
      tables,
    );
  } finally {
    for (const target of targets) await target.close();
  }
});
