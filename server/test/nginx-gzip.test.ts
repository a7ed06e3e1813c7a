import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNginx, type Nginx, startNginx } from './support/cluster.js';

/**
 * Issue 18: deploy/nginx.conf compresses what its upstream sends plain, and passes what the
 * upstream compressed itself through untouched. nginx runs the deploy file for real (addresses
 * and paths rewritten, see support/cluster.ts) in front of a small upstream that never compresses
 * unless told to, so an encoded answer here can only come from nginx.
 */

const available = findNginx() !== undefined;
if (!available && process.env.CI === 'true') throw new Error('CI=true but nginx is missing (set NGINX_BIN)');

const BIG_JSON = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `سارا ${i}` })),
});
const BIG_JS = Array.from({ length: 300 }, (_, i) => `export const v${i} = ${i};`).join('\n');

/** The upstream: plain answers (with a length, as Fastify sends them), and one it compressed itself. */
function upstream(): Promise<Server> {
  const routes: Record<string, [Record<string, string>, string | Buffer]> = {
    '/health': [{ 'content-type': 'application/json' }, '{"status":"ok"}'],
    '/api/v1/list': [{ 'content-type': 'application/json; charset=utf-8' }, BIG_JSON],
    '/assets/app.js': [{ 'content-type': 'text/javascript; charset=utf-8' }, BIG_JS],
    '/assets/precompressed.js': [
      {
        'content-type': 'text/javascript; charset=utf-8',
        'content-encoding': 'gzip',
        vary: 'accept-encoding',
      },
      gzipSync(BIG_JS),
    ],
  };
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      // An upload: answer how many bytes arrived.
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      req.on('end', () =>
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ size })),
      );
      return;
    }
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    const [headers, body] = route;
    res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function get(url: string, headers: Record<string, string>, body?: Buffer) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = httpRequest(url, { headers, method: body ? 'POST' : 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!available)('deploy/nginx.conf compression and body limits', () => {
  let origin: Server;
  let nginx: Nginx;

  beforeAll(async () => {
    origin = await upstream();
    const port = (origin.address() as AddressInfo).port;
    // The deploy file has three upstream servers; here all three are the one origin.
    nginx = await startNginx([port, port, port]);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => origin?.close(resolve));
  });

  it('gzips a plain JSON answer and script, with Vary: Accept-Encoding', async () => {
    for (const [path, body, type] of [
      ['/api/v1/list', BIG_JSON, /^application\/json/],
      ['/assets/app.js', BIG_JS, /^text\/javascript/],
    ] as const) {
      const res = await get(`${nginx.url}${path}`, { 'accept-encoding': 'gzip' });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBe('gzip');
      expect(res.headers['content-type'], path).toMatch(type);
      expect(res.headers.vary, path).toMatch(/accept-encoding/i);
      expect(gunzipSync(res.body).toString('utf8'), path).toBe(body);
      expect(res.body.length, path).toBeLessThan(Buffer.byteLength(body) / 2);
    }
  });

  it('sends it plain to a client that does not accept gzip, and leaves small answers alone', async () => {
    const plain = await get(`${nginx.url}/api/v1/list`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(BIG_JSON);
    const small = await get(`${nginx.url}/health`, { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toEqual({ status: 'ok' });
  });

  it('lets uploads through up to the files limit, and keeps every other body to 64 kB', async () => {
    const photo = Buffer.alloc(3 * 1024 * 1024, 7);
    const headers = { 'content-type': 'application/octet-stream' };
    for (const path of [
      '/api/v1/conversations/0b0e3c5e-7b8f-4f7e-9a51-1f2d3c4b5a69/files',
      '/api/v1/users/me/avatar',
    ]) {
      const res = await get(`${nginx.url}${path}?kind=image&name=a.jpg`, headers, photo);
      expect([path, res.status, JSON.parse(res.body.toString('utf8'))]).toEqual([
        path,
        201,
        { size: photo.length },
      ]);
    }
    const other = await get(
      `${nginx.url}/api/v1/conversations/x/messages`,
      headers,
      Buffer.alloc(100 * 1024, 7),
    );
    expect(other.status).toBe(413);
  });

  it('passes an answer the instance compressed itself through, not compressed twice', async () => {
    const res = await get(`${nginx.url}/assets/precompressed.js`, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString('utf8')).toBe(BIG_JS);
  });
});
