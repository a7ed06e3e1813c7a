import { CLIENT_EVENTS, ERROR_CODES } from '@abrik/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AuthResult, startTestApp, type TestApp, uniquePhone } from './support/app.js';
import { type JsonSchema, nearValid } from './support/arbitrary.js';
import { type ClientSocket, connect } from './support/sockets.js';

const KNOWN_CODES = new Set<string>(ERROR_CODES);
/** Runs per route or event: enough to reach every branch of the schemas, quick enough for npm test. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
/**
 * A fixed seed in `npm test`, so a run fails for a reason that a re-run shows again; set
 * FUZZ_SEED to another number (or `random`) to explore further (the seed is printed on failure).
 */
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261205);

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: JsonSchema }[];
  body: JsonSchema | undefined;
}

/**
 * Property-based fuzzing of every HTTP route (from the OpenAPI document the zod schemas produce)
 * and every socket event (from the same zod schemas): random valid and near-valid input never
 * gives a 5xx or a crash, every refusal is `{error: {code, message}}` with a known code, and what
 * is accepted reads back the same.
 */
describe('fuzzing the API and the socket from the protocol’s schemas', () => {
  let t: TestApp;
  let admin: AuthResult;
  let bob: AuthResult;
  let conversationId: string;
  let messageId: string;
  let operations: Operation[];
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const phone = uniquePhone();
    await t.app.identity.users.createWithRole(phone, 'admin', 'Admin');
    admin = await t.signIn(phone);
    bob = await t.signIn(uniquePhone(), 'Bob');
    const direct = await t.request('POST', '/api/v1/conversations', {
      token: admin.accessToken,
      body: { kind: 'direct', userId: bob.user.id },
    });
    conversationId = direct.body.id;
    const sent = await t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: admin.accessToken,
      body: { clientMsgId: 'seed', body: 'seed' },
    });
    messageId = sent.body.id;
    const spec = (await t.request('GET', '/api/docs/json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Operation['params'];
            requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
          }
        >
      >;
    };
    operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
      })),
    );
  });
  afterAll(async () => {
    process.stdout.write(`fuzz: HTTP answers by status ${JSON.stringify(statuses)}\n`);
    await t?.close();
  });

  const idOrJunk = () =>
    fc.oneof(
      fc.constantFrom(conversationId, messageId, admin.user.id, bob.user.id),
      fc.uuid(),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
    );

  it('no route answers a 5xx or anything but the error shape, whatever it is sent', async () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(...pathParams.map(() => idOrJunk())),
          fc.record(Object.fromEntries(queryParams.map((p) => [p.name, nearValid(p.schema)])), {
            requiredKeys: [],
          }),
          op.body ? nearValid(op.body) : fc.constant(undefined),
          fc.boolean(),
          async (ids, query, body, signedIn) => {
            let path = op.path;
            pathParams.forEach((p, i) => {
              path = path.replace(`{${p.name}}`, String(ids[i]));
            });
            const search = new URLSearchParams();
            for (const [name, value] of Object.entries(query)) {
              if (value !== undefined)
                search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
            }
            const url = search.size > 0 ? `${path}?${search}` : path;
            const reply = await t.request(op.method, url, {
              ...(signedIn ? { token: admin.accessToken } : {}),
              ...(body !== undefined ? { body } : {}),
            });
            statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
            const where = `${op.method} ${url.slice(0, 200)} ${JSON.stringify(body)?.slice(0, 200)}`;
            expect(reply.status, where).toBeLessThan(500);
            if (reply.status >= 400 && !op.path.startsWith('/api/docs')) {
              expect(
                KNOWN_CODES.has(reply.body?.error?.code),
                `${where} → ${JSON.stringify(reply.body)}`,
              ).toBe(true);
              expect(typeof reply.body.error.message).toBe('string');
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    }
    expect((await t.request('GET', '/health')).status).toBe(200);
  }, 300_000);

  it('no socket event crashes the connection or answers outside the ack shape', async () => {
    const socket: ClientSocket = await connect(t.url, bob.accessToken);
    const raw = socket as unknown as {
      timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
      emit(event: string, payload: unknown): void;
    };
    for (const [event, spec] of Object.entries(CLIENT_EVENTS)) {
      const schema = z.toJSONSchema(spec.payload, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      await fc.assert(
        // Up to 20,000 Persian letters (40 kB): larger frames are cut off by SOCKET_MAX_PAYLOAD_BYTES by design.
        fc.asyncProperty(nearValid(schema, 20_000), async (payload) => {
          if (!('ack' in spec)) {
            raw.emit(event, payload);
            return;
          }
          const ack = (await raw.timeout(10_000).emitWithAck(event, payload)) as {
            ok: boolean;
            error?: { code: string; message: string };
          };
          if (!ack.ok) {
            expect(
              KNOWN_CODES.has(ack.error?.code ?? ''),
              `${event} ${JSON.stringify(payload)?.slice(0, 200)}`,
            ).toBe(true);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }
    expect(socket.connected).toBe(true);
    socket.close();
  }, 300_000);

  it('a body that is accepted reads back exactly (NFC), whatever text it is', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }), async (text) => {
        const clientMsgId = `fuzz-${n++}`;
        const reply = await t.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
          token: admin.accessToken,
          body: { clientMsgId, body: text },
        });
        expect([201, 400], JSON.stringify(text)).toContain(reply.status);
        if (reply.status !== 201) return;
        const page = await t.request(
          'GET',
          `/api/v1/conversations/${conversationId}/messages?after=${reply.body.seq - 1}&limit=1`,
          {
            token: bob.accessToken,
          },
        );
        expect(page.body.items[0].body).toBe(text.normalize('NFC'));
      }),
      { numRuns: RUNS * 4, seed: SEED },
    );
  }, 120_000);
});
