import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/platform/db/client.js';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { type ClientSocket, collect, connect, next } from './support/sockets.js';

const LIMITS = {
  FILE_MAX_IMAGE_BYTES: '400000',
  FILE_MAX_VOICE_BYTES: '20000',
  FILE_MAX_FILE_BYTES: '60000',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A 60×40 JPEG that says "turn me 90°" (EXIF orientation 6) and carries a copyright and GPS position. */
async function exifJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Copyright: 'Secret Owner' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '35/1 41/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '51/1 25/1 0/1',
      },
    })
    .toBuffer();
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer();

/** The first page of an Ogg Opus stream: enough for the type to sniff as Opus. */
function oggOpus(bytes = 2000): Buffer {
  const page = Buffer.alloc(bytes);
  page.write('OggS', 0);
  page[5] = 2;
  page[26] = 1;
  page[27] = 19;
  page.write('OpusHead', 28);
  page[36] = 1;
  page[37] = 1;
  for (let i = 100; i < bytes; i++) page[i] = i % 251;
  return page;
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

interface Reply {
  status: number;
  body: any;
  headers: Headers;
  bytes: Buffer;
}

function expectError(res: Reply, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
}

describe('files', () => {
  let t: TestApp;
  let dataDir: string;
  let alice: AuthResult;
  let bob: AuthResult;
  let carol: AuthResult;
  let direct: string;

  const call = async (
    method: string,
    path: string,
    options: {
      token?: string;
      body?: NonNullable<RequestInit['body']>;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { 'accept-language': 'en', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: options.body, duplex: 'half' } : {}),
    } as RequestInit);
    const bytes = Buffer.from(await res.arrayBuffer());
    let body: unknown = null;
    if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(bytes.toString('utf8'));
    return { status: res.status, body, headers: res.headers, bytes };
  };
  const upload = (
    who: AuthResult,
    conversationId: string,
    bytes: NonNullable<RequestInit['body']>,
    query: string,
  ) =>
    call('POST', `/api/v1/conversations/${conversationId}/files?${query}`, {
      token: who.accessToken,
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
  const download = (who: AuthResult | undefined, path: string, headers?: Record<string, string>) =>
    call('GET', path, { ...(who ? { token: who.accessToken } : {}), ...(headers ? { headers } : {}) });
  const createGroup = async (owner: AuthResult, memberIds: string[]) => {
    const res = await t.request('POST', '/api/v1/conversations', {
      token: owner.accessToken,
      body: { kind: 'group', title: 'files', memberIds },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const storage = () => t.app.files.storage;
  const rowOf = async (id: string) =>
    (
      await queryRows<{
        storage_key: string;
        thumbnail_key: string | null;
        preview_key: string | null;
        message_id: string | null;
      }>(
        t.app.database.db,
        sql`select storage_key, thumbnail_key, preview_key, message_id from files where id = ${id}`,
      )
    )[0];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'abrik-files-app-'));
    t = await startTestApp({ env: { DATA_DIR: dataDir, ...LIMITS } });
    [alice, bob, carol] = await Promise.all([
      t.signIn(uniquePhone(), 'Alice'),
      t.signIn(uniquePhone(), 'Bob'),
      t.signIn(uniquePhone(), 'Carol'),
    ]);
    const res = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    direct = res.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores a photo upright and without EXIF or GPS, with a WebP thumbnail and preview', async () => {
    const photo = await exifJpeg();
    const given = await sharp(photo).metadata();
    expect({
      orientation: given.orientation,
      exif: !!given.exif,
      owner: photo.includes('Secret Owner'),
    }).toEqual({
      orientation: 6,
      exif: true,
      owner: true,
    });
    const res = await upload(alice, direct, photo, 'kind=image&name=holiday.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      kind: 'image',
      name: 'holiday.jpg',
      mime: 'image/jpeg',
      size: expect.any(Number),
      // 60×40 turned by its orientation.
      width: 40,
      height: 60,
      durationMs: null,
    });
    const original = await download(bob, `/api/v1/files/${res.body.id}`);
    expect(original.status).toBe(200);
    expect(original.bytes.length).toBe(res.body.size);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(original.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
    expect(original.headers.get('x-content-type-options')).toBe('nosniff');
    expect(original.headers.get('content-security-policy')).toContain('sandbox');
    expect(original.headers.get('cache-control')).toMatch(/^private, /);
    const meta = await sharp(original.bytes).metadata();
    expect({
      width: meta.width,
      height: meta.height,
      exif: meta.exif,
      orientation: meta.orientation,
    }).toEqual({
      width: 40,
      height: 60,
      exif: undefined,
      orientation: undefined,
    });
    expect(original.bytes.includes('Secret Owner')).toBe(false);

    for (const variant of ['thumbnail', 'preview']) {
      const small = await download(bob, `/api/v1/files/${res.body.id}/${variant}`);
      expect(small.status).toBe(200);
      expect(small.headers.get('content-type')).toBe('image/webp');
      const info = await sharp(small.bytes).metadata();
      expect({ format: info.format, width: info.width, height: info.height, exif: info.exif }).toEqual({
        format: 'webp',
        width: 40,
        height: 60,
        exif: undefined,
      });
    }
  });

  it('makes the thumbnail ~320 px and the preview ~1280 px of a large image', async () => {
    const res = await upload(alice, direct, await png(2000, 1000), 'kind=image');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ mime: 'image/png', width: 2000, height: 1000, name: 'photo.png' });
    const sizes = [];
    for (const variant of ['thumbnail', 'preview']) {
      const info = await sharp(
        (await download(alice, `/api/v1/files/${res.body.id}/${variant}`)).bytes,
      ).metadata();
      sizes.push([info.width, info.height]);
    }
    expect(sizes).toEqual([
      [320, 160],
      [1280, 640],
    ]);
  });

  it('refuses, with a clear error, a file that claims to be an image and is not', async () => {
    const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 7)]);
    for (const bytes of [PDF, HTML, fakeJpeg]) {
      const res = await upload(alice, direct, bytes, 'kind=image&name=cat.jpg');
      expectError(res, 415, 'file/not_an_image');
      expect(res.body.error.message).toMatch(/not an image/);
    }
    const fa = await call('POST', `/api/v1/conversations/${direct}/files?kind=image`, {
      token: alice.accessToken,
      body: PDF,
      headers: { 'content-type': 'application/octet-stream', 'accept-language': 'fa' },
    });
    expect(fa.body.error.message).toBe('این پرونده عکس نیست. عکس JPEG، PNG، WebP یا GIF بفرستید.');
    const pdfAsVoice = await upload(alice, direct, PDF, 'kind=voice');
    expectError(pdfAsVoice, 415, 'file/not_audio');
  });

  it('serves documents as downloads with their sniffed type, never as a page', async () => {
    const html = await upload(alice, direct, HTML, `kind=file&name=${encodeURIComponent('صفحه.html')}`);
    expect(html.status).toBe(201);
    expect(html.body).toMatchObject({ kind: 'file', name: 'صفحه.html', mime: 'application/octet-stream' });
    const served = await download(bob, `/api/v1/files/${html.body.id}`);
    expect(served.headers.get('content-type')).toBe('application/octet-stream');
    expect(served.headers.get('content-disposition')).toBe(
      `attachment; filename="____.html"; filename*=UTF-8''${encodeURIComponent('صفحه.html')}`,
    );
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(served.bytes.equals(HTML)).toBe(true);

    const pdf = await upload(alice, direct, PDF, 'kind=file&name=../../etc/report.pdf');
    expect(pdf.body).toMatchObject({ name: 'report.pdf', mime: 'application/pdf', width: null });
    expect((await download(bob, `/api/v1/files/${pdf.body.id}`)).headers.get('content-disposition')).toMatch(
      /^attachment; /,
    );
    // Only images have a thumbnail.
    expectError(await download(bob, `/api/v1/files/${pdf.body.id}/thumbnail`), 404, 'file/not_found');
  });

  it('takes voice notes with their recorded length, and serves byte ranges of them', async () => {
    const ogg = oggOpus();
    const res = await upload(bob, direct, ogg, 'kind=voice&durationMs=4200');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'voice', mime: 'audio/ogg', durationMs: 4200, name: 'voice' });
    const part = await download(alice, `/api/v1/files/${res.body.id}`, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${ogg.length}`);
    expect(part.bytes.equals(ogg.subarray(100, 200))).toBe(true);
    const tail = await download(alice, `/api/v1/files/${res.body.id}`, { range: 'bytes=-10' });
    expect(tail.bytes.equals(ogg.subarray(ogg.length - 10))).toBe(true);
    const outside = await download(alice, `/api/v1/files/${res.body.id}`, { range: `bytes=${ogg.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${ogg.length}`);
  });

  it('answers 304 to a browser that has the file', async () => {
    const res = await upload(alice, direct, await png(30, 30), 'kind=image');
    const first = await download(bob, `/api/v1/files/${res.body.id}/thumbnail`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await download(bob, `/api/v1/files/${res.body.id}/thumbnail`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });

  it('refuses uploads over the limit of their kind (413), whether announced or streamed, and empty ones', async () => {
    const big = Buffer.alloc(60_001, 1);
    const announced = await upload(alice, direct, big, 'kind=file');
    expectError(announced, 413, 'file/too_large');
    expect(announced.body.error.details).toEqual({ limitBytes: 60_000 });
    // No Content-Length: the cap holds while the bytes stream in.
    const chunks = [Buffer.alloc(40_000, 2), Buffer.alloc(40_000, 3)];
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expectError(await upload(alice, direct, stream, 'kind=file'), 413, 'file/too_large');
    // Within the documents' limit, over the voice notes'.
    expectError(await upload(alice, direct, oggOpus(25_000), 'kind=voice'), 413, 'file/too_large');
    expectError(await upload(alice, direct, Buffer.alloc(0), 'kind=file'), 400, 'file/empty');
    // Nothing of the refused uploads is left behind.
    expect(
      await queryRows(t.app.database.db, sql`select count(*)::int as n from files where size > 40000`),
    ).toEqual([{ n: 0 }]);
  });

  it('takes the bytes only as application/octet-stream, with a known kind', async () => {
    const json = await t.request('POST', `/api/v1/conversations/${direct}/files?kind=file`, {
      token: alice.accessToken,
      body: { hello: 'world' },
    });
    expectError(json as Reply, 415, 'http/unsupported_media_type');
    expectError(await upload(alice, direct, PDF, 'kind=avatar'), 400, 'validation/invalid');
    expectError(await upload(alice, direct, PDF, 'name=x.pdf'), 400, 'validation/invalid');
  });

  it('lets only members upload and download (404 for everyone else, 401 without a token)', async () => {
    expectError(await upload(carol, direct, PDF, 'kind=file'), 404, 'conversation/not_found');
    const group = await createGroup(alice, [bob.user.id]);
    const image = await upload(alice, group, await png(50, 50), 'kind=image');
    expect(image.status).toBe(201);
    for (const path of ['', '/thumbnail', '/preview']) {
      expect((await download(bob, `/api/v1/files/${image.body.id}${path}`)).status).toBe(200);
      expectError(await download(carol, `/api/v1/files/${image.body.id}${path}`), 404, 'file/not_found');
      expectError(
        await download(undefined, `/api/v1/files/${image.body.id}${path}`),
        401,
        'auth/unauthenticated',
      );
    }
    expectError(
      await download(bob, '/api/v1/files/00000000-0000-4000-8000-000000000000'),
      404,
      'file/not_found',
    );
    // Removed from the group: the group's files are out of reach at once.
    const removed = await t.request('DELETE', `/api/v1/conversations/${group}/members/${bob.user.id}`, {
      token: alice.accessToken,
    });
    expect(removed.status).toBe(204);
    expectError(await download(bob, `/api/v1/files/${image.body.id}`), 404, 'file/not_found');
    expectError(await upload(bob, group, PDF, 'kind=file'), 404, 'conversation/not_found');
  });

  describe('the attachment port', () => {
    const send = async (who: AuthResult, conversationId: string, clientMsgId: string) => {
      const res = await t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: who.accessToken,
        body: { clientMsgId, body: 'caption' },
      });
      expect([200, 201]).toContain(res.status);
      return res.body.id as string;
    };

    it('lets the uploader claim a file for their message in its conversation, once', async () => {
      const { attachments } = t.app.files;
      const file = (await upload(alice, direct, PDF, 'kind=file&name=a.pdf')).body;
      const refused = async (promise: Promise<unknown>, status: number, code: string) =>
        expect(
          await promise.catch((e: { status: number; code: string }) => ({ status: e.status, code: e.code })),
        ).toEqual({
          status,
          code,
        });
      await refused(attachments.claim(bob.user.id, direct, file.id), 404, 'file/not_found');
      const other = await createGroup(alice, []);
      await refused(attachments.claim(alice.user.id, other, file.id), 404, 'file/not_found');
      await refused(
        attachments.claim(alice.user.id, direct, '00000000-0000-4000-8000-000000000000'),
        404,
        'file/not_found',
      );
      expect(await attachments.claim(alice.user.id, direct, file.id, 'send-1')).toEqual(file);

      const messageId = await send(alice, direct, 'send-1');
      await attachments.attach(file.id, messageId);
      await attachments.attach(file.id, messageId); // the same message again: fine
      expect((await rowOf(file.id))?.message_id).toBe(messageId);
      // The retry of the same send may claim it again; another message may not.
      expect(await attachments.claim(alice.user.id, direct, file.id, 'send-1')).toEqual(file);
      await refused(
        attachments.claim(alice.user.id, direct, file.id, 'send-2'),
        409,
        'file/already_attached',
      );
      await refused(attachments.claim(alice.user.id, direct, file.id), 409, 'file/already_attached');
      const second = await send(alice, direct, 'send-2');
      await refused(attachments.attach(file.id, second), 409, 'file/already_attached');
    });

    it('copies a file for a forward into another conversation, for its members', async () => {
      const { attachments } = t.app.files;
      const image = (await upload(alice, direct, await png(64, 48), 'kind=image&name=p.png')).body;
      const group = await createGroup(bob, [carol.user.id]);
      const refused = await attachments
        .copy(carol.user.id, image.id, group)
        .catch((e: { code: string }) => e.code);
      expect(refused).toBe('file/not_found'); // carol cannot see the original
      const copy = await attachments.copy(bob.user.id, image.id, group);
      expect(copy).toEqual({ ...image, id: expect.stringMatching(UUID) });
      expect(copy.id).not.toBe(image.id);
      expect(await attachments.claim(bob.user.id, group, copy.id)).toEqual(copy);
      expect((await download(carol, `/api/v1/files/${copy.id}/preview`)).status).toBe(200);
      expectError(await download(carol, `/api/v1/files/${image.id}/preview`), 404, 'file/not_found');
    });
  });

  describe('sent with messages', () => {
    const sendWith = (who: AuthResult, conversationId: string, body: Record<string, unknown>) =>
      call('POST', `/api/v1/conversations/${conversationId}/messages`, {
        token: who.accessToken,
        body: JSON.stringify({ clientMsgId: crypto.randomUUID(), ...body }),
        headers: { 'content-type': 'application/json' },
      });

    it('carries a photo in a message, once; a retry is the same message; a forward gives the target its own copy', async () => {
      const image = (await upload(alice, direct, await png(80, 60), 'kind=image&name=سفر.png')).body;
      const clientMsgId = crypto.randomUUID();
      const sent = await sendWith(alice, direct, { clientMsgId, attachmentId: image.id, body: 'از سفر' });
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({ body: 'از سفر', attachment: image });
      expect((await rowOf(image.id))?.message_id).toBe(sent.body.id);
      // The other person sees it in history and may download it; the retry answers the same message.
      const history = await t.request('GET', `/api/v1/conversations/${direct}/messages`, {
        token: bob.accessToken,
      });
      expect(history.body.items.at(-1)).toMatchObject({ id: sent.body.id, attachment: image });
      expect((await download(bob, `/api/v1/files/${image.id}/thumbnail`)).status).toBe(200);
      const retry = await sendWith(alice, direct, { clientMsgId, attachmentId: image.id, body: 'از سفر' });
      expect([retry.status, retry.body.id]).toEqual([200, sent.body.id]);
      // Another message cannot carry the same upload, nor can someone else send it.
      expectError(await sendWith(alice, direct, { attachmentId: image.id }), 409, 'file/already_attached');
      expectError(await sendWith(bob, direct, { attachmentId: image.id }), 404, 'file/not_found');

      // Forwarded to a group Carol is in: she downloads the group's copy, not the original.
      const group = await createGroup(bob, [carol.user.id]);
      const fwd = await sendWith(bob, group, {
        forward: { conversationId: direct, messageId: sent.body.id },
      });
      expect(fwd.status).toBe(201);
      expect(fwd.body).toMatchObject({
        body: 'از سفر',
        forwarded: { senderId: alice.user.id, name: 'Alice' },
        attachment: { ...image, id: expect.stringMatching(UUID) },
      });
      const copy = fwd.body.attachment.id as string;
      expect(copy).not.toBe(image.id);
      expect((await rowOf(copy))?.message_id).toBe(fwd.body.id);
      expect((await download(carol, `/api/v1/files/${copy}/preview`)).status).toBe(200);
      expectError(await download(carol, `/api/v1/files/${image.id}/preview`), 404, 'file/not_found');
    });
  });

  describe('cleanup', () => {
    it('removes uploads never sent after a day, and keeps sent ones and fresh ones', async () => {
      const unsent = (await upload(alice, direct, await png(20, 20), 'kind=image')).body;
      const fresh = (await upload(alice, direct, PDF, 'kind=file')).body;
      const sent = (await upload(alice, direct, PDF, 'kind=file')).body;
      const messageId = (
        await t.request('POST', `/api/v1/conversations/${direct}/messages`, {
          token: alice.accessToken,
          body: { clientMsgId: 'cleanup-sent', body: 'x' },
        })
      ).body.id;
      await t.app.files.attachments.attach(sent.id, messageId);
      await t.app.database.db.execute(
        sql`update files set created_at = now() - interval '25 hours' where id in (${unsent.id}, ${sent.id})`,
      );
      const keys = (await rowOf(unsent.id))!;
      expect(await storage().exists(keys.thumbnail_key!)).toBe(true);

      expect(await t.app.files.files.cleanup()).toBeGreaterThanOrEqual(1);
      expect(await rowOf(unsent.id)).toBeUndefined();
      for (const key of [keys.storage_key, keys.thumbnail_key!, keys.preview_key!]) {
        expect(await storage().exists(key)).toBe(false);
      }
      expectError(await download(alice, `/api/v1/files/${unsent.id}`), 404, 'file/not_found');
      expect((await download(bob, `/api/v1/files/${sent.id}`)).status).toBe(200);
      expect((await download(bob, `/api/v1/files/${fresh.id}`)).status).toBe(200);
    });

    it('removes the file of a message deleted for everyone', async () => {
      const file = (await upload(alice, direct, PDF, 'kind=file&name=gone.pdf')).body;
      const message = await t.request('POST', `/api/v1/conversations/${direct}/messages`, {
        token: alice.accessToken,
        body: { clientMsgId: 'deleted-with-file', body: 'see this' },
      });
      await t.app.files.attachments.attach(file.id, message.body.id);
      // As the chat module will store it once it sends attachments.
      await t.app.database.db.execute(
        sql`update messages set meta = ${JSON.stringify({ attachment: file })}::jsonb where id = ${message.body.id}`,
      );
      const key = (await rowOf(file.id))!.storage_key;
      const deleted = await t.request(
        'DELETE',
        `/api/v1/conversations/${direct}/messages/${message.body.id}`,
        {
          token: alice.accessToken,
        },
      );
      expect(deleted.status).toBe(204);
      await vi.waitFor(async () => expect(await storage().exists(key)).toBe(false), { timeout: 10_000 });
      expect(await rowOf(file.id)).toBeUndefined();
    });

    it('sweeps the file of a deleted message the live removal missed', async () => {
      const file = (await upload(alice, direct, PDF, 'kind=file')).body;
      const message = await t.request('POST', `/api/v1/conversations/${direct}/messages`, {
        token: alice.accessToken,
        body: { clientMsgId: 'deleted-without-meta', body: 'x' },
      });
      await t.app.files.attachments.attach(file.id, message.body.id);
      // No attachment in its meta: the live listener leaves it; the sweep finds it by the message.
      await t.request('DELETE', `/api/v1/conversations/${direct}/messages/${message.body.id}`, {
        token: alice.accessToken,
      });
      expect(await rowOf(file.id)).toBeDefined();
      await t.app.files.files.cleanup();
      expect(await rowOf(file.id)).toBeUndefined();
    });
  });

  describe('profile photos', () => {
    it('sets, shows to those who share a conversation, replaces and removes a profile photo', async () => {
      const set = await call('PUT', '/api/v1/users/me/avatar', {
        token: alice.accessToken,
        body: await png(300, 200),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ id: alice.user.id, avatarId: expect.stringMatching(UUID) });
      const first = set.body.avatarId as string;
      expect((await t.request('GET', '/api/v1/users/me', { token: alice.accessToken })).body.avatarId).toBe(
        first,
      );
      // Bob's client learns of it with the conversation's members (a new id: a new photo).
      const shared = await t.request('GET', `/api/v1/conversations/${direct}`, { token: bob.accessToken });
      const members = shared.body.members as { userId: string; avatarId?: string }[];
      expect(members.find((m) => m.userId === alice.user.id)?.avatarId).toBe(first);
      expect(members.find((m) => m.userId === bob.user.id)?.avatarId).toBeUndefined();

      for (const who of [alice, bob]) {
        const photo = await download(who, `/api/v1/users/${alice.user.id}/avatar`);
        expect(photo.status).toBe(200);
        expect(photo.headers.get('content-type')).toBe('image/webp');
        const info = await sharp(photo.bytes).metadata();
        expect([info.width, info.height]).toEqual([256, 256]);
      }
      expectError(await download(carol, `/api/v1/users/${alice.user.id}/avatar`), 404, 'file/not_found');
      expectError(await download(bob, `/api/v1/users/${bob.user.id}/avatar`), 404, 'file/not_found');
      const etag = (await download(bob, `/api/v1/users/${alice.user.id}/avatar`)).headers.get('etag')!;
      expect(
        (await download(bob, `/api/v1/users/${alice.user.id}/avatar`, { 'if-none-match': etag })).status,
      ).toBe(304);

      const notImage = await call('PUT', '/api/v1/users/me/avatar', {
        token: alice.accessToken,
        body: PDF,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expectError(notImage, 415, 'file/not_an_image');

      const oldKey = (await rowOf(first))!.storage_key;
      const replaced = await call('PUT', '/api/v1/users/me/avatar', {
        token: alice.accessToken,
        body: await exifJpeg(),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(replaced.body.avatarId).not.toBe(first);
      expect(await rowOf(first)).toBeUndefined();
      expect(await storage().exists(oldKey)).toBe(false);
      // A profile photo is not a conversation's file.
      expectError(await download(alice, `/api/v1/files/${replaced.body.avatarId}`), 404, 'file/not_found');

      const removed = await call('DELETE', '/api/v1/users/me/avatar', { token: alice.accessToken });
      expect(removed.status).toBe(200);
      expect(removed.body.avatarId).toBeUndefined();
      expectError(await download(bob, `/api/v1/users/${alice.user.id}/avatar`), 404, 'file/not_found');
    });

    it('tells her groups and her other devices at once when she sets or removes a photo, and no stranger', async () => {
      const [dina, omid, stranger] = await Promise.all([
        t.signIn(uniquePhone(), 'Dina'),
        t.signIn(uniquePhone(), 'Omid'),
        t.signIn(uniquePhone(), 'Stranger'),
      ]);
      await createGroup(dina, [omid.user.id]);
      const sockets: ClientSocket[] = await Promise.all(
        [omid, dina, stranger].map((who) => connect(t.url, who.accessToken)),
      );
      const [toOmid, toHerOtherDevice, toStranger] = sockets as [ClientSocket, ClientSocket, ClientSocket];
      const setPhoto = (who: AuthResult) =>
        png(64, 64).then((body) =>
          call('PUT', '/api/v1/users/me/avatar', {
            token: who.accessToken,
            body,
            headers: { 'content-type': 'application/octet-stream' },
          }),
        );
      try {
        const heardByStranger = collect(toStranger, 'user:avatar');
        const onHerDevice = collect(toHerOtherDevice, 'user:avatar');
        const isDina = (e: { userId: string }) => e.userId === dina.user.id;
        const omidHearsSet = next(toOmid, 'user:avatar', isDina);
        const deviceHearsSet = next(toHerOtherDevice, 'user:avatar', isDina);
        const set = await setPhoto(dina);
        expect(set.status).toBe(200);
        const told = { userId: dina.user.id, avatarId: set.body.avatarId };
        expect(await omidHearsSet).toEqual(told);
        expect(await deviceHearsSet).toEqual(told);

        const omidHearsRemoved = next(toOmid, 'user:avatar', (e) => isDina(e) && e.avatarId === null);
        const deviceHearsRemoved = next(toHerOtherDevice, 'user:avatar', (e) => e.avatarId === null);
        expect((await call('DELETE', '/api/v1/users/me/avatar', { token: dina.accessToken })).status).toBe(
          200,
        );
        expect(await omidHearsRemoved).toEqual({ userId: dina.user.id, avatarId: null });
        await deviceHearsRemoved;
        // In her room and the group's, her device heard each change once (one emit to both rooms).
        expect(onHerDevice.map((e) => e.avatarId)).toEqual([set.body.avatarId, null]);

        // The stranger's own change reaches them after Dina's went out: had hers reached them, it came first.
        const ownChange = next(toStranger, 'user:avatar', (e) => e.userId === stranger.user.id);
        await setPhoto(stranger);
        await ownChange;
        expect(heardByStranger.map((e) => e.userId)).toEqual([stranger.user.id]);
      } finally {
        for (const s of sockets) s.close();
      }
    });
  });
});
