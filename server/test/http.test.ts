import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { call, connect } from './support/sockets.js';

describe.each(BACKENDS)('operations endpoints on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ backend });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness with the checks it made', async () => {
    const live = await t.request('GET', '/health');
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      failed: [],
      checks: { database: { ok: true }, migrations: { ok: true } },
    });
  });

  it('exposes the Prometheus metrics operators alert on', async () => {
    const alice = await t.signIn(uniquePhone(), 'Alice');
    const bob = await t.signIn(uniquePhone(), 'Bob');
    const conv = await t.request('POST', '/api/v1/conversations', {
      token: alice.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    const socket = await connect(t.url, alice.accessToken);
    expect(
      (await call(socket, 'message:send', { conversationId: conv.body.id, clientMsgId: 'm1', body: 'x' })).ok,
    ).toBe(true);
    await t.request('POST', `/api/v1/conversations/${conv.body.id}/messages`, {
      token: alice.accessToken,
      body: { clientMsgId: 'm2', body: 'y' },
    });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text: string = metrics.body;
    expect(text).toMatch(/^realtime_connections 1$/m);
    expect(text).toMatch(/^messages_total\{transport="socket"\} 1$/m);
    expect(text).toMatch(/^messages_total\{transport="http"\} 1$/m);
    expect(text).toMatch(/^message_persist_duration_seconds_count 2$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/verify",status_code="200"\} 2$/m,
    );
    for (const name of [
      'db_pool_connections_total',
      'db_pool_connections_idle',
      'db_pool_requests_waiting',
      'db_pool_connections_max',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    }
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    socket.close();
  });

  it('answers unknown routes and methods with the error shape', async () => {
    const missing = await t.request('GET', '/api/v1/nope', { headers: { 'accept-language': 'en' } });
    expect(missing).toMatchObject({
      status: 404,
      body: { error: { code: 'http/not_found', message: 'There is nothing at this address.' } },
    });
    const wrongMethod = await t.request('PUT', '/api/v1/auth/otp', { body: {} });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.code).toBe('http/not_found');
  });

  it('refuses bad bodies on public routes without crashing', async () => {
    const cases: [
      string,
      { raw?: string; body?: unknown; headers?: Record<string, string> },
      number,
      string,
    ][] = [
      [
        'invalid JSON',
        { raw: '{"phone":', headers: { 'content-type': 'application/json' } },
        400,
        'validation/invalid',
      ],
      [
        'empty JSON body',
        { raw: '', headers: { 'content-type': 'application/json' } },
        400,
        'validation/invalid',
      ],
      ['an array', { body: [] }, 400, 'validation/invalid'],
      ['a string', { body: 'phone' }, 400, 'validation/invalid'],
      ['wrong type', { body: { phone: 12 } }, 400, 'validation/invalid'],
      [
        'text/plain',
        { raw: 'phone', headers: { 'content-type': 'text/plain' } },
        415,
        'http/unsupported_media_type',
      ],
      ['too large', { body: { phone: 'x'.repeat(70_000) } }, 413, 'http/payload_too_large'],
      [
        'prototype pollution',
        { raw: '{"__proto__":{"x":1},"phone":"0912"}', headers: { 'content-type': 'application/json' } },
        400,
        'validation/invalid',
      ],
    ];
    for (const [what, options, status, code] of cases) {
      const reply = await t.request('POST', '/api/v1/auth/otp', options);
      expect({ what, status: reply.status, code: reply.body?.error?.code }).toEqual({ what, status, code });
      expect(typeof reply.body.error.message).toBe('string');
    }
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('serves the OpenAPI document and its viewer', async () => {
    const doc = await t.request('GET', '/api/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/auth/otp',
      '/api/v1/auth/verify',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/users/lookup',
      '/api/v1/conversations',
      '/api/v1/conversations/{id}/messages',
      '/api/v1/conversations/{id}/read',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const ui = await t.request('GET', '/api/docs/');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('<html');
  });

  it('carries a request id, taking a sane one from the caller', async () => {
    const given = await t.request('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('/metrics behind a token (as production requires)', () => {
  let t: TestApp;
  const token = 'prometheus-scrape-token-1234';

  beforeAll(async () => {
    t = await startTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers only the bearer of the token, in the error shape otherwise', async () => {
    const none = await t.request('GET', '/metrics', { headers: { 'accept-language': 'en' } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('auth/unauthenticated');
    expect(typeof none.body.error.message).toBe('string');
    const wrong = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    const right = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(String(right.body)).toContain('http_request_duration_seconds');
    // Health stays open to the load balancer.
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});

describe('security headers on what the server answers itself', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends nosniff, no referrer and no framing on the API (errors too), health, metrics and the docs', async () => {
    const paths: [string, string][] = [
      ['GET', '/api/v1/conversations'], // 401
      ['POST', '/api/v1/auth/otp'], // 400
      ['GET', '/api/v1/nope'], // 404
      ['GET', '/health'],
      ['GET', '/health/ready'],
      ['GET', '/metrics'],
      ['GET', '/api/docs/json'],
      ['GET', '/api/docs/'],
    ];
    for (const [method, path] of paths) {
      const reply = await t.request(method, path, method === 'POST' ? { body: {} } : {});
      const h = reply.headers;
      expect({
        path,
        nosniff: h.get('x-content-type-options'),
        referrer: h.get('referrer-policy'),
        frame: h.get('x-frame-options'),
        ancestors: h.get('content-security-policy')?.includes("frame-ancestors 'none'"),
      }).toEqual({ path, nosniff: 'nosniff', referrer: 'no-referrer', frame: 'DENY', ancestors: true });
    }
    // JSON is data: nothing may be loaded by it.
    const api = await t.request('GET', '/api/v1/nope');
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('errors the router meets before any route (a malformed URL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a malformed or overlong URL answers the documented shape, without echoing it', async () => {
    const bad = await t.request('GET', '/api/v1/conversations/%zz', { headers: { 'accept-language': 'en' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'http/bad_url', message: 'This address is not well formed.' },
    });
    // Overlong: refused by the router (414 http/uri_too_long, see web.test.ts) or found nowhere (404).
    const long = `/api/v1/conversations/${'a'.repeat(201)}SECRET/messages`;
    const tooLong = await t.request('GET', long);
    expect(['http/uri_too_long', 'http/not_found']).toContain(tooLong.body.error.code);
    expect(JSON.stringify(tooLong.body)).not.toContain('SECRET');
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('headers over the HTTP parser’s limit (a huge query string) answer 431 in the error shape', async () => {
    const huge = await t.request('GET', `/api/v1/users/lookup?phone=${'%D8%A8'.repeat(4000)}`);
    expect(huge.status).toBe(431);
    expect(huge.body.error.code).toBe('http/headers_too_large');
    expect(typeof huge.body.error.message).toBe('string');
    expect((await t.request('GET', '/health')).status).toBe(200);
  });
});
