import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { makeSubscriptionsRepository } from '../../functions/adapters/subscriptions-repository';
import { httpHandler } from '../../functions/http/middleware';
import { makeSubscriptionsApi } from '../../functions/subscriptions-api/handler';
import { freshTable } from '../support/table';

const HOSTILE_URLS = [
  'https://[::ffff:a9fe:a9fe]/',
  'https://[::ffff:7f00:1]/',
  'https://[::]/',
  'https://[::127.0.0.1]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[fd00:ec2::254]/latest/meta-data/',
  'https://169.254.169.254/latest/meta-data/',
  'https://0xa9fea9fe/',
  'https://2130706433/',
  'https://100.64.0.1/',
  'https://224.0.0.1/',
  'https://198.18.0.1/',
  'https://10.0.0.7/',
  'https://[fe80::1]/',
  'https://internal.crm.example/hook',
  'http://hooks.crm.example/hook',
];

/** DNS as the test needs it (a fault the emulator cannot produce): one public name, one pointing inside. */
const resolve = async (host: string) => {
  const table: Record<string, string> = { 'hooks.crm.example': '93.184.216.34', 'internal.crm.example': '10.1.2.3' };
  const address = table[host];
  if (!address) throw new Error(`ENOTFOUND ${host}`);
  return [{ address, family: 4 }];
};

const setup = async (env: 'aws' | 'local') => {
  const table = await freshTable('subs');
  const repo = makeSubscriptionsRepository(table.db, table.name, { cacheMs: 0 });
  let n = 0;
  const api = httpHandler(
    makeSubscriptionsApi({
      repo,
      ids: { next: () => `sub_${++n}` },
      clock: { now: () => new Date('2026-12-02T10:00:00Z') },
      outbound: {
        policy: env === 'local' ? { allowPrivate: true, allowHttp: true } : { allowPrivate: false, allowHttp: false },
        resolve,
      },
    }),
  );
  const create = async (url: string) => {
    const event = {
      version: '2.0',
      routeKey: 'POST /config/subscriptions',
      rawPath: '/config/subscriptions',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, eventTypes: ['LeadConverted'] }),
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/config/subscriptions' },
        authorizer: { jwt: { claims: { 'cognito:username': 'sam', 'cognito:groups': '[salesops]' }, scopes: [] } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const res = (await api(event, {} as Context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    return {
      status: res.statusCode,
      type: res.headers['content-type'],
      body: JSON.parse(res.body) as { errors?: { field: string; reason: string }[] },
    };
  };
  return { repo, create };
};

describe('POST /config/subscriptions against SSRF', () => {
  it.each(HOSTILE_URLS)('refuses %s with 422 naming the url field, and stores nothing', async (url) => {
    const { repo, create } = await setup('aws');

    const res = await create(url);

    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'url', reason: expect.any(String) }]);
    expect(await repo.subscriptions()).toEqual([]);
  });

  it('accepts a public https URL, and in local mode a loopback http receiver but not the metadata service', async () => {
    expect((await (await setup('aws')).create('https://hooks.crm.example/hook')).status).toBe(201);
    const local = await setup('local');
    expect((await local.create('http://127.0.0.1:8080/hook')).status).toBe(201);
    expect((await local.create('http://169.254.169.254/latest/meta-data/')).status).toBe(422);
    expect((await local.create('http://[::ffff:a9fe:a9fe]/')).status).toBe(422);
  });
});
