import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { abrik } from './support/cli.js';
import { BACKENDS, createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * The restore drill: a database with conversations (Persian, edited, deleted, a group, a support
 * conversation), `abrik backup` while the server runs, `abrik restore` into a fresh database, a
 * server started on it — and every conversation's history read back identical, with the next
 * message taking the next seq.
 */
describe.skipIf(!BACKENDS.includes('postgres'))('backup and restore', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let app: TestApp;
  let restored: TestApp | undefined;
  let dir: string;
  const people: AuthResult[] = [];
  const conversations: { id: string; reader: AuthResult }[] = [];

  const history = async (t: TestApp, conversationId: string, reader: AuthResult) => {
    const page = await t.request('GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, {
      token: reader.accessToken,
    });
    expect(page.status).toBe(200);
    return page.body.items as { id: string; seq: number; body: string | null }[];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'abrik-backup-'));
    source = await createTestDatabase('postgres');
    target = await createTestDatabase('postgres');
    app = await startTestApp({ database: source });
    for (const name of ['مریم', 'Reza', 'سارا']) people.push(await app.signIn(uniquePhone(), name));
    const [maryam, reza, sara] = people as [AuthResult, AuthResult, AuthResult];
    const open = async (owner: AuthResult, body: object) => {
      const created = await app.request('POST', '/api/v1/conversations', { token: owner.accessToken, body });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const direct = await open(maryam, { kind: 'direct', userId: reza.user.id });
    const group = await open(maryam, {
      kind: 'group',
      title: 'گروه پشتیبان‌گیری',
      memberIds: [reza.user.id, sara.user.id],
    });
    const support = await open(sara, { kind: 'support', subject: 'کمک' });
    conversations.push(
      { id: direct, reader: reza },
      { id: group, reader: sara },
      { id: support, reader: sara },
    );
    for (const [i, c] of conversations.entries()) {
      const writer = c.id === direct ? maryam : c.id === group ? reza : sara;
      for (let n = 0; n < 25; n++) {
        const sent = await app.request('POST', `/api/v1/conversations/${c.id}/messages`, {
          token: writer.accessToken,
          body: { clientMsgId: `drill-${i}-${n}`, body: `پیام ${n} ✓ message ${n}` },
        });
        expect(sent.status).toBe(201);
      }
    }
    const [first] = await history(app, direct, maryam);
    await app.request('PATCH', `/api/v1/conversations/${direct}/messages/${first!.id}`, {
      token: maryam.accessToken,
      body: { body: 'ویرایش شد' },
    });
    const [, second] = await history(app, direct, maryam);
    await app.request('DELETE', `/api/v1/conversations/${direct}/messages/${second!.id}`, {
      token: maryam.accessToken,
    });
  }, 60_000);

  afterAll(async () => {
    await restored?.close();
    await app?.close();
    await source?.drop();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while the server runs, restores into a fresh database, and reads every history back identical', async () => {
    const file = join(dir, 'drill.dump');
    const env = { DATABASE_URL: source.url!, DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) };
    const metrics = join(dir, 'abrik_backup.prom');
    const dumped = await abrik(['backup', '--out', file, '--metrics-file', metrics], env);
    expect(dumped.code, dumped.stderr).toBe(0);
    expect(dumped.stdout).toContain(`backup written: ${file}`);
    // For node_exporter's textfile collector: when, and how big (the AbrikBackupTooOld alert).
    const reported = readFileSync(metrics, 'utf8');
    const at = Number(/^abrik_backup_last_success_timestamp_seconds (\d+)$/m.exec(reported)?.[1]);
    expect(Math.abs(at - Date.now() / 1000)).toBeLessThan(120);
    expect(Number(/^abrik_backup_last_size_bytes (\d+)$/m.exec(reported)?.[1])).toBe(statSync(file).size);
    expect(dumped.stdout + dumped.stderr).not.toContain(source.url!);

    const into = { ...env, DATABASE_URL: target.url! };
    const loaded = await abrik(['restore', file], into);
    expect(loaded.code, loaded.stderr).toBe(0);
    // A second restore into the now full database is refused, unless asked to replace it.
    const again = await abrik(['restore', file], into);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('the database is not empty')]);

    restored = await startTestApp({ database: target });
    for (const c of conversations) {
      expect(await history(restored, c.id, c.reader)).toEqual(await history(app, c.id, c.reader));
    }
    // The restored server goes on where the old one stopped: the next seq, sign-in tokens valid.
    const [maryam] = people as [AuthResult];
    const next = await restored.request('POST', `/api/v1/conversations/${conversations[0]!.id}/messages`, {
      token: maryam.accessToken,
      body: { clientMsgId: 'after-restore', body: 'بعد از بازیابی' },
    });
    expect(next.status).toBe(201);
    expect(next.body.seq).toBe(26);
  }, 90_000);

  it('refuses the embedded database and a file that does not exist, saying what to do', async () => {
    const noUrl = await abrik(['backup'], { DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) });
    expect([noUrl.code, noUrl.stderr]).toEqual([1, expect.stringContaining('copying DATA_DIR/pglite')]);
    const missing = await abrik(['restore', join(dir, 'nope.dump')], {
      DATABASE_URL: target.url!,
      DATA_DIR: dir,
      JWT_SECRET: 'x'.repeat(40),
    });
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no such file')]);
  });
});
