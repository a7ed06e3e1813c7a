import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildProgram } from '../src/cli/program.js';
import { CHECKS } from '../src/modules/ops/doctor/checks.js';
import { REPO } from './support/cluster.js';

/**
 * The runbook holds together: every alert has a section in both languages, every doctor check
 * points at one, and every `abrik` command the runbooks and the operations page quote exists with
 * the options it is given.
 */
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');
const RUNBOOKS = { en: read('docs/runbook.md'), fa: read('docs/runbook.fa.md') };
const anchorsOf = (text: string) =>
  new Set([...text.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]!));

interface Rule {
  alert: string;
  annotations?: { runbook?: string; summary?: string };
}
const RULES = (parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

/** Every `abrik …` the text quotes, in code blocks and inline code, split into words. */
function abrikCommands(text: string): string[][] {
  const found: string[][] = [];
  const snippets = [
    ...[...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')),
    ...[...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!),
  ];
  for (const snippet of snippets) {
    const line = snippet.replace(/#.*$/, '').trim();
    const at = line.search(/(^|\s)abrik\s/);
    if (at < 0) continue;
    // Usage forms: `[--json]` is an option, `[check…]`, `<pid>` and `PID` stand for values,
    // `list|replay` is two commands.
    const words = line
      .slice(at)
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^\[(.*)\]$/, '$1').replace(/[`,;:.]+$/, ''))
      .filter((w) => w && !w.includes('…') && !/^<.*>$/.test(w) && !/^[A-Z]+$/.test(w));
    // `abrik` as the command, not as a name (`kubectl create secret generic abrik \`).
    if (words[0] !== 'abrik' || !/^[a-z]/.test(words[1] ?? '')) continue;
    const variants = [words.slice(1)];
    for (const [k, word] of words.slice(1).entries()) {
      if (!word.includes('|') || word.startsWith('-')) continue;
      const expanded = variants.flatMap((v) =>
        word.split('|').map((alt) => v.map((w, j) => (j === k ? alt : w))),
      );
      variants.splice(0, variants.length, ...expanded);
    }
    found.push(...variants);
  }
  return found;
}

/** Resolves words against the program: the command path, then its options and arguments. */
function problemsOf(words: string[], program: Command): string[] {
  let command = program;
  let i = 0;
  while (i < words.length) {
    const sub = command.commands.find((c) => c.name() === words[i]);
    if (!sub) break;
    command = sub;
    i += 1;
  }
  if (command === program) return [`no command "${words[0]}"`];
  const problems: string[] = [];
  const rest = words.slice(i);
  for (let k = 0; k < rest.length; k++) {
    const word = rest[k]!;
    if (word.startsWith('-')) {
      const option = command.options.find((o) => o.long === word || o.short === word);
      if (!option) problems.push(`${command.name()}: no option ${word}`);
      else if (option.required || option.optional) k += 1; // its value (PID, names…)
    } else if (command.name() === 'doctor') {
      const known = CHECKS.some((c) => c.id === word || c.id.split('.')[0] === word);
      if (!known) problems.push(`doctor: no check or group "${word}"`);
    } else if (command.registeredArguments.length === 0) {
      problems.push(`${command.name()}: takes no argument "${word}"`);
    }
  }
  return problems;
}

describe('the runbook', () => {
  it('has the same sections, by anchor, in English and Persian', () => {
    const en = anchorsOf(RUNBOOKS.en);
    expect(en.size).toBeGreaterThanOrEqual(14);
    expect([...anchorsOf(RUNBOOKS.fa)].sort()).toEqual([...en].sort());
    // Every link inside each runbook lands on a section of it.
    for (const text of Object.values(RUNBOOKS)) {
      for (const [, anchor] of text.matchAll(/\]\(#([a-z0-9-]+)\)/g)) expect(en).toContain(anchor);
    }
  });

  it('gives every alert a section in both languages, and lists every alert in its table', () => {
    expect(RULES.length).toBeGreaterThan(5);
    const en = anchorsOf(RUNBOOKS.en);
    for (const rule of RULES) {
      const link = rule.annotations?.runbook ?? '';
      expect(link, rule.alert).toMatch(/^docs\/runbook\.md#[a-z0-9-]+$/);
      expect(en, `${rule.alert} → ${link}`).toContain(link.split('#')[1]);
      for (const text of Object.values(RUNBOOKS)) expect(text, rule.alert).toContain(`\`${rule.alert}\``);
    }
    const named = new Set([...RUNBOOKS.en.matchAll(/`(Abrik[A-Za-z]+)`/g)].map((m) => m[1]));
    expect([...named].filter((n) => !RULES.some((r) => r.alert === n))).toEqual([]);
  });

  it('points every doctor check at a section of both runbooks', () => {
    const en = anchorsOf(RUNBOOKS.en);
    for (const check of CHECKS) {
      expect(check.runbook, check.id).toMatch(/^docs\/runbook\.md#/);
      expect(en, `${check.id} → ${check.runbook}`).toContain(check.runbook.split('#')[1]);
    }
  });

  it('quotes only abrik commands, options and checks that exist', () => {
    const program = buildProgram();
    const sources = {
      ...RUNBOOKS,
      operations: read('docs/operations.md'),
      notifications: read('docs/notifications.md'),
    };
    let quoted = 0;
    for (const [name, text] of Object.entries(sources)) {
      for (const words of abrikCommands(text)) {
        quoted += 1;
        expect({ where: name, command: words.join(' '), problems: problemsOf(words, program) }).toEqual({
          where: name,
          command: words.join(' '),
          problems: [],
        });
      }
    }
    expect(quoted).toBeGreaterThan(30);
  });

  it('names only compose services and Kubernetes objects that the deployment files define', () => {
    const composeServices = Object.keys(
      (parse(read('deploy/compose.yml'), { merge: true }) as { services: Record<string, unknown> }).services,
    );
    const k8s = readdirSync(join(REPO, 'deploy/k8s'))
      .filter((f) => f !== 'kustomization.yaml')
      .flatMap((f) =>
        parseAllDocuments(read(`deploy/k8s/${f}`)).map(
          (d) => d.toJS() as { kind: string; metadata: { name: string } },
        ),
      );
    const named = (kind: string) => k8s.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    const texts = [...Object.values(RUNBOOKS), read('docs/operations.md')].join('\n');
    const services = [
      ...texts.matchAll(
        /docker compose -f deploy\/compose\.yml (?:restart|start|stop|logs(?: --tail \d+)?|exec) ([a-z]+)/g,
      ),
      ...texts.matchAll(/--scale ([a-z]+)=/g),
      ...texts.matchAll(/up -d ((?:[a-z]+ ?)+)(?=`|$)/gm),
    ].flatMap((m) => m[1]!.trim().split(' '));
    expect(services.length).toBeGreaterThan(5);
    for (const service of services) expect(composeServices, service).toContain(service);
    const deployments = [
      ...texts.matchAll(/(?:\bdeployment\/|kubectl (?:exec|logs) deploy\/)([a-z-]+)/g),
    ].map((m) => m[1]!);
    expect(deployments.length).toBeGreaterThan(5);
    for (const name of deployments) expect(named('Deployment'), name).toContain(name);
    for (const [, name] of texts.matchAll(/kubectl delete job ([a-z-]+)/g))
      expect(named('Job')).toContain(name);
  });

  it('catches a command that does not exist (the check itself works)', () => {
    const program = buildProgram();
    expect(problemsOf(['doctor', 'nonsense'], program)).toEqual(['doctor: no check or group "nonsense"']);
    expect(problemsOf(['doctor', 'db', '--kill', '12'], program)).toContain('doctor: no option --kill');
    expect(problemsOf(['restart'], program)).toEqual(['no command "restart"']);
    expect(problemsOf(['jobs', 'dead-letter', 'replay', '--all'], program)).toEqual([]);
  });
});
