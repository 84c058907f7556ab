import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { makeOutboundPost, OutboundRefused } from '../../functions/adapters/outbound-http';
import { makeSubscriptionsRepository } from '../../functions/adapters/subscriptions-repository';
import { type OutboundPolicy, urlTargetProblem } from '../../functions/core/outbound/address-policy';
import { makeEvent } from '../../functions/core/events';
import { DeliveryFailed, deliverEvent } from '../../functions/core/outbound/deliver';
import { newSigningSecret } from '../../functions/core/outbound/subscriptions';
import { freshTable } from '../support/table';

type Received = { headers: IncomingMessage['headers']; body: string };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const LOCAL: OutboundPolicy = { allowPrivate: true, allowHttp: true };
/** AWS's address policy, with plain http allowed only so these local receivers can stand in for public ones. */
const AWS_OVER_HTTP: OutboundPolicy = { allowPrivate: false, allowHttp: true };

/** A real HTTP receiver on a free port that answers `status()` and keeps what it got. */
const receiver = async (status: () => number, headers: Record<string, string> = {}) => {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status(), headers).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
};

const lead = {
  id: 'L1',
  stage: 'Converted',
  leadType: 'B2B',
  channel: 'API',
  sourceId: 'manual',
  createdAt: '2026-11-23T10:00:00.000Z',
  stageEnteredAt: '2026-11-23T10:00:00.000Z',
};
const busEvent = (type: Parameters<typeof makeEvent>[0] = 'LeadConverted', id = 'conv-L1') => {
  const e = makeEvent(type, id, '2026-11-23T11:00:00.000Z', {
    leadId: 'L1',
    opportunityId: 'opp-L1',
    contactId: 'con-L1',
    lead,
  });
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
  const deps = {
    store: repo,
    post: makeOutboundPost(LOCAL),
    now: () => new Date(),
    sleep: async () => {},
    attempts: 2,
  };
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
    expect((failure as DeliveryFailed).failures).toEqual([
      { subscriptionId: 'broken', url: broken.url, reason: 'answered 500' },
    ]);
    expect(healthy.received).toHaveLength(1);
    expect(broken.received).toHaveLength(2);
    expect((await repo.lastDeliveries('broken'))[0]).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      error: 'answered 500',
    });

    // The bus retries the invocation: the healthy subscriber is not sent the event again.
    await deliverEvent(deps, busEvent()).catch(() => undefined);
    expect(healthy.received).toHaveLength(1);
    expect(broken.received).toHaveLength(4);
  });

  it('reports an unreachable subscriber as failed without waiting on it forever', async () => {
    const { subscribe, deps } = await setup();
    await subscribe('gone', 'http://127.0.0.1:9/hook', ['LeadConverted']);
    await expect(deliverEvent({ ...deps, timeoutMs: 500 }, busEvent())).rejects.toThrow(
      /gone \(http:\/\/127\.0\.0\.1:9\/hook\)/,
    );
  });

  it('refuses at connect time a name that resolves to a blocked address, and connects to exactly the address it checked', async () => {
    const crm = await receiver(() => 200);
    const port = new URL(crm.url).port;
    // A fault the emulator cannot produce: DNS answering a private address for a public name. The
    // resolver is injected into the socket's lookup, so it also decides where the socket connects.
    const inside = async () => [{ address: '127.0.0.1', family: 4 }];
    const named = `http://hooks.crm.example:${port}/hook`;

    const refused = await makeOutboundPost(AWS_OVER_HTTP, inside)(named, {}, '{}', 2000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OutboundRefused);
    expect(String(refused)).toMatch(/hooks\.crm\.example resolves to 127\.0\.0\.1, a loopback address; refused/);
    expect(crm.received).toHaveLength(0);

    // In local mode the same name is delivered, to the address the lookup answered (the name exists nowhere else).
    expect(await makeOutboundPost(LOCAL, inside)(named, {}, '{}', 2000)).toEqual({ status: 200 });
    expect(crm.received).toHaveLength(1);
  });

  it('checks again on delivery a name that answered a public address when the subscription was created (DNS rebinding)', async () => {
    const crm = await receiver(() => 200);
    const answers = ['93.184.216.34', '127.0.0.1'];
    const rebinding = async () => [{ address: answers.shift() ?? '127.0.0.1', family: 4 }];
    const url = `http://rebind.example:${new URL(crm.url).port}/hook`;

    expect(await urlTargetProblem(url, AWS_OVER_HTTP, rebinding)).toBeUndefined();
    await expect(makeOutboundPost(AWS_OVER_HTTP, rebinding)(url, {}, '{}', 2000)).rejects.toThrow(
      /resolves to 127\.0\.0\.1/,
    );
    expect(crm.received).toHaveLength(0);
  });

  it('refuses literal loopback, IPv4-mapped and metadata addresses before connecting, the metadata ones even locally', async () => {
    const crm = await receiver(() => 200);
    const port = new URL(crm.url).port;
    for (const host of ['127.0.0.1', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]', '0x7f.1', '2130706433']) {
      await expect(
        makeOutboundPost(AWS_OVER_HTTP)(`http://${host}:${port}/hook`, {}, '{}', 2000),
        host,
      ).rejects.toThrow(/loopback address; refused/);
    }
    await expect(makeOutboundPost(LOCAL)('http://169.254.169.254/latest/meta-data', {}, '{}', 2000)).rejects.toThrow(
      /metadata/,
    );
    await expect(makeOutboundPost(LOCAL)('http://[fd00:ec2::254]/latest/meta-data', {}, '{}', 2000)).rejects.toThrow(
      /metadata/,
    );
    await expect(
      makeOutboundPost({ allowPrivate: false, allowHttp: false })('http://hooks.crm.example/', {}, '{}', 2000),
    ).rejects.toThrow(/must be an https URL/);
    expect(crm.received).toHaveLength(0);
  });

  it('does not follow a redirect: the answer is the 3xx itself', async () => {
    const inside = await receiver(() => 200);
    const redirecting = await receiver(() => 307, { location: inside.url });

    expect(await makeOutboundPost(LOCAL)(redirecting.url, {}, '{}', 2000)).toEqual({ status: 307 });
    expect(redirecting.received).toHaveLength(1);
    expect(inside.received).toHaveLength(0);
  });
});
