import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, the scheme receivers check (docs/support.md, "Webhooks"):
 *
 *   Abrik-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The key is the secret exactly as shown (`whsec_…`, as UTF-8). Signing the time with the body
 * lets a receiver refuse a captured request replayed later: it accepts only a `t` within its
 * tolerance of its own clock. A receiver copies `verifySignature` or ports its dozen lines.
 */

/** The default replay window a receiver allows, either side of its clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new webhook secret: 32 random bytes, base64url, with a prefix that says what it is. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `"<t>.<body>"` under the secret. */
function digest(secret: string, body: string | Buffer, t: number): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The `Abrik-Signature` header value for a body sent at `t` (unix seconds). */
export function signPayload(secret: string, body: string | Buffer, t: number): string {
  return `t=${t},v1=${digest(secret, body, t)}`;
}

/**
 * True when `header` signs exactly `body` under `secret` and its time is within
 * `toleranceSeconds` of `nowSeconds` (either side: a clock ahead is refused as well as an old
 * request). Compares in constant time; any `v1` may match (a sender may add more, in time).
 * Give the raw body as received, before any JSON parsing.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(digest(secret, body, t), 'hex');
  let ok = false;
  for (const signature of signatures) {
    // Every candidate is compared, so the time taken does not tell which one matched.
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) ok = true;
  }
  return ok;
}
