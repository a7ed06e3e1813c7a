import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, signPayload, verifySignature } from './signing.js';

const secret = 'whsec_test-secret-for-the-unit-test';
const body = JSON.stringify({ id: '1', event: 'support.opened', data: { conversationId: 'c' } });
const t = 1_750_000_000;

describe('webhook signing', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 of the secret, as the documented header', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signPayload(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the window, from a string or the raw bytes', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, header, body, t)).toBe(true);
    expect(verifySignature(secret, header, Buffer.from(body), t + 299)).toBe(true);
    expect(verifySignature(secret, header, body, t - 300)).toBe(true);
  });

  it('refuses a tampered body', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, header, body.replace('opened', 'resolved'), t)).toBe(false);
    expect(verifySignature(secret, header, `${body} `, t)).toBe(false);
  });

  it('refuses another secret', () => {
    const header = signPayload(generateSecret(), body, t);
    expect(verifySignature(secret, header, body, t)).toBe(false);
  });

  it('refuses a timestamp older than the tolerance (a replay)', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, header, body, t + 301)).toBe(false);
    expect(verifySignature(secret, header, body, t + 3600, 3600)).toBe(true);
  });

  it('refuses a timestamp from the future beyond the tolerance', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, header, body, t - 301)).toBe(false);
  });

  it('refuses a valid signature moved to another time', () => {
    const v1 = signPayload(secret, body, t).split(',')[1];
    expect(verifySignature(secret, `t=${t + 10},${v1}`, body, t + 10)).toBe(false);
  });

  it('refuses missing and malformed headers', () => {
    const v1 = signPayload(secret, body, t).split(',')[1]!;
    for (const header of [undefined, null, '', `t=${t}`, v1, `t=abc,${v1}`, `t=${t},v1=zz`, 'garbage']) {
      expect(verifySignature(secret, header, body, t)).toBe(false);
    }
  });

  it('accepts a header with several v1 signatures when one matches', () => {
    const good = signPayload(secret, body, t).split(',')[1];
    const other = signPayload('whsec_other', body, t).split(',')[1];
    expect(verifySignature(secret, `t=${t},${other},${good}`, body, t)).toBe(true);
    expect(verifySignature(secret, `t=${t},${other}`, body, t)).toBe(false);
  });

  it('generates secrets of 32 random bytes with the whsec_ prefix', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });
});
