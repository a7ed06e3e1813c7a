import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Webhook, type WebhookDelivery, WebhookPayloadSchema } from '@abrik/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/modules/support/webhooks/signing.js';
import { BACKENDS } from './support/databases.js';
import { type Desk, type Person, startDesk } from './support/desk.js';
import { eventually } from './support/sockets.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** A webhook receiver on 127.0.0.1: records every request; answers what a path is told to, else 200. */
async function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, { status: number; body: string }[]>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, raw, body: JSON.parse(raw) });
      const answer = answers.get(path)?.shift() ?? { status: 200, body: 'ok' };
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((r) => r.path === path),
    /** The next answers of a path, in order; then 200 again. */
    answer(path: string, ...next: { status: number; body: string }[]) {
      answers.set(path, next);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const unique = (what: string) => `/${what}-${Math.random().toString(36).slice(2, 8)}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe.each(BACKENDS)('support webhooks on %s', (backend) => {
  let desk: Desk;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let admin: Person;
  let supervisor: Person;
  let agent: Person;
  let customer: Person;
  let inboxId: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    desk = await startDesk({
      backend,
      env: {
        // Retries at the next poll, so a retried delivery takes a second, not minutes.
        WEBHOOK_RETRY_DELAY_SECONDS: '0',
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_TIMEOUT_MS: '5000',
        // Nobody loses a conversation while a test looks at its events.
        SUPPORT_REASSIGN_NO_REPLY_SECONDS: '3600',
        SUPPORT_REASSIGN_OFFLINE_SECONDS: '3600',
      },
    });
    admin = await desk.person('admin', 'Admin');
    supervisor = await desk.person('supervisor', 'Sara');
    agent = await desk.person('agent', 'Ali');
    customer = await desk.person('customer', 'Kian');
    await desk.quietAppInbox(admin);
    ({ inboxId } = await desk.team(admin, [agent], [supervisor]));
    await desk.online(agent);
  });
  afterAll(async () => {
    await desk?.close();
    await receiver?.close();
  });

  const api = (who: Person, method: string, path: string, body?: unknown) =>
    desk.t.request(method, `/api/v1/support/webhooks${path}`, {
      token: who.token,
      ...(body !== undefined ? { body } : {}),
    });

  async function webhook(path: string, events: string[], extra: Record<string, unknown> = {}) {
    const reply = await api(admin, 'POST', '', {
      name: `hook ${path}`,
      url: receiver.url(path),
      events,
      ...extra,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body as { id: string; secret: string; secretHint: string };
  }

  function expectSigned(request: Received, secret: string) {
    expect(
      verifySignature(secret, request.headers['abrik-signature'] as string, request.raw, nowSeconds()),
    ).toBe(true);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['abrik-event']).toBe(request.body.event);
    expect(request.headers['abrik-delivery']).toBe(request.body.id);
    // The body is what the protocol documents for receivers, and nothing more.
    expect(WebhookPayloadSchema.parse(request.body)).toEqual(request.body);
  }

  it('sends a conversation opened, assigned and resolved, signed, with what orders them', async () => {
    const path = unique('lifecycle');
    const hook = await webhook(path, ['support.opened', 'support.assigned', 'support.resolved']);
    const conversation = await desk.openIn(inboxId, customer);
    await desk.waitFor(conversation.id, (t) => t.assigneeId === agent.id, 'assigned to the agent');
    const resolved = await desk.t.request('POST', `/api/v1/support/conversations/${conversation.id}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(resolved.status).toBe(200);

    await eventually(() => receiver.at(path).length >= 3, 15_000, 'three deliveries');
    const requests = receiver.at(path);
    expect(requests).toHaveLength(3);
    for (const request of requests) expectSigned(request, hook.secret);
    const ordered = [...requests].sort((a, b) => a.body.sequence - b.body.sequence).map((r) => r.body);
    expect(ordered.map((b) => b.event)).toEqual(['support.opened', 'support.assigned', 'support.resolved']);
    const times = ordered.map((b) => Date.parse(b.occurredAt));
    expect(times[0]).toBeLessThanOrEqual(times[1]!);
    expect(times[1]).toBeLessThanOrEqual(times[2]!);
    expect(ordered[0]).toMatchObject({
      data: { conversationId: conversation.id, actorId: customer.id, linkedFrom: null },
    });
    expect(ordered[1]).toMatchObject({
      data: { conversationId: conversation.id, actorId: null, fromId: null, toId: agent.id },
    });
    expect(ordered[2]).toMatchObject({
      data: { conversationId: conversation.id, actorId: agent.id, from: 'open' },
    });
    // Nothing of the customer's but their conversation: no phone number.
    for (const request of requests) expect(request.raw).not.toContain(customer.auth.user.phone.slice(1));

    // The receiver has answered; the job marks each delivered right after.
    let deliveries = await api(supervisor, 'GET', `/${hook.id}/deliveries`);
    await eventually(
      async () => {
        deliveries = await api(supervisor, 'GET', `/${hook.id}/deliveries`);
        return (deliveries.body.items as WebhookDelivery[]).every((d) => d.status !== 'pending');
      },
      15_000,
      'the deliveries marked',
    );
    expect(deliveries.status).toBe(200);
    const items = deliveries.body.items as WebhookDelivery[];
    expect(items.map((d) => d.event).sort()).toEqual([
      'support.assigned',
      'support.opened',
      'support.resolved',
    ]);
    expect(items.map((d) => Number(d.id))).toEqual(items.map((d) => Number(d.id)).sort((a, b) => b - a));
    for (const item of items) {
      expect(item).toMatchObject({
        webhookId: hook.id,
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
      });
      expect(item.lastError).toBeNull();
      expect(item.deliveredAt).not.toBeNull();
      expect(requests.map((r) => r.body.id)).toContain(item.id);
    }
  });

  it('retries a receiver that answered 500, then delivers, counting the attempts', async () => {
    const path = unique('flaky');
    receiver.answer(path, { status: 500, body: 'not now' });
    const hook = await webhook(path, ['support.opened']);
    const conversation = await desk.openIn(inboxId, customer);

    await eventually(() => receiver.at(path).length >= 2, 15_000, 'a retry');
    const [first, second] = receiver.at(path);
    expect(first!.body.data.conversationId).toBe(conversation.id);
    // The same delivery again: the receiver can tell a retry by its id.
    expect(second!.headers['abrik-delivery']).toBe(first!.headers['abrik-delivery']);
    expect(second!.raw).toBe(first!.raw);
    expectSigned(second!, hook.secret);
    await eventually(
      async () => (await api(admin, 'GET', `/${hook.id}/deliveries`)).body.items[0]?.status === 'delivered',
      10_000,
      'the delivery to be marked delivered',
    );
    const [delivery] = (await api(admin, 'GET', `/${hook.id}/deliveries`)).body.items;
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(receiver.at(path)).toHaveLength(2);
  });

  it('marks a delivery failed after its last attempt, with the last answer and without the secret', async () => {
    const path = unique('down');
    const hook = await webhook(path, ['support.opened']);
    const refusal = { status: 503, body: `bad signature for ${hook.secret}` };
    receiver.answer(path, refusal, refusal, refusal, refusal);
    await desk.openIn(inboxId, customer);

    await eventually(
      async () => (await api(admin, 'GET', `/${hook.id}/deliveries`)).body.items[0]?.status === 'failed',
      20_000,
      'the delivery to fail for good',
    );
    const [delivery] = (await api(admin, 'GET', `/${hook.id}/deliveries`)).body.items;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, deliveredAt: null });
    expect(delivery.lastError).toMatch(/^HTTP 503: bad signature for \[redacted\]/);
    expect(delivery.lastError).not.toContain(hook.secret);
    expect(receiver.at(path)).toHaveLength(3);
  });

  it('sends nothing to a disabled webhook nor to one not subscribed to the event', async () => {
    const [disabledPath, otherEventPath, sentinelPath] = [unique('off'), unique('other'), unique('on')];
    const disabled = await webhook(disabledPath, ['support.opened'], { enabled: false });
    const otherEvent = await webhook(otherEventPath, ['support.csat_received', 'support.sla_breached']);
    await webhook(sentinelPath, ['support.opened']);
    const conversation = await desk.openIn(inboxId, customer);

    // One listener run gives every subscribed webhook its delivery at once: once the sentinel's
    // arrived, the others would have theirs.
    await eventually(
      () => receiver.at(sentinelPath).some((r) => r.body.data.conversationId === conversation.id),
      15_000,
      'the sentinel delivery',
    );
    for (const hook of [disabled, otherEvent]) {
      expect((await api(admin, 'GET', `/${hook.id}/deliveries`)).body.items).toEqual([]);
    }
    expect(receiver.at(disabledPath)).toEqual([]);
    expect(receiver.at(otherEventPath)).toEqual([]);
  });

  it('sends a signed ping on test, with the secret of the moment after a rotation', async () => {
    const path = unique('ping');
    const hook = await webhook(path, ['support.resolved']);
    const rotated = await api(admin, 'POST', `/${hook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(rotated.body.secretHint).toBe(rotated.body.secret.slice(-4));

    const test = await api(admin, 'POST', `/${hook.id}/test`);
    expect(test.status).toBe(202);
    await eventually(() => receiver.at(path).length === 1, 15_000, 'the ping');
    const [ping] = receiver.at(path);
    expect(ping!.body).toMatchObject({ event: 'ping', data: { webhookId: hook.id } });
    expectSigned(ping!, rotated.body.secret);
    expect(
      verifySignature(hook.secret, ping!.headers['abrik-signature'] as string, ping!.raw, nowSeconds()),
    ).toBe(false);
  });

  it('shows the secret on create and rotate only, and records every change without it', async () => {
    const hook = await webhook(unique('secret'), ['support.opened']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = await api(supervisor, 'GET', '');
    expect(list.status).toBe(200);
    const listed = (list.body.items as Webhook[]).find((w) => w.id === hook.id);
    expect(listed).toMatchObject({
      secretHint: hook.secret.slice(-4),
      enabled: true,
      events: ['support.opened'],
    });
    expect(JSON.stringify(list.body)).not.toContain(hook.secret);

    const patched = await api(admin, 'PATCH', `/${hook.id}`, {
      enabled: false,
      url: `${receiver.url('/moved')}?token=abc123`,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, url: `${receiver.url('/moved')}?token=abc123` });
    expect(patched.body.secret).toBeUndefined();
    const rotated = await api(admin, 'POST', `/${hook.id}/rotate-secret`);
    expect((await api(admin, 'DELETE', `/${hook.id}`)).status).toBe(204);
    expect((await api(admin, 'GET', `/${hook.id}/deliveries`)).status).toBe(404);

    const audit = await desk.t.request('GET', `/api/v1/audit?subject=support-webhook:${hook.id}`, {
      token: admin.token,
    });
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e: any) => [e.type, e.payload.action, e.actorId])).toEqual([
      ['support.webhook_saved', 'deleted', admin.id],
      ['support.webhook_saved', 'secret_rotated', admin.id],
      ['support.webhook_saved', 'updated', admin.id],
      ['support.webhook_saved', 'created', admin.id],
    ]);
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(hook.secret);
    expect(text).not.toContain(rotated.body.secret);
    expect(text).not.toContain('abc123');
  });

  it('lets admins manage webhooks, supervisors read them, and nobody else either', async () => {
    const hook = await webhook(unique('perm'), ['support.opened']);
    const writes: [string, string, unknown?][] = [
      ['POST', '', { name: 'x', url: receiver.url('/x'), events: ['support.opened'] }],
      ['PATCH', `/${hook.id}`, { enabled: false }],
      ['DELETE', `/${hook.id}`],
      ['POST', `/${hook.id}/rotate-secret`],
      ['POST', `/${hook.id}/test`],
    ];
    const reads: [string, string][] = [
      ['GET', ''],
      ['GET', `/${hook.id}/deliveries`],
    ];
    for (const who of [customer, agent]) {
      for (const [method, path, body] of [...writes, ...reads]) {
        const reply = await api(who, method, path, body);
        expect(reply.status, `${who.auth.user.role} ${method} ${path}`).toBe(403);
        expect(reply.body.error.code).toBe('support/forbidden');
      }
    }
    for (const [method, path, body] of writes) {
      const reply = await api(supervisor, method, path, body);
      expect(reply.status, `supervisor ${method} ${path}`).toBe(403);
    }
    for (const [method, path] of reads) expect((await api(supervisor, method, path)).status).toBe(200);
    expect((await desk.t.request('GET', '/api/v1/support/webhooks')).status).toBe(401);

    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path, body] of [
      ['PATCH', `/${missing}`, { enabled: true }],
      ['DELETE', `/${missing}`],
      ['POST', `/${missing}/rotate-secret`],
      ['POST', `/${missing}/test`],
      ['GET', `/${missing}/deliveries`],
    ] as [string, string, unknown?][]) {
      const reply = await api(admin, method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.body.error.code).toBe('support/webhook_not_found');
    }
    expect((await api(admin, 'GET', '/not-a-uuid/deliveries')).status).toBe(400);
  });

  it('refuses URLs it may not call and other bad input, with a code and a message', async () => {
    for (const url of [
      'http://hooks.example.com/abrik',
      'https://10.0.0.5/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://192.168.1.10/',
      'https://[fd00::1]/',
      'https://user:pass@hooks.example.com/',
      'ftp://hooks.example.com/',
    ]) {
      const reply = await api(admin, 'POST', '', { name: 'bad', url, events: ['support.opened'] });
      expect(reply.status, url).toBe(400);
      expect(reply.body.error.code, url).toBe('support/webhook_url_not_allowed');
      expect(reply.body.error.message).toEqual(expect.any(String));
    }
    const hook = await webhook(unique('valid'), ['support.opened']);
    const moved = await api(admin, 'PATCH', `/${hook.id}`, { url: 'https://172.16.0.1/' });
    expect(moved.status).toBe(400);
    expect(moved.body.error.code).toBe('support/webhook_url_not_allowed');

    for (const body of [
      { name: 'x', url: 'not a url', events: ['support.opened'] },
      { name: 'x', url: receiver.url('/x'), events: [] },
      { name: 'x', url: receiver.url('/x'), events: ['support.deleted'] },
      { name: 'x', url: receiver.url('/x'), events: ['ping'] },
      { name: '', url: receiver.url('/x'), events: ['support.opened'] },
      { url: receiver.url('/x'), events: ['support.opened'] },
    ]) {
      const reply = await api(admin, 'POST', '', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.code).toBe('validation/invalid');
    }
    const empty = await api(admin, 'PATCH', `/${hook.id}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('validation/invalid');
    const limit = await api(admin, 'GET', `/${hook.id}/deliveries?limit=101`);
    expect(limit.status).toBe(400);
  });
});
