import { BlockList, isIP } from 'node:net';

/**
 * Where outbound webhooks may go. On AWS (`allowPrivate: false`) only public unicast addresses;
 * in local mode loopback and private networks too (test receivers on 127.0.0.1), but never the
 * cloud metadata and link-local ranges. `allowHttp` permits plain http.
 */
export type OutboundPolicy = { allowPrivate: boolean; allowHttp: boolean };

/** A subnet (network, prefix length) or an inclusive range (first, last). */
type Range = readonly [network: string, prefix: number] | readonly [first: string, last: string];
const blockList = (ranges: readonly Range[]) => {
  const list = new BlockList();
  for (const [start, end] of ranges) {
    const type = isIP(start) === 6 ? 'ipv6' : 'ipv4';
    if (typeof end === 'number') list.addSubnet(start, end, type);
    else list.addRange(start, end, type);
  }
  return list;
};

/**
 * Named address classes, first match wins. Node's BlockList also matches an IPv4-mapped IPv6 address
 * (`::ffff:a.b.c.d`) against the IPv4 rules; NAT64 and IPv4-compatible forms are unpacked below.
 */
const CLASSES: readonly { reason: string; local: 'allowed' | 'blocked'; list: BlockList }[] = [
  {
    reason: 'a cloud metadata or link-local address',
    local: 'blocked',
    list: blockList([
      ['169.254.0.0', 16],
      ['fe80::', 10],
      ['fd00:ec2::', 32],
      ['100.100.100.200', 32],
      ['192.0.0.192', 32],
    ]),
  },
  {
    reason: 'a loopback address',
    local: 'allowed',
    list: blockList([
      ['127.0.0.0', 8],
      ['::1', 128],
    ]),
  },
  {
    reason: 'a private address',
    local: 'allowed',
    list: blockList([
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['fc00::', 7],
    ]),
  },
  {
    reason: 'an unspecified address',
    local: 'blocked',
    list: blockList([
      ['0.0.0.0', 8],
      ['::', 128],
    ]),
  },
  { reason: 'a shared (CGNAT) address', local: 'blocked', list: blockList([['100.64.0.0', 10]]) },
  {
    reason: 'a multicast address',
    local: 'blocked',
    list: blockList([
      ['224.0.0.0', 4],
      ['ff00::', 8],
    ]),
  },
  {
    reason: 'a benchmarking address',
    local: 'blocked',
    list: blockList([
      ['198.18.0.0', 15],
      ['2001:2::', 48],
    ]),
  },
  {
    reason: 'a reserved or documentation address',
    local: 'blocked',
    list: blockList([
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
      // IPv4-compatible (deprecated; :: and ::1 are classed above), discard-only, IETF protocol (Teredo, ORCHID), documentation, 6to4, local-use NAT64, site-local.
      ['::2', '::ffff:ffff'],
      ['100::', 64],
      ['2001::', 23],
      ['2001:db8::', 32],
      ['3fff::', 20],
      ['2002::', 16],
      ['64:ff9b:1::', 48],
      ['fec0::', 10],
    ]),
  },
];

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted quad). */
const groupsOf = (address: string): number[] => {
  let text = address;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
};

/** The IPv4 address inside a NAT64 (64:ff9b::/96) or IPv4-compatible (::/96) IPv6 address. */
const embeddedIpv4 = (address: string): string | undefined => {
  const g = groupsOf(address);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  const compatible = g.slice(0, 6).every((x) => x === 0) && ((g[6] ?? 0) !== 0 || (g[7] ?? 0) > 1);
  if (!nat64 && !compatible) return undefined;
  const [hi = 0, lo = 0] = g.slice(6);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
};

/**
 * Why an outbound request must not connect to `address` (an IP, as resolved), or undefined when it
 * may. Anything that is not an IP address is refused: decisions are made on addresses, never names.
 */
export const blockedReason = (address: string, policy: Pick<OutboundPolicy, 'allowPrivate'>): string | undefined => {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const inner = family === 6 ? embeddedIpv4(bare) : undefined;
  for (const c of CLASSES) {
    const hit = c.list.check(bare, type) || (inner !== undefined && c.list.check(inner, 'ipv4'));
    if (hit && !(policy.allowPrivate && c.local === 'allowed'))
      return inner ? `${c.reason} (${inner} inside ${bare})` : c.reason;
  }
  // NAT64 of a public address reaches that public address.
  return undefined;
};

/** A resolver answering every address of a name (dns.lookup with `all: true`). */
export type ResolveAll = (host: string) => Promise<readonly { address: string; family: number }[]>;

/** Why a URL's scheme or form is refused before any address is looked at. */
export const schemeProblem = (url: URL, policy: OutboundPolicy): string | undefined => {
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:'))
    return policy.allowHttp ? 'must be an http(s) URL' : 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
};

/** The host of a URL when it is a literal IP (the URL parser has already normalised hex, octal and short IPv4 forms). */
export const literalAddress = (url: URL): string | undefined => {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : undefined;
};

/**
 * Why a webhook URL must not be used, or undefined: the scheme, then every address its host
 * resolves to (a literal IP is checked as it is). One blocked address refuses the whole name.
 */
export const urlTargetProblem = async (
  raw: string,
  policy: OutboundPolicy,
  resolve: ResolveAll,
): Promise<string | undefined> => {
  const url = new URL(raw);
  const early = schemeProblem(url, policy);
  if (early) return early;
  const literal = literalAddress(url);
  if (literal) {
    const reason = blockedReason(literal, policy);
    return reason ? `must not be ${reason}` : undefined;
  }
  const host = url.hostname;
  let addresses: readonly { address: string }[] = [];
  try {
    addresses = await resolve(host);
  } catch {
    // An unresolvable name is refused below, like one without addresses.
  }
  if (addresses.length === 0) return `host ${host} does not resolve`;
  for (const { address } of addresses) {
    const reason = blockedReason(address, policy);
    if (reason) return `host ${host} resolves to ${address}, ${reason}`;
  }
  return undefined;
};
