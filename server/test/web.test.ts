import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniquePhone } from './support/app.js';

const INDEX =
  '<!doctype html><html lang="fa" dir="rtl"><head><title>app</title></head><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

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
