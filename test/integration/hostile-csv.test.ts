import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { makeAnalyticsCountersHandler } from '../../functions/analytics-counters/handler';
import { makeCountersRepository } from '../../functions/adapters/counters-repository';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeImportsApi } from '../../functions/imports-api/handler';
import { makeReportsApi } from '../../functions/reports-api/handler';
import { escapedHostile, expectFormulaSafe, HOSTILE, hostileCounterEvents, unescapeCell } from '../support/hostile-csv';
import { freshTable } from '../support/table';

/** The standing "Hostile CSV" suite, API writers, against DynamoDB Local. */
type Answer = { statusCode: number; headers: Record<string, string>; body: string };
const event = (
  routeKey: string,
  {
    id,
    query,
    body,
    accept = 'application/json',
    user = 'maria',
    groups = 'manager',
  }: { id?: string; query?: Record<string, string>; body?: unknown; accept?: string; user?: string; groups?: string },
) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath: path.replace('{id}', id ?? ''),
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { accept, 'content-type': 'application/json' },
    queryStringParameters: query,
    pathParameters: id ? { id } : undefined,
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path },
      authorizer: { jwt: { claims: { 'cognito:username': user, 'cognito:groups': `[${groups}]` }, scopes: [] } },
    },
  } as unknown as APIGatewayProxyEventV2;
};

describe('Hostile CSV through the APIs', () => {
  it('answers every report as CSV (?format=csv and Accept: text/csv) with every formula shown as text', async () => {
    const table = await freshTable('hostile-reports');
    const counters = makeCountersRepository(table.db, table.name);
    const consume = makeAnalyticsCountersHandler({ counters });
    for (const [i, e] of hostileCounterEvents().entries())
      await consume({
        id: `d${i}`,
        source: 'leadflow',
        'detail-type': e.detailType,
        time: e.detail.occurredAt,
        detail: e.detail,
      });
    const api = httpHandler(
      makeReportsApi({
        counters,
        clock: { now: () => new Date('2026-11-05T08:00:00Z') },
        availability: async () => ({ [HOSTILE[4]]: true }),
      }),
    );
    const range = { from: '2026-11-02', to: '2026-11-04' };
    const seen = new Set<string>();
    for (const [route, query] of [
      ['GET /reports/funnel', { groupBy: 'campaign' }],
      ['GET /reports/funnel', { groupBy: 'source' }],
      ['GET /reports/funnel', { groupBy: 'country' }],
      ['GET /reports/funnel', { groupBy: 'owner' }],
      ['GET /reports/sources', {}],
      ['GET /reports/aging', {}],
      ['GET /reports/reps', {}],
    ] as const) {
      const byQuery = (await api(
        event(route, { query: { ...range, ...query, format: 'csv' } }),
        {} as Context,
      )) as Answer;
      const byAccept = (await api(
        event(route, { query: { ...range, ...query }, accept: 'text/csv' }),
        {} as Context,
      )) as Answer;
      expect(byQuery.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(byAccept.body).toBe(byQuery.body);
      for (const h of escapedHostile(expectFormulaSafe(byQuery.body))) seen.add(h);
    }
    expect([...seen].sort()).toEqual([...HOSTILE].sort());
  }, 180_000);

  it('serves GET /imports/{id}/rejected with hostile headers and values shown as text, and kept', async () => {
    const table = await freshTable('hostile-import');
    const source: SourceConfig = {
      id: 'tradeshow',
      kind: 'import',
      adapter: 'canonical',
      duplicatePolicy: 'reject',
      allowedOrigins: [],
    };
    const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
    let n = 0;
    const api = httpHandler(
      makeImportsApi({
        capture: {
          store: makeBatchedCaptureStore(table.db, table.name),
          workflow: { startLifecycle: async () => undefined },
          clock,
          ids: { next: () => `L${++n}` },
        },
        store: makeImportRepository(table.db, table.name),
        sources: () => [source],
        clock,
      }),
    );
    const call = async (routeKey: string, options: Parameters<typeof event>[1]) =>
      (await api(event(routeKey, { user: 'sam', groups: 'salesops', ...options }), {} as Context)) as Answer;
    const headers = ['E-mail', 'First Name', 'Company Name', '@Booth'];
    const rows = HOSTILE.map((h, i) => ({ rowNumber: i + 2, values: [h, h, h, h] }));
    const job = JSON.parse(
      (
        await call('POST /imports', {
          body: { fileName: 'fair.csv', contentHash: 'a'.repeat(64), source: 'tradeshow', headers },
        })
      ).body,
    ) as { jobId: string };
    expect((await call('POST /imports/{id}/rows', { id: job.jobId, body: { rows } })).statusCode).toBe(200);

    const report = await call('GET /imports/{id}/rejected', { id: job.jobId });

    expect(report.statusCode).toBe(200);
    const [header, ...lines] = expectFormulaSafe(report.body);
    expect(header?.map(unescapeCell)).toEqual(['row', 'status', 'reasons', ...headers]);
    expect(lines.map((l) => l.slice(3).map(unescapeCell))).toEqual(rows.map((r) => r.values));
    expect(escapedHostile([header ?? [], ...lines]).sort()).toEqual([...HOSTILE].sort());
  }, 60_000);
});
