import { describe, expect, it, jest } from '@jest/globals';
import { main } from '../../cli/main';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { makeCountersRepository } from '../../functions/adapters/counters-repository';
import { countableOf } from '../../functions/analytics-counters/handler';
import type { FunnelReport, RepsReport, SourcesReport } from '../../functions/core/reports/reports';
import { eventually, useTestRuntime } from '../support/runtime';

const { rt, api } = useTestRuntime();

const today = () => new Date().toISOString().slice(0, 10);
const asManager = { as: ['maria', 'manager'] as [string, string] };

describe('reports through the local runtime', () => {
  it('counts leads worked through the API and rebuilds the same figures from the bus log', async () => {
    const ids: string[] = [];
    for (const email of ['r1@northwind.example', 'r2@contoso.example', 'r3@fabrikam.example']) {
      const res = await api.webhook('campaign-demo', { email, company: 'Co', country: 'DE', campaign: 'winter' });
      ids.push(String(res.body.leadId));
    }
    const owners = await Promise.all(
      ids.map((id) =>
        eventually(async () => {
          const lead = (await api.request<{ stage: string; owner?: string }>('GET', `/leads/${id}`, asManager)).body;
          return lead.stage === 'Assigned' && lead.owner ? lead.owner : undefined;
        }),
      ),
    );
    const act = (i: number, action: string, body: unknown = {}) =>
      eventually(async () => {
        const res = await api.request('POST', `/leads/${ids[i]}/actions/${action}`, {
          as: [owners[i] as string, 'rep'],
          body,
        });
        return res.status === 409 ? undefined : res;
      });
    expect((await act(0, 'qualify')).status).toBe(200);
    expect((await act(1, 'disqualify', { reason: 'no budget' })).status).toBe(200);

    const range = `from=${today()}&to=${today()}`;
    const funnel = await eventually(async () => {
      const report = (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body;
      const g = report.groups[0];
      // The stage change and the reason arrive as two events, counted independently: wait for both.
      return g &&
        g.created === 3 &&
        g.reached.MarketQualified === 1 &&
        g.disqualified === 1 &&
        g.disqualifiedByReason['no budget'] === 1
        ? report
        : undefined;
    });
    const csv = await api.request('GET', `/reports/funnel?${range}`, { ...asManager, headers: { accept: 'text/csv' } });
    const reps = (await api.request<RepsReport>('GET', `/reports/reps?${range}`, asManager)).body;
    const forbidden = await api.request('GET', `/reports/aging`, { as: ['rob', 'rep'] });

    expect(funnel.groups[0]).toMatchObject({
      created: 3,
      reached: { Assigned: 3, MarketQualified: 1 },
      disqualifiedByReason: { 'no budget': 1 },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(reps.reps.reduce((n, r) => n + r.assigned, 0)).toBe(3);
    expect(forbidden.status).toBe(403);

    const repo = makeCountersRepository(makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint)), rt.tableName);
    // Compare with the live figures once every delivery so far has been counted.
    await rt.bus.drain();
    const live = (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body;
    await repo.rebuild((await api.events()).map(countableOf));
    const rebuilt = (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body;
    expect(rebuilt).toEqual(live);
  });

  it('rebuilds with `leadflow counters rebuild` and prints the same funnel with `leadflow report`', async () => {
    const range = `from=${today()}&to=${today()}`;
    const before = (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body;
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const rebuilt = await main([
        'node',
        'leadflow',
        'counters',
        'rebuild',
        '--from',
        today(),
        '--api',
        rt.url,
        '--endpoint',
        rt.dynamodbEndpoint,
        '--table',
        rt.tableName,
      ]);
      const printed = out.length;
      const reported = await main([
        'node',
        'leadflow',
        'report',
        'funnel',
        '--from',
        today(),
        '--to',
        today(),
        '--format',
        'json',
        '--api',
        rt.url,
      ]);

      expect(rebuilt).toBe(0);
      expect(out.slice(0, printed).join('')).toMatch(/^counters rebuilt: generation \d+, \d+ events/);
      expect(reported).toBe(0);
      expect(JSON.parse(out.slice(printed).join(''))).toEqual(before);
    } finally {
      write.mockRestore();
    }
  });

  it('shows a redelivered rejected webhook once in the sources report, and rescores a lead on a reply and a form revisit', async () => {
    const range = `from=${today()}&to=${today()}`;
    const bad = [
      await api.webhook('campaign-demo', { email: 'no-at-sign' }, { id: 'msg_rejected_once' }),
      await api.webhook('campaign-demo', { email: 'no-at-sign' }, { id: 'msg_rejected_once' }),
    ];
    const created = await api.webhook('campaign-demo', {
      email: 'vp@globex.example',
      jobTitle: 'VP Sales',
      company: 'Globex',
    });
    const id = String(created.body.leadId);
    const assigned = await eventually(async () => {
      const lead = (
        await api.request<{ stage: string; owner?: string; score?: number }>('GET', `/leads/${id}`, asManager)
      ).body;
      return lead.stage === 'Assigned' && lead.owner ? lead : undefined;
    });

    const reply = await api.request<{ count: number; score: number }>('POST', `/leads/${id}/activities`, {
      as: [assigned.owner as string, 'rep'],
      body: { activityId: 'reply-1', type: 'email-reply' },
    });
    const form = await api.request('POST', '/forms/contact-us', {
      raw: 'email=VP%40globex.example&firstName=Ann',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const lead = await eventually(async () => {
      const l = (
        await api.request<{ behaviour?: Record<string, number>; score: number }>('GET', `/leads/${id}`, asManager)
      ).body;
      return l.behaviour?.['form-revisit'] === 1 ? l : undefined;
    });
    const sources = await eventually(async () => {
      const report = (await api.request<SourcesReport>('GET', `/reports/sources?${range}`, asManager)).body;
      return report.channels.find((c) => c.channel === 'WEBHOOK' && c.rejected === 1) ? report : undefined;
    });
    await rt.bus.drain();

    expect(bad.map((r) => r.status)).toEqual([422, 422]);
    expect(reply.status).toBe(201);
    expect(reply.body.score).toBe((assigned.score ?? 0) + 12);
    expect(form.status).toBe(202);
    expect(lead).toMatchObject({
      behaviour: { 'email-reply': 1, 'form-revisit': 1 },
      score: (assigned.score ?? 0) + 17,
    });
    expect(sources.channels.find((c) => c.channel === 'WEBHOOK')).toMatchObject({
      rejected: 1,
      rejectedByReason: { invalid: 1 },
    });
    expect((await api.events('CaptureRejected')).length).toBe(2);
    expect(
      (await api.request<SourcesReport>('GET', `/reports/sources?${range}`, asManager)).body.channels.find(
        (c) => c.channel === 'WEBHOOK',
      )?.rejected,
    ).toBe(1);
    expect((await api.events('LeadActivityRecorded')).map((e) => e.detail.type)).toEqual([
      'email-reply',
      'form-revisit',
    ]);
  });

  it('trains with `leadflow scoring train` and keeps the points model with too few outcomes; `leadflow scoring model` shows the card', async () => {
    const out: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const trained = await main([
        'node',
        'leadflow',
        'scoring',
        'train',
        '--json',
        '--api',
        rt.url,
        '--endpoint',
        rt.dynamodbEndpoint,
        '--table',
        rt.tableName,
      ]);
      const printed = out.length;
      const shown = await main([
        'node',
        'leadflow',
        'scoring',
        'model',
        '--api',
        rt.url,
        '--endpoint',
        rt.dynamodbEndpoint,
        '--table',
        rt.tableName,
      ]);

      const card = JSON.parse(out.slice(0, printed).join(''));
      const cards = JSON.parse(out.slice(printed).join(''));
      expect([trained, shown]).toEqual([0, 0]);
      expect(card).toMatchObject({
        model: 'logreg@1',
        active: false,
        conversions: 0,
        disqualifications: 1,
        decision: expect.stringMatching(/^inactive: 0 conversions < 200 required/),
      });
      expect(cards).toMatchObject({ scoring: 'points@0', active: null, latest: { model: 'logreg@1' } });
    } finally {
      write.mockRestore();
    }
  });

  it('counts two SalesQualified stays for a lead whose conversion an approver rejected before it converted', async () => {
    const range = `from=${today()}&to=${today()}`;
    const salesops = { as: ['sam', 'salesops'] as [string, string] };
    const current = await api.request<{ version: number }>('GET', '/config/approvals', salesops);
    const chain = {
      name: 'deal desk',
      when: { leadType: ['B2B'], minExpectedValue: 1000 },
      steps: [{ name: 'desk', approver: 'victor', timeout: 'PT1H' }],
      onReject: 'return-to-sales-qualified',
    };
    expect(
      (
        await api.request('PUT', '/config/approvals', {
          ...salesops,
          body: { version: current.body.version, value: { chains: [chain] } },
        })
      ).status,
    ).toBe(200);
    const before =
      (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body.groups[0]?.timeInStage
        .SalesQualified?.count ?? 0;
    const created = await api.webhook('campaign-demo', {
      email: 'deal@initech.example',
      company: 'Initech',
      leadType: 'B2B',
      expectedValue: 5000,
    });
    const id = String(created.body.leadId);
    const stageOf = async () => (await api.request<{ stage: string }>('GET', `/leads/${id}`, asManager)).body.stage;
    await eventually(async () => (await stageOf()) === 'Assigned');
    const act = (action: string) =>
      eventually(async () => {
        const res = await api.request('POST', `/leads/${id}/actions/${action}`, { ...asManager, body: {} });
        return res.status === 409 ? undefined : res;
      });
    const decideNext = (decision: 'approve' | 'reject') =>
      eventually(async () => {
        const task = (
          await api.request<{ items: { taskId: string; leadId: string }[] }>('GET', '/tasks', { as: ['victor', 'rep'] })
        ).body.items.find((t) => t.leadId === id);
        if (!task) return undefined;
        const res = await api.request('POST', `/tasks/${task.taskId}/decision`, {
          as: ['victor', 'rep'],
          body: { decision, comment: 'not yet' },
        });
        return res.status === 200 ? res : undefined;
      });

    await act('handoff');
    await act('convert');
    await decideNext('reject');
    await eventually(async () => (await stageOf()) === 'SalesQualified');
    await act('convert');
    await decideNext('approve');
    await eventually(async () => (await stageOf()) === 'Converted');
    const stays = await eventually(async () => {
      const count =
        (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body.groups[0]?.timeInStage
          .SalesQualified?.count ?? 0;
      return count >= before + 2 ? count : undefined;
    });
    await rt.bus.drain();

    expect(stays).toBe(before + 2);
    expect(
      (await api.request<FunnelReport>('GET', `/reports/funnel?${range}`, asManager)).body.groups[0]?.timeInStage
        .SalesQualified?.count,
    ).toBe(before + 2);
  });
});
