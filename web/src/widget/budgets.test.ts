import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS, checkBudget } from '../../scripts/check-budgets';

// Reads what `npm run build` made (root `npm test` builds before vitest runs).
const webDir = resolve(import.meta.dirname, '../..');
const budget = (name: string) => BUDGETS.find((item) => item.name === name)!;

describe('widget budgets', () => {
  it('keeps the built loader within 4 kB gzip, with no web font', () => {
    const result = checkBudget(budget('loader'), webDir);
    expect(result.status, result.message).toBe('ok');
    expect(budget('loader').limit).toBe(4096);
  });

  it('keeps the built chat frame (shell, UI and realtime chunks, styles) within 60 kB gzip, with no web font', () => {
    const result = checkBudget(budget('frame'), webDir);
    expect(result.status, result.message).toBe('ok');
    expect(budget('frame').limit).toBe(60 * 1024);
    // All of it is counted: more than the shell alone (a chunk missed would pass unseen).
    expect(result.status === 'ok' && result.gzip).toBeGreaterThan(20_000);
  });

  describe(checkBudget.name, () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrik-budget-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/entry.ts'), '');
    const item = { name: 'probe', source: 'src/entry.ts', built: 'out.js', limit: 100 };

    it('fails when the built file is missing, saying to build', () => {
      const result = checkBudget({ ...item, built: 'none.js' }, dir);
      expect(result).toMatchObject({ status: 'failed' });
      expect(result.message).toContain('npm run build');
    });

    it('fails when the gzip size is over the limit', () => {
      writeFileSync(join(dir, 'out.js'), Array.from({ length: 400 }, (_, i) => `v${i * 7919}`).join());
      expect(checkBudget(item, dir)).toMatchObject({ status: 'failed' });
      expect(checkBudget({ ...item, limit: 10_000 }, dir)).toMatchObject({ status: 'ok' });
    });

    it('fails when a web font is referenced', () => {
      writeFileSync(join(dir, 'out.js'), 'a{src:url(/f/vazirmatn.woff2)}');
      expect(checkBudget(item, dir).message).toContain('web font');
    });

    it('counts every script and style of a folder entry', () => {
      mkdirSync(join(dir, 'many'));
      writeFileSync(join(dir, 'many/a.js'), 'x'.repeat(10));
      writeFileSync(join(dir, 'many/b.css'), 'y'.repeat(10));
      const result = checkBudget({ ...item, built: 'many' }, dir);
      const single = checkBudget({ ...item, built: 'many/a.js' }, dir);
      expect(result.status === 'ok' && single.status === 'ok' && result.gzip > single.gzip).toBe(true);
    });
  });
});
