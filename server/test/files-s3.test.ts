import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../src/modules/files/s3-storage.js';
import { queryRows } from '../src/platform/db/client.js';
import { FAKE_S3_CREDENTIALS, type FakeS3, startFakeS3 } from './fakes/s3.fake.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';

describe('files on S3-compatible storage', () => {
  let s3: FakeS3;
  let t: TestApp;
  let dataDir: string;
  let alice: AuthResult;
  let bob: AuthResult;
  let conversationId: string;

  const upload = (bytes: Buffer, query: string) =>
    fetch(`${t.url}/api/v1/conversations/${conversationId}/files?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
  const get = (path: string) =>
    fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${bob.accessToken}` } });

  beforeAll(async () => {
    s3 = await startFakeS3();
    dataDir = await mkdtemp(join(tmpdir(), 'abrik-files-s3-'));
    t = await startTestApp({ env: { ...s3.env, DATA_DIR: dataDir, FILE_UPLOADS_PER_USER_MINUTE: '3' } });
    [alice, bob] = await Promise.all([t.signIn(uniquePhone()), t.signIn(uniquePhone())]);
    const res = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    conversationId = res.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores uploads in the bucket and streams them back to members', async () => {
    expect(t.app.files.storage.kind).toBe('s3');
    const image = await sharp({ create: { width: 500, height: 400, channels: 3, background: 'green' } })
      .png()
      .toBuffer();
    const res = await upload(image, 'kind=image&name=park.png');
    expect(res.status).toBe(201);
    const attachment = (await res.json()) as { id: string; size: number };

    // The objects are in the bucket, read back with the SDK on its own.
    const bucket = new S3Storage({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: 'us-east-1',
      credentials: FAKE_S3_CREDENTIALS,
      forcePathStyle: true,
    });
    for (const key of ['original', 'thumbnail.webp', 'preview.webp']) {
      expect(await bucket.exists(`files/${attachment.id}/${key}`)).toBe(true);
    }
    bucket.close();

    const original = await get(`/api/v1/files/${attachment.id}`);
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).length).toBe(attachment.size);
    const thumbnail = await get(`/api/v1/files/${attachment.id}/thumbnail`);
    const info = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect([info.format, info.width, info.height]).toEqual(['webp', 320, 256]);
    const part = await fetch(`${t.url}/api/v1/files/${attachment.id}`, {
      headers: { authorization: `Bearer ${bob.accessToken}`, range: 'bytes=0-7' },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).length).toBe(8);
  });

  it('limits uploads per user and minute', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    // One upload was spent by the test before.
    expect((await upload(pdf, 'kind=file')).status).toBe(201);
    expect((await upload(pdf, 'kind=file')).status).toBe(201);
    const refused = await upload(pdf, 'kind=file');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('answers 503 file/storage_unavailable while the store is down, and logs it without credentials', async () => {
    const [row] = await queryRows<{ id: string }>(
      t.app.database.db,
      sql`select id from files where kind = 'image' limit 1`,
    );
    await s3.close();
    const res = await get(`/api/v1/files/${row!.id}/preview`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('file/storage_unavailable');
    const lines = t.logs.filter((line) => line.includes('file storage failed'));
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'files', storage: 's3', operation: 'get' });
    expect(t.logs.some((line) => line.includes(FAKE_S3_CREDENTIALS.secretAccessKey))).toBe(false);
  });
});
