import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from '@jest/globals';
import { guardedHttpPost, httpPost, makeSubscriptionsRepository } from '../../functions/adapters/subscriptions-repository';
import { makeEvent } from '../../functions/core/events';
import { DeliveryFailed, deliverEvent } from '../../functions/core/outbound/deliver';
import { newSigningSecret } from '../../functions/core/outbound/subscriptions';
import { freshTable } from '../support/table';

type Received = { headers: IncomingMessage['headers']; body: string };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real HTTP receiver on a free port that answers `status()` and keeps what it got. */
const receiver = async (status: () => number) => {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status()).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
};

const lead = { id: 'L1', stage: 'Converted', leadType: 'B2B', channel: 'API', sourceId: 'manual', createdAt: '2026-11-23T10:00:00.000Z', stageEnteredAt: '2026-11-23T10:00:00.000Z' };
const busEvent = (type: Parameters<typeof makeEvent>[0] = 'LeadConverted', id = 'conv-L1') => {
  const e = makeEvent(type, id, '2026-11-23T11:00:00.000Z', { leadId: 'L1', opportunityId: 'opp-L1', contactId: 'con-L1', lead });
  return { 'detail-type': type, detail: e.detail };
};

const setup = async () => {
  const table = await freshTable('outbound');
  const repo = makeSubscriptionsRepository(table.db, table.name, { cacheMs: 0 });
  const subscribe = async (id: string, url: string, eventTypes: ('LeadConverted' | 'LeadCreated' | '*')[]) => {
    const secret = newSigningSecret();
    await repo.create({ id, url, eventTypes, secret, createdAt: '2026-11-23T10:00:00Z', createdBy: 'sally' });
    return secret;
  };
  const deps = { store: repo, post: httpPost, now: () => new Date(), sleep: async () => {}, attempts: 2 };
  return { repo, subscribe, deps };
};

describe('outbound webhooks to local HTTP receivers', () => {
  it('delivers a Standard Webhooks signed POST that the receiver can verify with its secret', async () => {
    const { subscribe, deps, repo } = await setup();
    const crm = await receiver(() => 204);
    const secret = await subscribe('crm', crm.url, ['LeadConverted']);

    await deliverEvent(deps, busEvent());

    expect(crm.received).toHaveLength(1);
    const [hit] = crm.received;
    const verified = new Webhook(secret).verify(String(hit?.body), {
      'webhook-id': String(hit?.headers['webhook-id']),
      'webhook-timestamp': String(hit?.headers['webhook-timestamp']),
      'webhook-signature': String(hit?.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'LeadConverted', data: { opportunityId: 'opp-L1' } });
    expect(hit?.headers['webhook-id']).toBe('conv-L1');
    expect((await repo.lastDeliveries('crm'))[0]).toMatchObject({ outcome: 'delivered', status: 204, attempts: 1 });
  });

  it('sends only the event types a subscription asked for', async () => {
    const { subscribe, deps } = await setup();
    const crm = await receiver(() => 200);
    await subscribe('crm', crm.url, ['LeadConverted']);
    await deliverEvent(deps, busEvent('LeadCreated', 'created-L1'));
    expect(crm.received).toHaveLength(0);
  });

  it('delivers to healthy subscribers while a failing one is retried and then reported with its reason', async () => {
    const { subscribe, deps, repo } = await setup();
    const healthy = await receiver(() => 200);
    const broken = await receiver(() => 500);
    await subscribe('warehouse', healthy.url, ['*']);
    await subscribe('broken', broken.url, ['LeadConverted']);

    const failure = await deliverEvent(deps, busEvent()).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(DeliveryFailed);
    expect((failure as DeliveryFailed).failures).toEqual([{ subscriptionId: 'broken', url: broken.url, reason: 'answered 500' }]);
    expect(healthy.received).toHaveLength(1);
    expect(broken.received).toHaveLength(2);
    expect((await repo.lastDeliveries('broken'))[0]).toMatchObject({ outcome: 'failed', attempts: 2, error: 'answered 500' });

    // The bus retries the invocation: the healthy subscriber is not sent the event again.
    await deliverEvent(deps, busEvent()).catch(() => undefined);
    expect(healthy.received).toHaveLength(1);
    expect(broken.received).toHaveLength(4);
  });

  it('reports an unreachable subscriber as failed without waiting on it forever', async () => {
    const { subscribe, deps } = await setup();
    await subscribe('gone', 'http://127.0.0.1:9/hook', ['LeadConverted']);
    await expect(deliverEvent({ ...deps, timeoutMs: 500 }, busEvent())).rejects.toThrow(/gone \(http:\/\/127\.0\.0\.1:9\/hook\)/);
  });

  it('refuses to post to a public name that resolves to a private address, except locally', async () => {
    const crm = await receiver(() => 200);
    const sneaky = crm.url.replace('127.0.0.1', 'hooks.crm.example');
    const resolvesInside = async () => [{ address: '10.0.0.7', family: 4 }];
    await expect(guardedHttpPost(false, resolvesInside)(sneaky, {}, '{}', 1000)).rejects.toThrow(/resolves to a private address \(10\.0\.0\.7\)/);
    await expect(guardedHttpPost(false)(crm.url, {}, '{}', 1000)).rejects.toThrow(/private address/);
    expect(await guardedHttpPost(true)(crm.url, {}, '{}', 1000)).toEqual({ status: 200 });
    expect(crm.received).toHaveLength(1);
  });
});
