import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as max from 'libphonenumber-js/max';
import * as mobile from 'libphonenumber-js/mobile';
import { describe, expect, it } from 'vitest';
import {
  BUDGETS,
  checkBudget,
  checkRouteBudget,
  MANIFEST,
  type Manifest,
  ROUTE_BUDGETS,
  routeFiles,
} from '../../scripts/check-budgets';

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

describe('app budgets', () => {
  const route = (name: string) => ROUTE_BUDGETS.find((item) => item.name === name)!;

  it('keeps the sign-in page’s script (index.html and every chunk it loads eagerly) within its budget', () => {
    const result = checkRouteBudget(route('sign-in'), webDir);
    expect(result.status, result.message).toBe('ok');
    // The signed-in app and the staff's pages are not in it.
    expect(
      result.files.some((file) => /SignedIn|AdminPages|Console|ReportsPage/.test(file)),
      result.files.join(),
    ).toBe(false);
    expect(route('sign-in').limit).toBe(90 * 1024);
  });

  // libphonenumber's metadata (~35 kB) comes when the sign-in form is used (SignIn.tsx), and with
  // the signed-in app, which shows numbers: never with the first page.
  it('leaves the phone check out of the sign-in page, and has it in the chat', () => {
    const holdsPhoneMetadata = (files: string[]) =>
      files.some((file) =>
        readFileSync(join(webDir, 'dist', file), 'utf8').includes('country_calling_codes'),
      );
    expect(holdsPhoneMetadata(checkRouteBudget(route('sign-in'), webDir).files)).toBe(false);
    expect(holdsPhoneMetadata(checkRouteBudget(route('chat'), webDir).files)).toBe(true);
  });

  it('keeps the chat (signed in, a conversation open) within its budget, more than the sign-in page', () => {
    const chat = checkRouteBudget(route('chat'), webDir);
    const signIn = checkRouteBudget(route('sign-in'), webDir);
    expect(chat.status, chat.message).toBe('ok');
    expect(chat.files.some((file) => /SignedIn/.test(file))).toBe(true);
    expect(
      chat.files.some((file) => /AdminPages|ReportsPage/.test(file)),
      chat.files.join(),
    ).toBe(false);
    expect(chat.status === 'ok' && signIn.status === 'ok' && chat.gzip > signIn.gzip).toBe(true);
    expect(route('chat').limit).toBe(200 * 1024);
  });

  it('has the service worker precache every chunk, so the app starts offline whichever page opens', () => {
    const manifest = JSON.parse(readFileSync(join(webDir, MANIFEST), 'utf8')) as Manifest;
    const sw = readFileSync(join(webDir, 'dist/sw.js'), 'utf8');
    const chunks = Object.values(manifest)
      .map((chunk) => chunk.file)
      .filter((file) => file.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.filter((file) => !sw.includes(`"${file}"`))).toEqual([]);
  });

  describe(routeFiles.name, () => {
    const manifest: Manifest = {
      'index.html': {
        file: 'assets/index.js',
        isEntry: true,
        imports: ['_react.js'],
        dynamicImports: ['src/Lazy.tsx'],
      },
      '_react.js': { file: 'assets/react.js', imports: ['_shared.js'] },
      '_shared.js': { file: 'assets/shared.js' },
      'src/Lazy.tsx': {
        file: 'assets/Lazy.js',
        isDynamicEntry: true,
        imports: ['_shared.js', '_lazy-only.js'],
      },
      '_lazy-only.js': { file: 'assets/lazy-only.js' },
      '_style.css': { file: 'assets/style.css' },
    };

    it('follows static imports transitively, and dynamic ones only when the page waits for them', () => {
      expect(routeFiles(manifest, [])).toEqual(['assets/index.js', 'assets/react.js', 'assets/shared.js']);
      expect(routeFiles(manifest, ['src/Lazy.tsx'])).toEqual([
        'assets/Lazy.js',
        'assets/index.js',
        'assets/lazy-only.js',
        'assets/react.js',
        'assets/shared.js',
      ]);
    });

    it('fails when a lazily loaded page is no chunk of its own, and when the build is missing', () => {
      const dir = mkdtempSync(join(tmpdir(), 'abrik-route-budget-'));
      const missing = checkRouteBudget({ name: 'probe', lazy: [], limit: 1 }, dir);
      expect(missing).toMatchObject({ status: 'failed' });
      expect(missing.message).toContain('npm run build');
      mkdirSync(join(dir, 'dist/.vite'), { recursive: true });
      mkdirSync(join(dir, 'dist/assets'));
      writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
      for (const file of ['index', 'react', 'shared', 'Lazy', 'lazy-only']) {
        writeFileSync(
          join(dir, `dist/assets/${file}.js`),
          `export const ${file.replace('-', '_')} = ${'1+'.repeat(200)}1;`,
        );
      }
      expect(
        checkRouteBudget({ name: 'probe', lazy: ['src/Other.tsx'], limit: 10_000 }, dir).message,
      ).toContain('not a lazily loaded chunk');
      expect(checkRouteBudget({ name: 'probe', lazy: ['src/Lazy.tsx'], limit: 10_000 }, dir)).toMatchObject({
        status: 'ok',
      });
      expect(checkRouteBudget({ name: 'probe', lazy: ['src/Lazy.tsx'], limit: 50 }, dir)).toMatchObject({
        status: 'failed',
      });
    });
  });

  // web/vite.config.ts gives the client libphonenumber's mobile-only metadata in place of the full
  // one the server uses: it must accept and show every number exactly as the server does.
  it('normalises and formats phone numbers with the mobile-only metadata as with the full one', () => {
    const accepts = (lib: typeof max, text: string) => {
      const parsed = lib.parsePhoneNumberFromString(text, 'IR');
      if (!parsed?.isValid()) return null;
      const type = parsed.getType();
      return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE' ? parsed.number : null;
    };
    const shown = (lib: typeof max, e164: string) => {
      const parsed = lib.parsePhoneNumberFromString(e164);
      return parsed?.country === 'IR' ? parsed.formatNational() : parsed?.formatInternational();
    };
    const codes = [...new Set(max.getCountries().map((country) => max.getCountryCallingCode(country)))];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let accepted = 0;
    const differ: string[] = [];
    for (let i = 0; i < 15_000; i++) {
      const code = codes[Math.floor(random() * codes.length)];
      const digits = Array.from({ length: 6 + Math.floor(random() * 7) }, () =>
        Math.floor(random() * 10),
      ).join('');
      const text = i % 4 === 0 ? `09${digits.slice(0, 9).padEnd(9, '0')}` : `+${code}${digits}`;
      const full = accepts(max, text);
      if (full !== accepts(mobile as typeof max, text)) differ.push(text);
      if (full) {
        accepted += 1;
        if (shown(max, full) !== shown(mobile as typeof max, full)) differ.push(full);
      }
    }
    expect(differ).toEqual([]);
    // Enough numbers on both sides of the line to mean something.
    expect(accepted).toBeGreaterThan(500);
  });
});
