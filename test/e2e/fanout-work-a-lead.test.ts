import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalRuntime } from '../../local/runtime';
import { envelopeProblems } from '../support/event-schemas';
import { client, eventually, startTestRuntime } from '../support/runtime';

let rt: LocalRuntime;
let api: ReturnType<typeof client>;
const servers: Server[] = [];
beforeAll(async () => {
  rt = await startTestRuntime();
  api = client(rt);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rt?.stop();
});

const receiver = async (status: number) => {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
};

type Lead = {
  id: string;
  stage: string;
  owner?: string;
  opportunityId?: string;
  accountId?: string;
  contactId?: string;
};
type Message = { to: string; detailType: string; subject: string };

const newAssignedLead = async (payload: Record<string, unknown>) => {
  const created = await api.webhook('campaign-demo', payload);
  expect(created.status).toBe(202);
  const leadId = String(created.body.leadId);
  return eventually(async () => {
    const lead = (await api.request<Lead>('GET', `/leads/${leadId}`, { as: ['maria', 'manager'] })).body;
    return lead.stage === 'Assigned' && lead.owner ? lead : undefined;
  });
};

describe('fan-out through the local runtime', () => {
  it('carries notes and followers of a lead to its opportunity and tells the follower of every step', async () => {
    const lead = await newAssignedLead({
      email: 'dana@northwind.example',
      firstName: 'Dana',
      company: 'Northwind',
      leadType: 'B2B',
      productInterest: 'Fleet',
      country: 'DE',
    });
    const owner = lead.owner as string;
    const asOwner: [string, string] = [owner, 'rep'];

    expect(
      (await api.request('POST', `/leads/${lead.id}/followers`, { as: ['maria', 'manager'], body: { user: 'carol' } }))
        .status,
    ).toBe(200);
    expect(
      (await api.request('POST', `/leads/${lead.id}/notes`, { as: asOwner, body: { text: 'Wants 40 vans by March' } }))
        .status,
    ).toBe(201);

    const act = async (action: string) =>
      eventually(async () => {
        const res = await api.request('POST', `/leads/${lead.id}/actions/${action}`, { as: asOwner, body: {} });
        return res.status === 409 && String(res.body.detail).includes('moving') ? undefined : res;
      });
    await act('qualify');
    await act('handoff');
    await act('convert');
    const converted = await eventually(async () => {
      const l = (await api.request<Lead>('GET', `/leads/${lead.id}`, { as: ['maria', 'manager'] })).body;
      return l.stage === 'Converted' && l.opportunityId ? l : undefined;
    });

    const opportunity = await api.request<{
      leadId: string;
      followers: string[];
      stage: string;
      accountId: string;
      name: string;
    }>('GET', `/opportunities/${converted.opportunityId}`, { as: asOwner });
    expect(opportunity.body).toMatchObject({
      leadId: lead.id,
      stage: 'Discovery',
      accountId: converted.accountId,
      name: 'Northwind – Fleet',
    });
    expect(opportunity.body.followers).toContain('carol');
    expect((await api.request('GET', `/accounts/${converted.accountId}`, { as: asOwner })).body).toMatchObject({
      name: 'Northwind',
      domain: 'northwind.example',
    });

    const moved = await api.request('PATCH', `/opportunities/${converted.opportunityId}`, {
      as: asOwner,
      body: { stage: 'Solution' },
    });
    expect(moved.body).toMatchObject({ stage: 'Solution', probability: 30 });

    // The opportunity's history is the lead's feed: notes and attachments carried over.
    const feed = await api.request<{ items: { kind: string; action?: string; attachment?: { id: string } }[] }>(
      'GET',
      `/leads/${lead.id}/feed?limit=100`,
      { as: ['carol', 'rep'] },
    );
    expect(feed.body.items.map((i) => i.action ?? i.kind)).toEqual(
      expect.arrayContaining(['opportunity-stage-changed', 'converted', 'note']),
    );

    const carol = await eventually(async () => {
      const messages = (await api.request<Message[]>('GET', '/_local/outbox?user=carol')).body;
      return messages.some((m) => m.detailType === 'OpportunityStageChanged') ? messages : undefined;
    });
    expect(carol.map((m) => m.detailType)).toEqual(
      expect.arrayContaining(['LeadNoteAdded', 'LeadStageChanged', 'LeadConverted', 'OpportunityStageChanged']),
    );

    await rt.bus.drain();
    const events = (await api.events()).filter((e) => e.detail.leadId === lead.id);
    expect(events.map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining([
        'LeadCreated',
        'LeadFollowed',
        'LeadNoteAdded',
        'LeadConverted',
        'OpportunityStageChanged',
      ]),
    );
    expect(events.flatMap(envelopeProblems)).toEqual([]);
    const parked = (await api.request<{ rule: string; error: string }[]>('GET', '/_local/dlq')).body;
    expect(parked.filter((d) => d.rule === 'notifications')).toEqual([]);
  });

  it('signs deliveries to a subscriber and parks a failing subscriber’s event in the DLQ without blocking the other', async () => {
    const good = await receiver(200);
    const bad = await receiver(503);
    const asOps: [string, string] = ['sally', 'salesops'];
    const created = await api.request<{ id: string; secret: string }>('POST', '/config/subscriptions', {
      as: asOps,
      body: { url: good.url, eventTypes: ['LeadNoteAdded'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    await api.request('POST', '/config/subscriptions', {
      as: asOps,
      body: { url: bad.url, eventTypes: ['LeadNoteAdded'] },
    });
    expect(
      (
        await api.request('POST', '/config/subscriptions', {
          as: ['bob', 'rep'],
          body: { url: good.url, eventTypes: ['*'] },
        })
      ).status,
    ).toBe(403);

    const lead = await newAssignedLead({ email: 'olaf@contoso.example', company: 'Contoso', leadType: 'B2B' });
    await api.request('POST', `/leads/${lead.id}/notes`, {
      as: [lead.owner as string, 'rep'],
      body: { text: 'Budget approved' },
    });

    const delivery = await eventually(async () => good.received.find((r) => r.body.includes(lead.id)));
    const verified = new Webhook(created.body.secret).verify(delivery.body, {
      'webhook-id': delivery.headers['webhook-id'] ?? '',
      'webhook-timestamp': delivery.headers['webhook-timestamp'] ?? '',
      'webhook-signature': delivery.headers['webhook-signature'] ?? '',
    });
    expect(verified).toMatchObject({ type: 'LeadNoteAdded', data: { leadId: lead.id } });

    const parked = await eventually(async () => {
      const dlq = (
        await api.request<{ rule: string; error: string; event: { detail: { leadId?: string } } }[]>(
          'GET',
          '/_local/dlq',
        )
      ).body;
      return dlq.find((d) => d.rule === 'outbound-webhooks' && d.event.detail.leadId === lead.id);
    });
    expect(parked.error).toContain(bad.url);
    expect(parked.error).toContain('answered 503');
    expect(good.received.filter((r) => r.body.includes(lead.id))).toHaveLength(1);

    const listed = await api.request<{
      items: { id: string; secret?: string; lastDeliveries: { outcome: string }[] }[];
    }>('GET', '/config/subscriptions', { as: asOps });
    const mine = listed.body.items.find((s) => s.id === created.body.id);
    expect(mine?.secret).toBeUndefined();
    expect(mine?.lastDeliveries[0]?.outcome).toBe('delivered');
  });
});
