import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  type ECDH,
  type KeyObject,
  randomBytes,
  verify,
} from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a browser hands the application server: `PushSubscription.toJSON()` without expirationTime. */
export interface FakeWebPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A push message the fake accepted: it decrypted the body with the subscription's private keys. */
export interface FakeWebPushReceived {
  /** The subscription id, the last segment of its endpoint. */
  id: string;
  headers: IncomingHttpHeaders;
  /** The decrypted plaintext parsed as JSON; undefined when it is not JSON. */
  payload: unknown;
  /** The decrypted plaintext. */
  text: string;
  /** The verified VAPID identity: `k` and the JWT claims. */
  vapid: { k: string; claims: { aud: string; exp: number; sub: string } };
}

/** A push message the fake refused as a real push service would, with the reason. */
export interface FakeWebPushRejection {
  id: string;
  status: number;
  reason: string;
}

export interface FakeWebPush {
  /** The push service origin, e.g. `http://127.0.0.1:40123` (the VAPID `aud`). */
  url: string;
  /** Every POST to a push resource, in arrival order, whatever it was answered. */
  requests: { id: string; headers: IncomingHttpHeaders }[];
  received: FakeWebPushReceived[];
  rejected: FakeWebPushRejection[];
  /**
   * A new subscription as a browser makes it: the fake keeps the ECDH private key and the auth
   * secret, the caller gets the public parts. With `applicationServerKey` the subscription is
   * restricted (RFC 8292 §4): only VAPID tokens with that `k` are accepted.
   */
  subscribe(options?: { applicationServerKey?: string }): FakeWebPushSubscription;
  /** The subscription's endpoint answers 410 Gone from now on, as after the user unsubscribed. */
  expire(subscription: { endpoint: string }): void;
  /** Answers the next `times` requests with `status` (and a `Retry-After` when given), checking nothing. */
  failNext(status: number, options?: { retryAfter?: string | number; body?: string }, times?: number): void;
  /** Never answers the next request (until `close`). */
  hangNext(): void;
  close(): Promise<void>;
}

/** The user agent's side of one subscription. */
interface UserAgentKeys {
  ecdh: ECDH;
  authSecret: Buffer;
  applicationServerKey: string | undefined;
  expired: boolean;
}

type Behaviour =
  | { kind: 'fail'; status: number; retryAfter: string | undefined; body: string | undefined }
  | { kind: 'hang' };

/** RFC 8030 §7.2: push services must take bodies up to 4096 bytes and may refuse larger ones. */
const MAX_BODY = 4096;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;
const PATH = /^\/push\/([A-Za-z0-9_-]+)$/;

/** Raised while checking a request: the status a push service would answer, and why. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Starts a fake Web Push service on 127.0.0.1 with an ephemeral port. It plays both ends a real
 * push service and browser would: it hands out subscriptions whose private keys it keeps, checks
 * each push request like a push service (RFC 8030 headers, RFC 8292 VAPID token) and decrypts the
 * body like a browser (RFC 8291 + RFC 8188 `aes128gcm`), with its own code on `node:crypto` so it
 * proves the sender's encryption rather than agreeing with a library that shares its mistakes.
 */
export async function startFakeWebPush(): Promise<FakeWebPush> {
  const subscriptions = new Map<string, UserAgentKeys>();
  const requests: FakeWebPush['requests'] = [];
  const received: FakeWebPushReceived[] = [];
  const rejected: FakeWebPushRejection[] = [];
  const behaviours: Behaviour[] = [];
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    const id = PATH.exec(url.pathname)?.[1];
    if (!id) return answer(res, 404);
    if (req.method !== 'POST') return answer(res, 405);
    requests.push({ id, headers: req.headers });

    const behaviour = behaviours.shift();
    if (behaviour?.kind === 'hang') return;
    if (behaviour?.kind === 'fail') {
      return answer(res, behaviour.status, behaviour.retryAfter, behaviour.body);
    }

    const subscription = subscriptions.get(id);
    try {
      // RFC 8030 §7.3: 404 for a subscription that expired; 410 once the user agent dropped it.
      if (!subscription) throw new Refusal(404, 'no such subscription');
      if (subscription.expired) throw new Refusal(410, 'the subscription expired');
      const vapid = checkVapid(req.headers.authorization, origin, subscription.applicationServerKey);
      checkHeaders(req.headers);
      if (body.length > MAX_BODY) throw new Refusal(413, `body of ${body.length} bytes exceeds ${MAX_BODY}`);
      const plaintext = decryptAes128gcm(body, {
        privateKey: subscription.ecdh.getPrivateKey(),
        authSecret: subscription.authSecret,
      });
      const text = plaintext.toString('utf8');
      received.push({ id, headers: req.headers, payload: parseJson(text), text, vapid });
      res.writeHead(201, { location: `${origin}/message/${randomBytes(12).toString('base64url')}` });
      res.end();
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      rejected.push({ id, status: error.status, reason: error.message });
      answer(res, error.status, undefined, JSON.stringify({ code: error.status, error: error.message }));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    requests,
    received,
    rejected,
    subscribe(options = {}) {
      // What a browser does on pushManager.subscribe(): a P-256 key pair and 16 random bytes.
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const id = randomBytes(24).toString('base64url');
      subscriptions.set(id, {
        ecdh,
        authSecret,
        applicationServerKey: options.applicationServerKey,
        expired: false,
      });
      return {
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
      };
    },
    expire(subscription) {
      const id = PATH.exec(new URL(subscription.endpoint).pathname)?.[1];
      const keys = id ? subscriptions.get(id) : undefined;
      if (!keys) throw new Error('expire: not a subscription of this fake');
      keys.expired = true;
    },
    failNext(status, options = {}, times = 1) {
      const retryAfter = options.retryAfter === undefined ? undefined : String(options.retryAfter);
      for (let i = 0; i < times; i++)
        behaviours.push({ kind: 'fail', status, retryAfter, body: options.body });
    },
    hangNext() {
      behaviours.push({ kind: 'hang' });
    },
    close() {
      // Hung requests keep their sockets open; close would otherwise wait for them forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Decrypts an `aes128gcm` Web Push body as a browser does (RFC 8291 §3.4 and §4 on RFC 8188 §2).
 * Throws a 400 {@link Refusal} saying what is wrong when the body is not a valid single record
 * encrypted for these keys.
 */
export function decryptAes128gcm(body: Buffer, ua: { privateKey: Buffer; authSecret: Buffer }): Buffer {
  // RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen).
  if (body.length < 21) throw new Refusal(400, 'body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  // RFC 8291 §4: keyid is the sender's ECDH public key, a 65-octet uncompressed point.
  if (idlen !== 65) throw new Refusal(400, `keyid is ${idlen} octets, not a 65-octet P-256 point`);
  if (body.length < 21 + idlen) throw new Refusal(400, 'body shorter than its keyid');
  const asPublic = body.subarray(21, 21 + idlen);
  if (asPublic[0] !== 0x04) throw new Refusal(400, 'keyid is not an uncompressed point');
  const record = body.subarray(21 + idlen);
  // RFC 8188 §2: rs >= 18; RFC 8291 §4: a single record, shorter than rs.
  if (rs < 18) throw new Refusal(400, `rs ${rs} is below the minimum of 18`);
  if (record.length >= rs) throw new Refusal(400, `the ${record.length}-octet record does not fit rs ${rs}`);
  if (record.length < 17) throw new Refusal(400, 'the record is shorter than tag and delimiter');

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(ua.privateKey);
  const uaPublic = ecdh.getPublicKey();
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = ecdh.computeSecret(asPublic);
  } catch {
    throw new Refusal(400, 'keyid is not a point on P-256');
  }

  // RFC 8291 §3.4, written out with HMAC as the RFC does:
  //   PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
  //   key_info = "WebPush: info" || 0x00 || ua_public || as_public
  //   IKM = HMAC-SHA-256(PRK_key, key_info || 0x01)
  //   PRK = HMAC-SHA-256(salt, IKM)
  //   CEK = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" || 0x00 || 0x01)[0..15]
  //   NONCE = HMAC-SHA-256(PRK, "Content-Encoding: nonce" || 0x00 || 0x01)[0..11]
  const prkKey = hmac(ua.authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  // A single record has sequence number 0, so the nonce is used as derived (RFC 8188 §2.3).
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);

  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  } catch {
    throw new Refusal(400, 'decryption failed: not encrypted for this subscription’s keys');
  }
  // RFC 8188 §2: plaintext || delimiter || zero padding; the last (only) record's delimiter is 0x02.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0) throw new Refusal(400, 'no padding delimiter');
  if (padded[end] !== 0x02)
    throw new Refusal(400, `padding delimiter is ${padded[end]}, not 2 (last record)`);
  return padded.subarray(0, end);
}

/**
 * Verifies `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §2–§4): an ES256 JWT signed by `k`,
 * `aud` the push service origin, `exp` in the future and at most 24 h away, `sub` a contact URI.
 * Absent authentication is 401, invalid authentication 403 (RFC 8292 §4.2).
 */
function checkVapid(
  authorization: string | undefined,
  origin: string,
  applicationServerKey: string | undefined,
): FakeWebPushReceived['vapid'] {
  if (!authorization) throw new Refusal(401, 'no Authorization header');
  const scheme = /^vapid\s+(.*)$/i.exec(authorization);
  if (!scheme) throw new Refusal(401, 'Authorization is not the vapid scheme');
  const params = new Map<string, string>();
  for (const part of scheme[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const t = params.get('t');
  const k = params.get('k');
  if (!t || !k) throw new Refusal(401, 'vapid authorization without t or k');

  const key = p256PublicKey(k);
  if (!key) throw new Refusal(403, 'k is not a P-256 public key');
  if (applicationServerKey !== undefined && k !== applicationServerKey) {
    throw new Refusal(403, 'k is not the applicationServerKey the subscription was made with');
  }

  const parts = t.split('.');
  if (parts.length !== 3) throw new Refusal(403, 't is not a JWS compact serialization');
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = parseJson(Buffer.from(headerPart, 'base64url').toString('utf8')) as
    | { alg?: unknown }
    | undefined;
  if (header?.alg !== 'ES256') throw new Refusal(403, 'JWT alg is not ES256');
  const signature = Buffer.from(signaturePart, 'base64url');
  const signed =
    signature.length === 64 &&
    verify(
      'sha256',
      Buffer.from(`${headerPart}.${claimsPart}`),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    );
  if (!signed) throw new Refusal(403, 'JWT signature does not verify with k');

  const claims = parseJson(Buffer.from(claimsPart, 'base64url').toString('utf8')) as
    | { aud?: unknown; exp?: unknown; sub?: unknown }
    | undefined;
  if (claims?.aud !== origin) throw new Refusal(403, `JWT aud is not the push service origin ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now)
    throw new Refusal(403, 'JWT exp is missing or past');
  if (claims.exp > now + 24 * 60 * 60) throw new Refusal(403, 'JWT exp is more than 24 hours away');
  // RFC 8292 says SHOULD; Apple's push service refuses tokens without it.
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) {
    throw new Refusal(403, 'JWT sub is not a mailto: or https: contact');
  }
  return { k, claims: { aud: claims.aud, exp: claims.exp, sub: claims.sub } };
}

/** RFC 8030 §5.2–§5.4 and RFC 8291 §4 request headers. */
function checkHeaders(headers: IncomingHttpHeaders): void {
  const ttl = headers.ttl;
  if (ttl === undefined) throw new Refusal(400, 'no TTL header');
  if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) throw new Refusal(400, 'TTL is not delta-seconds');
  const urgency = headers.urgency;
  if (urgency !== undefined && (typeof urgency !== 'string' || !URGENCIES.has(urgency))) {
    throw new Refusal(400, 'Urgency is not very-low, low, normal or high');
  }
  const topic = headers.topic;
  if (topic !== undefined && (typeof topic !== 'string' || !TOPIC.test(topic))) {
    throw new Refusal(400, 'Topic is not 1–32 URL-safe base64 characters');
  }
  if (headers['content-encoding'] !== 'aes128gcm') {
    throw new Refusal(400, 'Content-Encoding is not aes128gcm');
  }
}

/** A P-256 public key from its base64url uncompressed point; null if it is not one. */
function p256PublicKey(encoded: string): KeyObject | null {
  const point = Buffer.from(encoded, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return null;
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, retryAfter?: string, body?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(body ?? JSON.stringify({ code: status, error: STATUS_CODES[status] ?? 'Error' }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
