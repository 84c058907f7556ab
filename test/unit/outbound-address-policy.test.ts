import { describe, expect, it } from '@jest/globals';
import { outboundPolicy } from '../../functions/adapters/outbound-http';
import { functionEnv } from '../../functions/env/function-env';
import { blockedReason, type OutboundPolicy, urlTargetProblem } from '../../functions/core/outbound/address-policy';

/** The policy the outbound function composes from its parsed environment (functions/outbound/index.ts). */
const outboundPolicyFromEnv = (vars: Record<string, string>) => {
  const env = functionEnv('outbound', { TABLE_NAME: 'leadflow', ...vars });
  return outboundPolicy({
    localMode: env.house.LEADFLOW_MODE === 'local',
    allowInsecure: env.settings('outbound').OUTBOUND_ALLOW_INSECURE,
  });
};

const AWS: OutboundPolicy = { allowPrivate: false, allowHttp: false };
const LOCAL: OutboundPolicy = { allowPrivate: true, allowHttp: true };

/** [address, why it is refused on AWS (a word of the reason), allowed in local mode?] */
const TABLE: readonly [string, string, boolean][] = [
  ['0.0.0.0', 'unspecified', false],
  ['0.1.2.3', 'unspecified', false],
  ['::', 'unspecified', false],
  ['127.0.0.1', 'loopback', true],
  ['127.255.0.9', 'loopback', true],
  ['::1', 'loopback', true],
  ['10.0.0.7', 'private', true],
  ['172.16.0.1', 'private', true],
  ['172.31.255.255', 'private', true],
  ['192.168.1.1', 'private', true],
  ['fc00::1', 'private', true],
  ['fd12:3456::1', 'private', true],
  ['100.64.0.1', 'CGNAT', false],
  ['100.127.255.254', 'CGNAT', false],
  ['169.254.169.254', 'metadata', false],
  ['169.254.170.2', 'metadata', false],
  ['169.254.0.1', 'link-local', false],
  ['fe80::1', 'link-local', false],
  ['fd00:ec2::254', 'metadata', false],
  ['fd00:ec2::23', 'metadata', false],
  ['100.100.100.200', 'metadata', false],
  ['192.0.0.192', 'metadata', false],
  ['224.0.0.1', 'multicast', false],
  ['239.255.255.250', 'multicast', false],
  ['ff02::1', 'multicast', false],
  ['198.18.0.1', 'benchmarking', false],
  ['198.19.255.255', 'benchmarking', false],
  ['2001:2::1', 'benchmarking', false],
  ['192.0.2.10', 'reserved', false],
  ['198.51.100.1', 'reserved', false],
  ['203.0.113.5', 'reserved', false],
  ['240.0.0.1', 'reserved', false],
  ['255.255.255.255', 'reserved', false],
  ['2001:db8::1', 'reserved', false],
  ['2002:7f00:1::1', 'reserved', false],
  ['2001::1', 'reserved', false],
  ['100::1', 'reserved', false],
  ['64:ff9b:1::1', 'reserved', false],
  ['fec0::1', 'reserved', false],
  // IPv4-mapped, NAT64 and IPv4-compatible forms of the addresses above.
  ['::ffff:a9fe:a9fe', 'metadata', false],
  ['::ffff:169.254.169.254', 'metadata', false],
  ['::ffff:7f00:1', 'loopback', true],
  ['::ffff:10.1.2.3', 'private', true],
  ['::ffff:0.0.0.0', 'unspecified', false],
  ['64:ff9b::a9fe:a9fe', 'metadata', false],
  ['64:ff9b::127.0.0.1', 'loopback', true],
  ['64:ff9b::10.0.0.1', 'private', true],
  ['64:ff9b::c612:1', 'benchmarking', false],
  ['::7f00:1', 'loopback', false],
  ['::127.0.0.1', 'loopback', false],
  ['::a9fe:a9fe', 'metadata', false],
];

const PUBLIC = [
  '93.184.216.34',
  '8.8.8.8',
  '1.1.1.1',
  '100.63.255.255',
  '100.128.0.1',
  '172.32.0.1',
  '192.169.0.1',
  '2606:4700::1111',
  '2a00:1450:4001::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
];

describe('the outbound address policy', () => {
  it.each(TABLE)('refuses %s on AWS as %s', (address, reason) => {
    expect(blockedReason(address, AWS)).toMatch(new RegExp(reason, 'i'));
  });

  it.each(TABLE)('in local mode decides %s (%s) as allowed=%s', (address, _reason, allowedLocally) => {
    expect(blockedReason(address, LOCAL) === undefined).toBe(allowedLocally);
  });

  it.each(PUBLIC)('lets the public address %s through', (address) => {
    expect(blockedReason(address, AWS)).toBeUndefined();
  });

  it('refuses anything that is not an IP address: names are decided on what they resolve to', () => {
    expect(blockedReason('localhost', LOCAL)).toBe('not an IP address');
  });
});

const resolver = (table: Record<string, string[]>) => async (host: string) => {
  const addresses = table[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const dns = resolver({
  'hooks.crm.example': ['93.184.216.34'],
  'sneaky.example': ['93.184.216.34', '10.0.0.7'],
  'v6.example': ['fd00:ec2::254'],
  localhost: ['127.0.0.1', '::1'],
});

describe('webhook URLs', () => {
  it.each([
    ['https://[::ffff:a9fe:a9fe]/', /metadata/],
    ['https://[::ffff:7f00:1]/', /loopback/],
    ['https://[::]/', /unspecified/],
    ['https://[::127.0.0.1]/', /loopback/],
    ['https://[64:ff9b::a9fe:a9fe]/', /metadata/],
    ['https://[fd00:ec2::254]/latest/meta-data', /metadata/],
    ['https://169.254.169.254/latest/meta-data', /metadata/],
    ['https://0xa9.0xfe.0xa9.0xfe/', /metadata/],
    ['https://2852039166/', /metadata/],
    ['https://0251.0376.0251.0376/', /metadata/],
    ['https://0x7f.1/', /loopback/],
    ['https://2130706433/', /loopback/],
    ['https://127.1/', /loopback/],
    ['https://0/', /unspecified/],
    ['https://localhost/', /localhost resolves to 127\.0\.0\.1, a loopback/],
    ['https://sneaky.example/', /sneaky\.example resolves to 10\.0\.0\.7, a private/],
    ['https://v6.example/', /metadata/],
    ['https://nowhere.example/', /does not resolve/],
    ['http://hooks.crm.example/', /must be an https URL/],
    ['https://user:pw@hooks.crm.example/', /credentials/],
  ])('refuses %s on AWS', async (url, reason) => {
    expect(await urlTargetProblem(url, AWS, dns)).toMatch(reason);
  });

  it('accepts a public https URL on AWS, and a loopback http receiver only in local mode, never the metadata service', async () => {
    expect(await urlTargetProblem('https://hooks.crm.example/leadflow', AWS, dns)).toBeUndefined();
    expect(await urlTargetProblem('http://127.0.0.1:8080/hook', LOCAL, dns)).toBeUndefined();
    expect(await urlTargetProblem('http://localhost:8080/hook', LOCAL, dns)).toBeUndefined();
    expect(await urlTargetProblem('http://169.254.169.254/latest', LOCAL, dns)).toMatch(/metadata/);
    expect(await urlTargetProblem('http://[::ffff:a9fe:a9fe]/', LOCAL, dns)).toMatch(/metadata/);
  });

  it('takes local leniency only from LEADFLOW_MODE=local, never from DYNAMODB_ENDPOINT', () => {
    expect(outboundPolicyFromEnv({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual(AWS);
    expect(outboundPolicyFromEnv({ LEADFLOW_MODE: 'local' })).toEqual(LOCAL);
    // The explicit opt-in allows plain http to public hosts, nothing private.
    expect(outboundPolicyFromEnv({ OUTBOUND_ALLOW_INSECURE: 'true', DYNAMODB_ENDPOINT: 'x' })).toEqual({
      allowPrivate: false,
      allowHttp: true,
    });
  });
});
