import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where a webhook may point. An admin gives a URL and the server calls it, so the URL must not
 * reach what only the server can reach (SSRF): cloud metadata (169.254.169.254), the database,
 * Redis, other hosts of the private network. The rule:
 *
 * - https only; http only to this machine's loopback, and loopback at all only with
 *   WEBHOOK_ALLOW_LOOPBACK (development and tests);
 * - no credentials in the URL;
 * - an address literal must be public; a host name must resolve to a public address when it is
 *   called — checked in the connection's own DNS lookup (`guardedLookup`), so a name cannot
 *   pass the check and then be rebound to a private address;
 * - redirects are not followed (the sender answers a 3xx as a failed attempt).
 */

export type AddressKind = 'public' | 'loopback' | 'private';

// One list per family: a BlockList also matches IPv4 addresses against IPv6 rules through their
// IPv4-mapped form (and back), which would make every IPv4 address match `::ffff:0:0/96`.
const loopback4 = new BlockList();
loopback4.addSubnet('127.0.0.0', 8, 'ipv4');
const loopback6 = new BlockList();
loopback6.addAddress('::1', 'ipv6');

/** Not public: private, shared, link-local, documentation, benchmarking, multicast, reserved. */
const nonPublic4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic4.addSubnet(network, prefix, 'ipv4');
}
const nonPublic6 = new BlockList();
for (const [network, prefix] of [
  ['::', 128],
  // IPv4-mapped and translated forms would smuggle any IPv4 address past the IPv4 list.
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic6.addSubnet(network, prefix, 'ipv6');
}

/** What an IP address is, for the rule above; anything not an address counts as private. */
export function addressKind(address: string): AddressKind {
  const family = isIP(address);
  if (family === 4) {
    if (loopback4.check(address, 'ipv4')) return 'loopback';
    return nonPublic4.check(address, 'ipv4') ? 'private' : 'public';
  }
  if (family === 6) {
    // Before the loopback check: `::ffff:127.0.0.1` is refused, not taken as loopback.
    if (nonPublic6.check(address, 'ipv6')) return 'private';
    return loopback6.check(address, 'ipv6') ? 'loopback' : 'public';
  }
  return 'private';
}

const allowedKind = (kind: AddressKind, allowLoopback: boolean) =>
  kind === 'public' || (kind === 'loopback' && allowLoopback);

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Whether the server may call this URL (the rule above, before DNS); the URL without its fragment. */
export function checkWebhookUrl(raw: string, allowLoopback: boolean): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'only https (or http to loopback) URLs' };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const kind: AddressKind | 'name' = isIP(host)
    ? addressKind(host)
    : host === 'localhost' || host.endsWith('.localhost')
      ? 'loopback'
      : 'name';
  if (kind === 'private') return { ok: false, reason: 'a private or reserved address' };
  if (kind === 'loopback' && !allowLoopback) {
    return { ok: false, reason: 'a loopback address (WEBHOOK_ALLOW_LOOPBACK is off)' };
  }
  if (url.protocol === 'http:' && kind !== 'loopback') {
    return { ok: false, reason: 'http is for loopback only; use https' };
  }
  url.hash = '';
  return { ok: true, url };
}

/** The URL as the audit trail keeps it: without a query, which may carry a token. */
export function auditUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname}`;
}

/**
 * A DNS lookup for outgoing webhook connections that answers only allowed addresses (public,
 * and loopback when allowed): the address checked is the address connected to.
 */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = addresses.filter((a) => allowedKind(addressKind(a.address), allowLoopback));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error('the host resolves to no address webhooks may call'), {
          code: 'ERR_WEBHOOK_ADDRESS_REFUSED',
        });
        callback(refused, '', 0);
        return;
      }
      if (options.all) {
        callback(null, allowed);
      } else {
        callback(null, allowed[0]!.address, allowed[0]!.family);
      }
    });
  };
}
