import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './support/cluster.js';

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
