import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { addressKind, auditUrl, checkWebhookUrl, guardedLookup } from './destination.js';

describe('webhook destinations', () => {
  it('tells public, loopback and private addresses apart', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '185.143.232.1']) {
      expect(addressKind(ip), ip).toBe('public');
    }
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1']) expect(addressKind(ip), ip).toBe('loopback');
    for (const ip of [
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-ip',
    ]) {
      expect(addressKind(ip), ip).toBe('private');
    }
  });

  it('takes https to public hosts and names', () => {
    for (const url of [
      'https://hooks.example.com/abrik',
      'https://8.8.8.8:8443/x?token=1',
      'https://[2606:4700::1]/',
    ]) {
      expect(checkWebhookUrl(url, false)).toMatchObject({ ok: true });
    }
  });

  it('drops the fragment', () => {
    const check = checkWebhookUrl('https://hooks.example.com/a#b', false);
    expect(check.ok && check.url.toString()).toBe('https://hooks.example.com/a');
  });

  it('refuses other schemes, credentials, private addresses and plain http to the internet', () => {
    for (const url of [
      'ftp://hooks.example.com/',
      'file:///etc/passwd',
      'https://user:pass@hooks.example.com/',
      'https://10.1.2.3/',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/',
      'https://[::ffff:7f00:1]/',
      'http://hooks.example.com/',
      'http://8.8.8.8/',
      'not a url',
    ]) {
      expect(checkWebhookUrl(url, true).ok, url).toBe(false);
    }
  });

  it('takes loopback, over http too, only when allowed', () => {
    for (const url of [
      'http://127.0.0.1:9000/hook',
      'https://localhost/hook',
      'http://[::1]:80/',
      'http://a.localhost/',
    ]) {
      expect(checkWebhookUrl(url, true).ok, url).toBe(true);
      expect(checkWebhookUrl(url, false).ok, url).toBe(false);
    }
  });

  it('keeps no query in the audit copy of a URL', () => {
    expect(auditUrl('https://hooks.example.com/a/b?token=secret')).toBe('https://hooks.example.com/a/b');
  });

  const resolve = (lookup: ReturnType<typeof guardedLookup>, host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) =>
      lookup(host, { all }, (error, address) => done({ error, address })),
    );

  it('answers connections with loopback addresses only when loopback is allowed', async () => {
    const refused = await resolve(guardedLookup(false), 'localhost', false);
    expect(refused.error?.code).toBe('ERR_WEBHOOK_ADDRESS_REFUSED');
    const allowed = await resolve(guardedLookup(true), 'localhost', true);
    expect(allowed.error).toBeNull();
    expect((allowed.address as LookupAddress[]).map((a) => addressKind(a.address))).toContain('loopback');
    const one = await resolve(guardedLookup(true), 'localhost', false);
    expect(addressKind(one.address as string)).toBe('loopback');
  });
});
