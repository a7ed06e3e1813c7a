import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abrik, type Run } from './support/cli.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED_MIGRATIONS = (
  JSON.parse(readFileSync(join(REPO, 'server/drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'abrik-cli-'));
  tempDirs.push(dir);
  return dir;
};

/** The JSON object `user create` prints (its last stdout line). */
function printedUser(run: Run): { id: string; role: string; name: string | null } {
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

beforeAll(() => {
  if (!existsSync(join(REPO, 'server/dist/cli/main.js'))) {
    throw new Error('server/dist is missing: run `npm run build` before this suite');
  }
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Under CI=true an unreachable PostgreSQL throws in databases.ts and fails the file. */
describe.skipIf(!BACKENDS.includes('postgres'))('the abrik CLI on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let admin: pg.Client | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    env = { DATABASE_URL: database.url!, DATA_DIR: tempDir(), LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    await admin?.end().catch(() => {});
    await database?.drop();
  });

  it('migrate applies the shipped migrations once, then finds none pending', async () => {
    expect(SHIPPED_MIGRATIONS).toBeGreaterThan(0);
    const first = await abrik(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`^migrations applied: ${SHIPPED_MIGRATIONS} \\(postgres\\)$`, 'm'),
    );
    const { rows } = await admin!.query<{ n: number }>(
      'select count(*)::int as n from drizzle.__drizzle_migrations',
    );
    expect(rows[0]!.n).toBe(SHIPPED_MIGRATIONS);

    const second = await abrik(['migrate'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^migrations applied: 0 \(postgres\)$/m);
  });

  it('user create makes an agent from a Persian-digit phone, and a second run changes the role', async () => {
    const created = await abrik(
      ['user', 'create', '--role', 'agent', '--phone', '۰۹۱۲۱۱۱۲۲۳۳', '--name', 'پشتیبان'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const agent = printedUser(created);
    expect(agent).toEqual({ id: expect.any(String), role: 'agent', name: 'پشتیبان' });
    expect(agent.id).toMatch(/^[0-9a-f-]{36}$/);

    const promoted = await abrik(['user', 'create', '--role', 'admin', '--phone', '۰۹۱۲۱۱۱۲۲۳۳'], env);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(printedUser(promoted)).toEqual({ id: agent.id, role: 'admin', name: 'پشتیبان' });

    const { rows } = await admin!.query('select id, phone, role, name from users');
    expect(rows).toEqual([{ id: agent.id, phone: '+989121112233', role: 'admin', name: 'پشتیبان' }]);
  });

  it('user create refuses an unknown role and a bad phone, changing nothing', async () => {
    const badRole = await abrik(['user', 'create', '--role', 'boss', '--phone', '09121112244'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.code).not.toBeNull();
    expect(badRole.stderr).toContain("argument 'boss' is invalid");
    expect(badRole.stderr).toContain('customer, agent, supervisor, admin');

    const badPhone = await abrik(['user', 'create', '--role', 'agent', '--phone', '12345'], env);
    expect(badPhone.code).not.toBe(0);
    expect(badPhone.code).not.toBeNull();
    expect(badPhone.stderr).toContain('auth/invalid_phone');

    const { rows } = await admin!.query<{ n: number }>('select count(*)::int as n from users');
    expect(rows[0]!.n).toBe(1);
  });
});

describe('the abrik CLI configuration checks', () => {
  it('serve in production without real secrets exits 2 naming SMS_PROVIDER and JWT_SECRET', async () => {
    const run = await abrik(['serve'], { NODE_ENV: 'production', DATA_DIR: tempDir(), PORT: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SMS_PROVIDER');
    expect(run.stderr).toContain('JWT_SECRET');
    expect(run.stderr).not.toContain('KAVENEGAR_API_KEY: required');
  });

  it('serve with PORT=abc exits 2 naming PORT', async () => {
    const run = await abrik(['serve'], { PORT: 'abc', DATA_DIR: tempDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^\s*- PORT: /m);
  });
});

describe('the abrik CLI on embedded PGlite (no DATABASE_URL)', () => {
  it('user create stores the user in DATA_DIR, where a second run finds it', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const created = await abrik(['user', 'create', '--phone', '+989121112255', '--name', 'Agent Smith'], env);
    expect(created.code, created.stderr).toBe(0);
    const user = printedUser(created);
    expect(user).toEqual({ id: expect.any(String), role: 'customer', name: 'Agent Smith' });
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const again = await abrik(['user', 'create', '--phone', '09121112255', '--role', 'agent'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(printedUser(again)).toEqual({ id: user.id, role: 'agent', name: 'Agent Smith' });
    // Two cold starts of the embedded database (migrations included): slow on a busy 2-core machine.
  }, 120_000);
});
