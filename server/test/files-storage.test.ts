import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../src/modules/files/local-storage.js';
import { S3Storage } from '../src/modules/files/s3-storage.js';
import { assertSafeKey, type FileStorage, StorageError } from '../src/modules/files/storage.js';
import { FAKE_S3_CREDENTIALS, type FakeS3, startFakeS3 } from './fakes/s3.fake.js';

const read = async (storage: FileStorage, key: string, range?: { start: number; end: number }) => {
  const object = await storage.get(key, range);
  return object ? { size: object.size, text: await text(object.body) } : undefined;
};

describe('FileStorage', () => {
  let dir: string;
  let s3: FakeS3;
  const storages: Record<'local' | 's3', () => FileStorage> = {
    local: () => new LocalStorage(join(dir, 'files')),
    s3: () =>
      new S3Storage({
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        region: 'us-east-1',
        credentials: FAKE_S3_CREDENTIALS,
        forcePathStyle: true,
      }),
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrik-files-'));
    s3 = await startFakeS3();
  });
  afterAll(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(['local', 's3'] as const)('%s', (kind) => {
    it('stores a buffer and a stream, reads them whole and by range, and deletes them', async () => {
      const storage = storages[kind]();
      expect(storage.kind).toBe(kind);
      await storage.put('files/a1/original', Buffer.from('hello, world'), {
        size: 12,
        contentType: 'text/plain',
      });
      await storage.put('files/a1/preview.webp', Readable.from([Buffer.from('stream'), Buffer.from('ed')]), {
        size: 8,
        contentType: 'image/webp',
      });
      expect(await read(storage, 'files/a1/original')).toEqual({ size: 12, text: 'hello, world' });
      expect(await read(storage, 'files/a1/preview.webp')).toEqual({ size: 8, text: 'streamed' });
      expect(await read(storage, 'files/a1/original', { start: 7, end: 11 })).toEqual({
        size: 5,
        text: 'world',
      });
      expect(await storage.exists('files/a1/original')).toBe(true);

      await storage.put('files/a1/original', Buffer.from('replaced'), { size: 8, contentType: 'text/plain' });
      expect(await read(storage, 'files/a1/original')).toEqual({ size: 8, text: 'replaced' });

      await storage.delete('files/a1/original');
      expect(await storage.exists('files/a1/original')).toBe(false);
      expect(await storage.get('files/a1/original')).toBeUndefined();
      await storage.delete('files/a1/original'); // deleting what is gone is no error
      expect(await storage.get('files/never/stored')).toBeUndefined();
    });

    it('refuses keys that could leave its root', async () => {
      const storage = storages[kind]();
      for (const key of [
        '../escape',
        'files/../../escape',
        '/etc/passwd',
        'files/./x',
        'Files/UPPER',
        'a//b',
        '',
      ]) {
        await expect(
          storage.put(key, Buffer.from('x'), { size: 1, contentType: 'text/plain' }),
        ).rejects.toThrow(/unsafe storage key/);
        await expect(storage.get(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.delete(key)).rejects.toThrow(/unsafe storage key/);
      }
    });
  });

  it('keeps local files under its root, and never leaves half a file when a stream fails', async () => {
    const root = join(dir, 'files');
    const storage = new LocalStorage(root);
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await expect(storage.get('../secret.txt')).rejects.toThrow(/unsafe storage key/);
    const failing = new Readable({
      read() {
        this.push(Buffer.from('part'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(
      storage.put('files/b2/original', failing, { size: 100, contentType: 'x/y' }),
    ).rejects.toThrow();
    await expect(
      storage.put('files/b3/original', Buffer.from('short'), { size: 6, contentType: 'x/y' }),
    ).rejects.toThrow(/expected 6/);
    expect(await storage.exists('files/b2/original')).toBe(false);
    expect(await storage.exists('files/b3/original')).toBe(false);
    expect((await readdir(join(root, 'files', 'b2'))).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('answers a StorageError, naming the operation but no credentials, when S3 cannot be reached', async () => {
    // A port nothing listens on: taken, then closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const storage = new S3Storage({
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'b',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-key-never-logged' },
      forcePathStyle: true,
    });
    const error = await storage.get('files/x/original').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/^S3 get failed/);
    expect((error as Error).message).not.toContain('very-secret-key-never-logged');
    await expect(
      storage.put('files/x/original', Buffer.from('x'), { size: 1, contentType: 'x/y' }),
    ).rejects.toBeInstanceOf(StorageError);
    storage.close();
  });

  it('accepts only the keys the server makes', () => {
    for (const key of ['files/0f8e/original', 'avatars/abc-1.webp', 'files/x/thumbnail.webp']) {
      expect(() => assertSafeKey(key)).not.toThrow();
    }
    for (const key of ['..', 'a/..', 'a/../b', '.hidden', 'a\\b', 'a b', `${'x'.repeat(513)}`]) {
      expect(() => assertSafeKey(key)).toThrow();
    }
  });
});
