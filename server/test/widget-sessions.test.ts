import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashOf } from '../src/modules/widget/identity.js';
import { queryRows } from '../src/platform/db/client.js';
import { type Desk, type Person, startDesk } from './support/desk.js';

const ORIGIN = 'https://shop.example.ir';
const HOUR = 3600_000;

let desk: Desk;
let admin: Person;
let supervisor: Person;
let agent: Person;
let inboxId: string;
let clock = Date.now();
let ips = 0;
/** A fresh client address per call (the app trusts X-Forwarded-For here), so limits do not mix. */
const freshIp = () => `10.0.${Math.floor(++ips / 250)}.${(ips % 250) + 1}`;

async function createWidget(body: Record<string, unknown> = {}) {
  const res = await desk.t.request('POST', '/api/v1/widgets', {
    token: admin.token,
    body: { name: 'Shop', inboxId, allowedOrigins: [ORIGIN], ...body },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

let jti = 0;
async function identityToken(
  secret: string,
  options: { exp?: number; jti?: string; sub?: string; name?: string } = {},
) {
  return new SignJWT({ ...(options.name ? { name: options.name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub ?? 'site-user-1')
    .setJti(options.jti ?? `jti-${++jti}`)
    .setExpirationTime(options.exp ?? Math.floor(clock / 1000) + 600)
    .sign(new TextEncoder().encode(secret));
}

function openSession(body: Record<string, unknown>, options: { origin?: string | null; ip?: string } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? freshIp() };
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
  return desk.t.request('POST', '/widget/v1/sessions', { body, headers });
}

/** Rows of every table in the public schema, by table. */
async function rowCounts(): Promise<Record<string, number>> {
  const db = desk.t.app.database.db;
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await queryRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from "${name}"`));
    counts[name] = row!.n;
  }
  return counts;
}

beforeAll(async () => {
  desk = await startDesk({
    backend: 'postgres',
    now: () => clock,
    env: {
      TRUST_PROXY: 'true',
      WIDGET_SESSIONS_PER_IP_MINUTE: '3',
      WIDGET_SESSIONS_PER_WIDGET_MINUTE: '1000',
    },
  });
  admin = await desk.person('admin', 'Admin');
  supervisor = await desk.person('supervisor', 'Supervisor');
  agent = await desk.person('agent', 'Agent');
  const inbox = await desk.t.request('POST', '/api/v1/support/inboxes', {
    token: admin.token,
    body: { name: 'Website', kind: 'widget' },
  });
  expect(inbox.status).toBe(201);
  inboxId = inbox.body.id;
}, 60_000);
afterAll(async () => {
  await desk?.close();
});

describe('POST /widget/v1/sessions: identity matrix', () => {
  type Proof = 'none' | 'bad signature' | 'expired' | 'replayed' | 'valid';
  const MATRIX: Record<'off' | 'optional' | 'required', Record<Proof, [number, string | boolean]>> = {
    // [status, error code or `verified`]
    off: {
      none: [201, false],
      'bad signature': [201, false],
      expired: [201, false],
      replayed: [201, false],
      valid: [201, false],
    },
    optional: {
      none: [201, false],
      'bad signature': [401, 'widget/identity_invalid'],
      expired: [401, 'widget/identity_expired'],
      replayed: [401, 'widget/identity_replayed'],
      valid: [201, true],
    },
    required: {
      none: [401, 'widget/identity_required'],
      'bad signature': [401, 'widget/identity_invalid'],
      expired: [401, 'widget/identity_expired'],
      replayed: [401, 'widget/identity_replayed'],
      valid: [201, true],
    },
  };

  for (const [mode, row] of Object.entries(MATRIX)) {
    for (const [proof, [status, outcome]] of Object.entries(row) as [Proof, [number, string | boolean]][]) {
      it(`${mode} × ${proof}: ${status} ${outcome}`, async () => {
        const widget = await createWidget({ identityMode: mode });
        let token: string | undefined;
        if (proof === 'bad signature') token = await identityToken('not-the-widget-secret');
        if (proof === 'expired')
          token = await identityToken(widget.secret, { exp: Math.floor(clock / 1000) - 120 });
        if (proof === 'valid') token = await identityToken(widget.secret);
        if (proof === 'replayed') {
          token = await identityToken(widget.secret);
          if (mode !== 'off') expect((await openSession({ widgetId: widget.id, token })).status).toBe(201);
        }
        const res = await openSession({ widgetId: widget.id, ...(token ? { token } : {}) });
        expect(res.status).toBe(status);
        if (typeof outcome === 'string') expect(res.body.error.code).toBe(outcome);
        else expect(res.body.verified).toBe(outcome);
      });
    }
  }

  it('maps a verified visitor to the same customer user every time, never by e-mail or phone', async () => {
    const widget = await createWidget({ identityMode: 'required' });
    const first = await openSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'alice', name: 'Alice' }),
    });
    const second = await openSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'alice' }),
    });
    const other = await openSession({
      widgetId: widget.id,
      token: await identityToken(widget.secret, { sub: 'bob' }),
    });
    expect([first.status, second.status, other.status]).toEqual([201, 201, 201]);
    const claims = async (token: string) => desk.t.app.widget.visitorTokens.verify(token);
    const [a1, a2, b] = await Promise.all([first, second, other].map((r) => claims(r.body.sessionToken)));
    expect(a1!.userId).toBeTruthy();
    expect(a2!.userId).toBe(a1!.userId);
    expect(a2!.contactId).toBe(a1!.contactId);
    expect(b!.userId).not.toBe(a1!.userId);
    const [user] = await queryRows<{ name: string; role: string; phone: string }>(
      desk.t.app.database.db,
      sql`select name, role, phone from users where id = ${a1!.userId}`,
    );
    expect(user).toMatchObject({ name: 'Alice', role: 'customer' });
    expect(user!.phone.startsWith('+')).toBe(false); // no phone sign-in can reach it
  });

  it('accepts the HMAC-of-user-id mode and refuses a wrong hash', async () => {
    const widget = await createWidget({ identityMode: 'required' });
    const ok = await openSession({
      widgetId: widget.id,
      userId: 'u-1',
      userHash: userHashOf(widget.secret, 'u-1'),
    });
    expect([ok.status, ok.body.verified]).toEqual([201, true]);
    const bad = await openSession({
      widgetId: widget.id,
      userId: 'u-1',
      userHash: userHashOf(widget.secret, 'u-2'),
    });
    expect([bad.status, bad.body.error?.code]).toEqual([401, 'widget/identity_invalid']);
  });

  it('keeps the old secret valid for the rotation grace, then refuses it', async () => {
    const widget = await createWidget({ identityMode: 'required' });
    const rotated = await desk.t.request('POST', `/api/v1/widgets/${widget.id}/rotate-secret`, {
      token: admin.token,
      body: {},
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(widget.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - clock).toBe(24 * HOUR);
    expect(
      (await openSession({ widgetId: widget.id, token: await identityToken(widget.secret) })).status,
    ).toBe(201);
    expect(
      (await openSession({ widgetId: widget.id, token: await identityToken(rotated.body.secret) })).status,
    ).toBe(201);
    const started = clock;
    clock += 24 * HOUR + 1000;
    try {
      const late = await openSession({ widgetId: widget.id, token: await identityToken(widget.secret) });
      expect([late.status, late.body.error?.code]).toEqual([401, 'widget/identity_invalid']);
      expect(
        (await openSession({ widgetId: widget.id, token: await identityToken(rotated.body.secret) })).status,
      ).toBe(201);
    } finally {
      clock = started; // the staff's access tokens were issued before
    }
  });
});

describe('POST /widget/v1/sessions: widgets, origins, limits', () => {
  it('refuses an unknown widget, a disabled one, an unlisted origin and a missing one with 403', async () => {
    const widget = await createWidget();
    const unknown = await openSession({ widgetId: '00000000-0000-4000-8000-000000000001' });
    expect([unknown.status, unknown.body.error.code]).toEqual([403, 'widget/not_found']);
    const elsewhere = await openSession({ widgetId: widget.id }, { origin: 'https://evil.example' });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([403, 'widget/origin_not_allowed']);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const prefix = await openSession({ widgetId: widget.id }, { origin: `${ORIGIN}.evil.example` });
    expect(prefix.body.error?.code).toBe('widget/origin_not_allowed');
    const missing = await openSession({ widgetId: widget.id }, { origin: null });
    expect([missing.status, missing.body.error.code]).toEqual([403, 'widget/origin_not_allowed']);
    await desk.t.request('PATCH', `/api/v1/widgets/${widget.id}`, {
      token: admin.token,
      body: { enabled: false },
    });
    const disabled = await openSession({ widgetId: widget.id });
    expect([disabled.status, disabled.body.error.code]).toEqual([403, 'widget/disabled']);
  });

  it('answers CORS for the widget’s own origins only', async () => {
    const widget = await createWidget({ allowedOrigins: ['https://cors.example.ir'] });
    const ok = await openSession({ widgetId: widget.id }, { origin: 'https://cors.example.ir' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://cors.example.ir');
    // Data, never a page: the API's own security headers.
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const preflight = (origin: string) =>
      fetch(`${desk.t.url}/widget/v1/sessions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight('https://cors.example.ir')).headers.get('access-control-allow-origin')).toBe(
      'https://cors.example.ir',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits sessions per IP address', async () => {
    const widget = await createWidget();
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await openSession({ widgetId: widget.id }, { ip })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect((await openSession({ widgetId: widget.id }, { ip: freshIp() })).status).toBe(201);
  });

  it('stores nothing for an anonymous visitor, and resumes their visitor id', async () => {
    const widget = await createWidget({ identityMode: 'optional' });
    const before = await rowCounts();
    const first = await openSession({ widgetId: widget.id });
    const again = await openSession({ widgetId: widget.id, visitorToken: first.body.sessionToken });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.visitorId).toBe(first.body.visitorId);
    expect(await rowCounts()).toEqual(before);
    const claims = await desk.t.app.widget.visitorTokens.verify(first.body.sessionToken);
    expect(claims).toMatchObject({ widgetId: widget.id, visitorId: first.body.visitorId, userId: null });
    // A visitor token is never an access token.
    expect((await desk.t.request('GET', '/api/v1/users/me', { token: first.body.sessionToken })).status).toBe(
      401,
    );
  });
});

describe('widget admin routes', () => {
  it('lets admins write, supervisors read, and refuses agents and customers', async () => {
    const widget = await createWidget();
    const customer = await desk.person('customer', 'Customer');
    const read = async (token: string) =>
      (await desk.t.request('GET', `/api/v1/widgets/${widget.id}`, { token })).status;
    expect([
      await read(admin.token),
      await read(supervisor.token),
      await read(agent.token),
      await read(customer.token),
    ]).toEqual([200, 200, 403, 403]);
    const write = await desk.t.request('PATCH', `/api/v1/widgets/${widget.id}`, {
      token: supervisor.token,
      body: { name: 'Renamed' },
    });
    expect([write.status, write.body.error.code]).toEqual([403, 'widget/forbidden']);
    const list = await desk.t.request('GET', '/api/v1/widgets', { token: supervisor.token });
    expect(list.status).toBe(200);
    const listed = list.body.items.find((w: { id: string }) => w.id === widget.id);
    expect(listed.secret).toBeUndefined();
    expect(listed.snippet).toContain(widget.id);
    // Without a body, as the console's button sends it.
    expect(
      (
        await desk.t.request('POST', `/api/v1/widgets/${widget.id}/rotate-secret`, {
          token: supervisor.token,
        })
      ).status,
    ).toBe(403);
    expect(
      (await desk.t.request('POST', `/api/v1/widgets/${widget.id}/rotate-secret`, { token: admin.token }))
        .status,
    ).toBe(200);
    expect(
      (await desk.t.request('DELETE', `/api/v1/widgets/${widget.id}`, { token: supervisor.token })).status,
    ).toBe(403);
  });

  it('validates origins and the inbox, and records every write on the audit trail', async () => {
    for (const origin of [
      'https://*.example.ir',
      'https://shop.example.ir/path',
      'ftp://shop.example.ir',
      'shop.example.ir',
      'https://u:p@shop.example.ir',
    ]) {
      const res = await desk.t.request('POST', '/api/v1/widgets', {
        token: admin.token,
        body: { name: 'Bad', inboxId, allowedOrigins: [origin] },
      });
      expect([origin, res.status, res.body.error.code]).toEqual([origin, 400, 'validation/invalid']);
    }
    const normalised = await createWidget({
      allowedOrigins: ['HTTPS://Shop.Example.IR:443/', 'http://localhost:8080'],
    });
    const got = await desk.t.request('GET', `/api/v1/widgets/${normalised.id}`, { token: admin.token });
    expect(got.body.allowedOrigins).toEqual(['https://shop.example.ir', 'http://localhost:8080']);
    const noInbox = await desk.t.request('POST', '/api/v1/widgets', {
      token: admin.token,
      body: { name: 'X', inboxId: '00000000-0000-4000-8000-000000000002', allowedOrigins: [] },
    });
    expect([noInbox.status, noInbox.body.error.code]).toEqual([404, 'support/inbox_not_found']);
    await desk.t.request('PATCH', `/api/v1/widgets/${normalised.id}`, {
      token: admin.token,
      body: { identityMode: 'required' },
    });
    await desk.t.request('POST', `/api/v1/widgets/${normalised.id}/rotate-secret`, {
      token: admin.token,
      body: { graceSeconds: 60 },
    });
    expect(
      (await desk.t.request('DELETE', `/api/v1/widgets/${normalised.id}`, { token: admin.token })).status,
    ).toBe(204);
    expect(
      (await desk.t.request('GET', `/api/v1/widgets/${normalised.id}`, { token: admin.token })).status,
    ).toBe(404);
    const events = await queryRows<{ type: string; payload: unknown }>(
      desk.t.app.database.db,
      sql`select type, payload from domain_events where subject = ${`widget:${normalised.id}`} order by id`,
    );
    expect(events.map((e) => e.type)).toEqual([
      'widget.saved',
      'widget.saved',
      'widget.secret_rotated',
      'widget.deleted',
    ]);
    expect(JSON.stringify(events)).not.toContain(normalised.secret);
  });
});
