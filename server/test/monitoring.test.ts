import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startTestApp } from './support/app.js';
import { REPO } from './support/cluster.js';
import { REDIS, REDIS_URL } from './support/redis.js';

/**
 * The alert rules are tested like code: `promtool check rules` and `promtool test rules` on
 * deploy/prometheus/alerts.test.yml, where every alert has a case that fires and one that must not.
 * promtool comes with Debian's `prometheus` package (.ci/run installs it); under CI=true a missing
 * promtool fails this file.
 */
const PROMTOOL = [process.env.PROMTOOL_BIN, '/usr/bin/promtool', '/usr/local/bin/promtool'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!PROMTOOL && process.env.CI === 'true') {
  throw new Error('CI=true but promtool is missing: install the prometheus package (or set PROMTOOL_BIN)');
}
if (!PROMTOOL) process.stderr.write('promtool not found: the alert rule tests are left out (not in CI)\n');

const run = promisify(execFile);
const RULES = join(REPO, 'deploy/prometheus/alerts.yml');
const TESTS = join(REPO, 'deploy/prometheus/alerts.test.yml');

interface TestGroup {
  name: string;
  input_series: unknown[];
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

describe.skipIf(!PROMTOOL)('alert rules (promtool)', () => {
  it('parse, and pass their unit tests', async () => {
    const checked = await run(PROMTOOL!, ['check', 'rules', RULES]);
    expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tested = await run(PROMTOOL!, ['test', 'rules', TESTS]).catch((error: { stdout?: string }) => {
      throw new Error(`promtool test rules failed:\n${error.stdout}`);
    });
    expect(tested.stdout).toContain('SUCCESS');
  });

  it('have a case that fires and one that stays silent for every alert', () => {
    const alerts = (
      parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string }[] }[] }
    ).groups.flatMap((g) => g.rules.map((r) => r.alert));
    const groups = (parse(readFileSync(TESTS, 'utf8')) as { tests: TestGroup[] }).tests;
    for (const alert of alerts) {
      const cases = groups.flatMap((g) =>
        g.alert_rule_test.filter((t) => t.alertname === alert).map((t) => ({ group: g, test: t })),
      );
      expect(
        cases.some((c) => c.test.exp_alerts.length > 0),
        `${alert} fires somewhere`,
      ).toBe(true);
      // Silent: an evaluation that expects nothing, or a healthy series beside the firing one
      // (promtool compares the whole list of alerts, so the neighbour must not fire).
      const silent = cases.some((c) => c.test.exp_alerts.length === 0 || c.group.input_series.length > 1);
      expect(silent, `${alert} has a case where it must not fire`).toBe(true);
    }
  });
});

/** Metric names a PromQL expression reads (labels, functions, keywords and durations left out). */
export function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const keywords = new Set(['by', 'without', 'or', 'and', 'unless', 'bool', 'offset', 'on', 'ignoring']);
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((name) => !keywords.has(name) && !/^\d/.test(name));
}

const DASHBOARD = join(REPO, 'deploy/grafana/abrik.json');

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: { expr: string; datasource: { uid: string } }[];
}

describe.skipIf(!PROMTOOL)('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; type: string }[] };
  };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));

  it('has a stable uid and takes its Prometheus as a variable', () => {
    expect(dashboard.uid).toBe('abrik-chat');
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    const variable = ['$', '{datasource}'].join(''); // Grafana's syntax, not a template string
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe(variable);
      for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe(variable);
    }
  });

  it('has queries that parse (checked by promtool as recording rules)', async () => {
    // Grafana's variables as Prometheus would see them once substituted.
    const rules = exprs.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'abrik-dashboard-'));
    try {
      const file = join(dir, 'dashboard.rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const checked = await run(PROMTOOL!, ['check', 'rules', file]).catch((error: { stdout?: string }) => {
        throw new Error(`a dashboard query does not parse:\n${error.stdout}`);
      });
      expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads, like the alert rules, only metrics the server serves', async () => {
    // With Redis, as a cluster runs: its gauges are registered only then.
    const app = await startTestApp(
      REDIS ? { env: { REDIS_URL, REDIS_KEY_PREFIX: `abrik-metrics-${process.pid}:` } } : {},
    );
    try {
      const metrics = await app.request('GET', '/metrics');
      const served = new Set<string>();
      for (const [, name, type] of String(metrics.body).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        served.add(name!);
        if (type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) served.add(`${name}${s}`);
      }
      const rules = (
        parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }
      ).groups.flatMap((g) => g.rules.map((r) => r.expr));
      const read = new Set([...exprs, ...rules].flatMap(metricsOf));
      read.delete('up'); // Prometheus' own, per scrape target
      // Written by `abrik backup --metrics-file` for node_exporter (server/test/backup.test.ts).
      read.delete('abrik_backup_last_success_timestamp_seconds');
      if (!REDIS) read.delete('redis_up');
      expect([...read].filter((name) => !served.has(name)).sort()).toEqual([]);
      expect(read.size).toBeGreaterThan(15);
    } finally {
      await app.close();
      if (REDIS) {
        const redis = createClient({ url: REDIS_URL });
        await redis.connect();
        const left = await redis.keys(`abrik-metrics-${process.pid}:*`);
        if (left.length > 0) await redis.del(left);
        await redis.quit();
      }
    }
  });
});
