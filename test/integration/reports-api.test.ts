import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { makeAnalyticsCountersHandler } from '../../functions/analytics-counters/handler';
import { makeCountersRepository } from '../../functions/adapters/counters-repository';
import { foldEvents } from '../../functions/core/reports/counters';
import { reportRows } from '../../functions/core/reports/report-rows';
import { agingReport, funnelReport, type Report, repsReport } from '../../functions/core/reports/reports';
import { httpHandler } from '../../functions/http/middleware';
import { makeReportsApi } from '../../functions/reports-api/handler';
import { counterScenario } from '../support/counter-scenario';
import { freshTable } from '../support/table';

const request = (
  routeKey: string,
  query: Record<string, string>,
  { groups = ['manager'], accept = 'application/json', user = 'maria' } = {},
) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { accept },
    queryStringParameters: query,
    requestContext: {
      http: { method, path },
      authorizer: { jwt: { claims: { 'cognito:username': user, 'cognito:groups': `[${groups.join(' ')}]` } } },
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
};

let api: ReturnType<typeof httpHandler>;
const range = { from: '2026-11-02', to: '2026-11-04' };
const call = (routeKey: string, query: Record<string, string> = range, options = {}) =>
  api(request(routeKey, query, options), {} as Context);

beforeAll(async () => {
  const table = await freshTable('reports');
  const repo = makeCountersRepository(table.db, table.name);
  const consume = makeAnalyticsCountersHandler({ counters: repo });
  for (const [i, e] of counterScenario().entries())
    await consume({
      id: `d${i}`,
      source: 'leadflow',
      'detail-type': e.detailType,
      time: e.detail.occurredAt,
      detail: e.detail,
    });
  api = httpHandler(
    makeReportsApi({
      counters: repo,
      clock: { now: () => new Date('2026-11-05T08:00:00Z') },
      availability: async () => ({ alice: true, bob: false }),
    }),
  );
});

describe('GET /reports/* against counters on DynamoDB Local', () => {
  it('answers the funnel grouped by campaign as JSON', async () => {
    const res = await call('GET /reports/funnel', { ...range, groupBy: 'campaign' });

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '')).toEqual(funnelReport(foldEvents(counterScenario()).counters, range, 'campaign'));
  });

  it('answers CSV for Accept: text/csv that parses back to the JSON figures', async () => {
    for (const route of ['GET /reports/funnel', 'GET /reports/sources', 'GET /reports/aging', 'GET /reports/reps']) {
      const asJson = JSON.parse((await call(route)).body ?? '') as Report;
      const asCsv = await call(route, range, { accept: 'text/csv' });

      const parsed = parse(asCsv.body ?? '', { columns: true }) as Record<string, string>[];

      expect(asCsv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(parsed).toEqual(
        reportRows(asJson).map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])),
        ),
      );
    }
  });

  it('answers the reps report with availability from the directory', async () => {
    const res = await call('GET /reports/reps');

    expect(JSON.parse(res.body ?? '')).toEqual(
      repsReport(foldEvents(counterScenario()).counters, range, { alice: true, bob: false }),
    );
  });

  it('refuses reps (403) and names a bad groupBy (422)', async () => {
    const asRep = await call('GET /reports/funnel', range, { groups: ['rep'] });
    const badGroup = await call('GET /reports/funnel', { ...range, groupBy: 'colour' });
    const badDate = await call('GET /reports/sources', { from: 'yesterday', to: '2026-11-04' });

    expect(asRep.statusCode).toBe(403);
    expect(badGroup.statusCode).toBe(422);
    expect(JSON.parse(badGroup.body ?? '').errors).toEqual([
      { field: 'groupBy', reason: 'must be one of source, campaign, owner, country' },
    ]);
    expect(badDate.statusCode).toBe(422);
  });

  it("gives a rep their own funnel, ageing and response times with owner=me, and nobody else's", async () => {
    const counters = foldEvents(counterScenario()).counters;
    const alices = counters.filter((c) => c.dims.owner === 'alice');
    const asAlice = { groups: ['rep'], user: 'alice' };

    const funnel = await call('GET /reports/funnel', { ...range, owner: 'me' }, asAlice);
    const reps = await call('GET /reports/reps', { ...range, owner: 'me' }, asAlice);
    const aging = JSON.parse((await call('GET /reports/aging', { owner: 'me' }, asAlice)).body ?? '');
    const everyone = JSON.parse((await call('GET /reports/aging', {})).body ?? '');
    const someoneElse = await call('GET /reports/funnel', { ...range, owner: 'bob' }, asAlice);

    expect(funnel.statusCode).toBe(200);
    expect(alices.length).toBeGreaterThan(0);
    expect(JSON.parse(funnel.body ?? '')).toEqual(funnelReport(alices, range));
    expect(JSON.parse(reps.body ?? '').reps).toEqual(
      repsReport(alices, range, { alice: true, bob: false }).reps.filter((r) => r.owner === 'alice'),
    );
    expect(aging.byStage).toEqual(agingReport(alices, [], new Date('2026-11-05T08:00:00Z')).byStage);
    expect(aging.byOwner.map((r: { owner: string }) => r.owner)).toEqual(['alice']);
    expect(everyone.byOwner.length).toBeGreaterThan(1);
    expect(someoneElse.statusCode).toBe(403);
  });
});
