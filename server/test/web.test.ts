import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from '../../web/scripts/precompress.ts';
import { startTestApp, type TestApp, uniquePhone } from './support/app.js';

const INDEX =
  '<!doctype html><html lang="fa" dir="rtl"><head><title>app</title></head><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
/** A script big enough to be worth compressing, as the app's main chunk is. */
const BIG_JS = Array.from({ length: 400 }, (_, i) => `export const value${i} = "سلام ${i}";`).join('\n');

/** A built client as Vite lays it out: index.html, hashed assets, the service worker, icons. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'abrik-web-dist-'));
  mkdirSync(join(dir, 'assets'));
  mkdirSync(join(dir, 'icons'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("push", () => {})');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"آبریک چت"}');
  writeFileSync(join(dir, 'icons/icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(dir, 'assets/chat-def456.js'), BIG_JS);
  mkdirSync(join(dir, 'widget/frame/assets'), { recursive: true });
  writeFileSync(join(dir, 'widget/loader.js'), BIG_JS);
  writeFileSync(join(dir, 'widget/frame/assets/index-f00d.js'), BIG_JS);
  // What the build's last step does: .br and .gz beside every text file.
  precompress(dir);
  return dir;
}

describe('the web client served at /', () => {
  let t: TestApp;
  let dist: string;

  beforeAll(async () => {
    dist = fakeBuild();
    t = await startTestApp({ env: { WEB_DIST_DIR: dist } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / with a strict Content-Security-Policy, revalidated on every load', async () => {
    const res = await t.request('GET', '/', { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('caches hashed assets for a year, and revalidates the service worker', async () => {
    const asset = await t.request('GET', '/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log("app")');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const sw = await t.request('GET', '/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const icon = await t.request('GET', '/icons/icon-192.png');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
  });

  it('answers the client’s own routes (a notification opens /c/<id>) with index.html', async () => {
    for (const path of ['/c/0b8a3f7e-1f2a-4c51-9d6e-2f6f1c1b2a3d', '/c/x?from=push', '/settings']) {
      const res = await t.request('GET', path, { headers: HTML });
      expect(res.status, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('answers a missing file that is not a page with the JSON 404', async () => {
    const res = await t.request('GET', '/assets/missing-123.js', { headers: { accept: '*/*' } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'http/not_found' } });
  });

  it('leaves the API, health, metrics and the socket to the server, even for a browser asking for HTML', async () => {
    const unknown = await t.request('GET', '/api/v1/nothing-here', { headers: HTML });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'http/not_found' } });
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);

    const unauthenticated = await t.request('GET', '/api/v1/conversations', { headers: HTML });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).toMatchObject({ error: { code: 'auth/unauthenticated' } });

    expect((await t.request('GET', '/health', { headers: HTML })).body).toMatchObject({ status: 'ok' });
    const metrics = await t.request('GET', '/metrics', { headers: HTML });
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const docs = await t.request('GET', '/api/docs/json');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toBe('3.1.0');

    const polling = await t.request('GET', '/socket.io/?EIO=4&transport=polling', { headers: HTML });
    expect(polling.status).toBe(200);
    expect(String(polling.body)).toMatch(/^0\{"sid":/);

    const alice = await t.signIn(uniquePhone());
    const me = await t.request('GET', '/api/v1/users/me', { token: alice.accessToken, headers: HTML });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.user.id);
  });
});

/** A GET (or HEAD) that keeps the body's bytes as sent: fetch would decode them. */
function rawRequest(url: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (encoding: string | undefined, body: Buffer) =>
  (encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body).toString(
    'utf8',
  );

describe('compressed answers', () => {
  let t: TestApp;
  let dist: string;

  beforeAll(async () => {
    dist = fakeBuild();
    t = await startTestApp({ env: { WEB_DIST_DIR: dist } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('writes a brotli and a gzip copy beside each text file at build time, not beside images', () => {
    for (const file of [
      'assets/chat-def456.js',
      'index.html',
      'widget/loader.js',
      'widget/frame/assets/index-f00d.js',
    ]) {
      expect(existsSync(join(dist, `${file}.br`)), file).toBe(true);
      expect(existsSync(join(dist, `${file}.gz`)), file).toBe(true);
    }
    expect(existsSync(join(dist, 'icons/icon-192.png.br'))).toBe(false);
  });

  it('sends the precompressed brotli, gzip or plain script as the browser accepts, varying on Accept-Encoding', async () => {
    const path = `${t.url}/assets/chat-def456.js`;
    for (const [accept, expected] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['identity', undefined],
      ['', undefined],
    ] as const) {
      const res = await rawRequest(path, accept ? { 'accept-encoding': accept } : {});
      expect(res.status, accept).toBe(200);
      expect(res.headers['content-encoding'], accept).toBe(expected);
      expect(res.headers['content-type'], accept).toMatch(/^text\/javascript|^application\/javascript/);
      expect(res.headers.vary, accept).toMatch(/accept-encoding/i);
      // The cache and security headers are the same whatever the encoding.
      expect(res.headers['cache-control'], accept).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options'], accept).toBe('nosniff');
      expect(decode(expected, res.body), accept).toBe(BIG_JS);
      if (expected) expect(res.body.length).toBeLessThan(BIG_JS.length / 3);
    }
  });

  it('sends index.html compressed at / and at the client’s own routes, revalidated as before', async () => {
    for (const path of ['/', '/c/0b8a3f7e-1f2a-4c51-9d6e-2f6f1c1b2a3d']) {
      const res = await rawRequest(`${t.url}${path}`, { ...HTML, 'accept-encoding': 'br' });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBe('br');
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], path).toBe('no-cache');
      expect(res.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(decode('br', res.body), path).toBe(INDEX);
    }
  });

  it('gives the widget’s loader and frame scripts the same treatment', async () => {
    for (const path of ['/widget/loader.js', '/widget/frame/assets/index-f00d.js']) {
      const res = await rawRequest(`${t.url}${path}`, { 'accept-encoding': 'gzip' });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBe('gzip');
      expect(res.headers.vary, path).toMatch(/accept-encoding/i);
      expect(decode('gzip', res.body), path).toBe(BIG_JS);
    }
  });

  it('gives the compressed copies no URL of their own', async () => {
    const res = await rawRequest(`${t.url}/assets/chat-def456.js.br`, {});
    expect(res.status).toBe(404);
  });

  it('answers HEAD with the headers of the GET and no body, and a revalidation with 304', async () => {
    const path = `${t.url}/assets/chat-def456.js`;
    const get = await rawRequest(path, { 'accept-encoding': 'br' });
    const head = await rawRequest(path, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['content-length']).toBe(String(get.body.length));
    expect(head.body.length).toBe(0);
    const etag = get.headers.etag as string;
    expect(etag).toBeTruthy();
    // The brotli copy is its own representation: its validator is not the plain file's.
    expect((await rawRequest(path, {})).headers.etag).not.toBe(etag);
    const revalidated = await rawRequest(path, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('compresses a large JSON answer of the API, and leaves a small one as it is', async () => {
    const large = await rawRequest(`${t.url}/api/docs/json`, { 'accept-encoding': 'br, gzip' });
    expect(large.status).toBe(200);
    expect(large.headers['content-encoding']).toBe('br');
    expect(large.headers['content-type']).toMatch(/^application\/json/);
    expect(large.headers.vary).toMatch(/accept-encoding/i);
    expect(large.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(decode('br', large.body)).openapi).toBe('3.1.0');

    const gzip = await rawRequest(`${t.url}/api/docs/json`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decode('gzip', gzip.body)).openapi).toBe('3.1.0');

    const plain = await rawRequest(`${t.url}/api/docs/json`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8')).openapi).toBe('3.1.0');

    const small = await rawRequest(`${t.url}/health`, { 'accept-encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toMatchObject({ status: 'ok' });
  });

  it('leaves the socket’s long-polling to Socket.IO', async () => {
    const polling = await rawRequest(`${t.url}/socket.io/?EIO=4&transport=polling`, {
      'accept-encoding': 'gzip',
    });
    expect(polling.status).toBe(200);
    expect(polling.headers['content-encoding']).toBeUndefined();
    expect(polling.body.toString('utf8')).toMatch(/^0\{"sid":/);
  });
});

describe('without a built web client', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { WEB_DIST_DIR: join(tmpdir(), 'abrik-no-such-build') } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the placeholder page at / and the JSON 404 elsewhere', async () => {
    const home = await t.request('GET', '/', { headers: HTML });
    expect(home.status).toBe(200);
    expect(String(home.body)).toContain('سرور آبریک چت در حال اجراست');
    const page = await t.request('GET', '/c/anything', { headers: HTML });
    expect(page.status).toBe(404);
    expect(page.body).toMatchObject({ error: { code: 'http/not_found' } });
  });

  it('answers an overlong path parameter in the error shape, without echoing the URL', async () => {
    for (const path of [
      `/api/v1/conversations/${'a'.repeat(201)}SECRET`,
      `/api/v1/conversations/${'a'.repeat(201)}SECRET/messages`,
      `/c/${'a'.repeat(300)}SECRET`,
    ]) {
      const reply = await t.request('GET', path, { headers: { 'accept-language': 'en' } });
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
      expect(['http/uri_too_long', 'http/not_found']).toContain(reply.body.error.code);
      expect(JSON.stringify(reply.body)).not.toContain('SECRET');
    }
  });
});
