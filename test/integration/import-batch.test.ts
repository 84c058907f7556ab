import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import type { CaptureDeps } from '../../functions/core/capture-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeImportsApi } from '../../functions/imports-api/handler';
import { freshTable } from '../support/table';

const strict: SourceConfig = {
  id: 'tradeshow',
  kind: 'import',
  adapter: 'canonical',
  duplicatePolicy: 'reject',
  allowedOrigins: [],
};

const setup = async () => {
  const table = await freshTable('import');
  const started: string[] = [];
  let n = 0;
  const capture: CaptureDeps = {
    store: makeBatchedCaptureStore(table.db, table.name),
    workflow: { startLifecycle: async (id) => void started.push(id) },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(6, '0')}` },
  };
  const api = httpHandler(
    makeImportsApi({
      capture,
      store: makeImportRepository(table.db, table.name),
      sources: () => [strict],
      clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    }),
  );
  const call = async (
    routeKey: string,
    { id, body, user = 'alice', groups = 'rep' }: { id?: string; body?: unknown; user?: string; groups?: string } = {},
  ) => {
    const [method, path] = routeKey.split(' ') as [string, string];
    const event = {
      version: '2.0',
      routeKey,
      rawPath: path.replace('{id}', id ?? ''),
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      pathParameters: id ? { id } : undefined,
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        http: { method },
        authorizer: { jwt: { claims: { 'cognito:username': user, 'cognito:groups': `[${groups}]` }, scopes: [] } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const res = (await api(event, {} as Context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    return {
      status: res.statusCode,
      body: res.headers['content-type']?.includes('json') ? JSON.parse(res.body) : res.body,
    };
  };
  return { call, started };
};

const HEADERS = ['First Name', 'Last Name', 'E-mail', 'Mobile', 'Company Name'];
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

const rows = [
  ['Ann', 'Lee', 'ann@acme.com', '', 'Acme'],
  ['Bob', 'Ray', 'not-an-email', '', ''],
  ['Ann', 'Lee', 'ANN@acme.com', '', 'Acme'], // the same person again, inside the file
  ['Cy', 'Dee', 'cy@beta.io', '+49 30 1234567', 'Beta'],
  ['', '', '', '', 'Nobody GmbH'],
].map((values, i) => ({ rowNumber: i + 2, values }));

describe('import batches against DynamoDB Local', () => {
  it('answers per row: created, duplicate inside the file per the reject policy, rejected with field reasons', async () => {
    const { call, started } = await setup();
    const job = await call('POST /imports', {
      body: { fileName: 'fair.csv', contentHash: hashOf('fair'), source: 'tradeshow', headers: HEADERS },
    });
    expect(job.status).toBe(201);
    expect(job.body.columns.map((c: { field: string }) => c.field)).toEqual([
      'firstName',
      'lastName',
      'email',
      'phone',
      'company',
    ]);

    const res = await call('POST /imports/{id}/rows', { id: job.body.jobId, body: { rows, totalRows: rows.length } });

    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'rejected',
      'duplicate',
      'created',
      'rejected',
    ]);
    expect(res.body.results[1].issues).toEqual([{ field: 'email', reason: 'not a valid email address' }]);
    expect(res.body.results[4].issues).toEqual([
      { field: 'email', reason: 'at least one of email or phone is required' },
    ]);
    expect(res.body.counts).toEqual({ created: 2, duplicates: 1, rejected: 2, possibleDuplicates: 0 });
    expect(res.body.status).toBe('completed');
    expect(started).toHaveLength(2);
  });

  it('counts every row once when the same batch is posted again, also concurrently', async () => {
    const { call, started } = await setup();
    const job = await call('POST /imports', {
      body: { fileName: 'fair.csv', contentHash: hashOf('again'), source: 'tradeshow', headers: HEADERS },
    });
    const post = () => call('POST /imports/{id}/rows', { id: job.body.jobId, body: { rows } });

    const answers = await Promise.all([post(), post(), post()]);
    const again = await post();

    for (const a of [...answers, again])
      expect(a.body.results.map((r: { leadId?: string }) => r.leadId)).toEqual(
        answers[0]?.body.results.map((r: { leadId?: string }) => r.leadId),
      );
    expect(again.body.counts).toEqual({ created: 2, duplicates: 1, rejected: 2, possibleDuplicates: 0 });
    expect(new Set(started).size).toBe(2);
  });

  it('finds duplicates against leads that existed before the import', async () => {
    const { call } = await setup();
    const first = await call('POST /imports', {
      body: { fileName: 'a.csv', contentHash: hashOf('a'), source: 'tradeshow', headers: HEADERS },
    });
    await call('POST /imports/{id}/rows', { id: first.body.jobId, body: { rows: rows.slice(0, 1) } });
    const second = await call('POST /imports', {
      body: { fileName: 'b.csv', contentHash: hashOf('b'), source: 'tradeshow', headers: HEADERS },
    });

    const res = await call('POST /imports/{id}/rows', {
      id: second.body.jobId,
      body: { rows: [{ rowNumber: 2, values: ['A', 'L', 'Ann@Acme.com', '', ''] }] },
    });

    expect(res.body.results[0]).toMatchObject({
      status: 'duplicate',
      duplicates: [expect.objectContaining({ kind: 'lead', matchedOn: 'email' })],
    });
  });

  it('reports the job to its owner and a manager, and hides it from other reps', async () => {
    const { call } = await setup();
    const job = await call('POST /imports', {
      body: { fileName: 'fair.csv', contentHash: hashOf('seen'), source: 'tradeshow', headers: HEADERS },
    });
    await call('POST /imports/{id}/rows', { id: job.body.jobId, body: { rows } });

    const own = await call('GET /imports/{id}', { id: job.body.jobId });
    const manager = await call('GET /imports/{id}', { id: job.body.jobId, user: 'mia', groups: 'manager' });
    const other = await call('GET /imports/{id}', { id: job.body.jobId, user: 'bob' });

    expect(own.body).toMatchObject({
      status: 'running',
      processed: 5,
      rejectedReport: `/imports/${job.body.jobId}/rejected`,
    });
    expect(manager.status).toBe(200);
    expect(other.status).toBe(404);
  });

  it('serves the rejected rows as CSV with row number, reasons and the original values', async () => {
    const { call } = await setup();
    const job = await call('POST /imports', {
      body: { fileName: 'fair.csv', contentHash: hashOf('report'), source: 'tradeshow', headers: HEADERS },
    });
    await call('POST /imports/{id}/rows', { id: job.body.jobId, body: { rows } });

    const report = await call('GET /imports/{id}/rejected', { id: job.body.jobId });

    const lines = String(report.body).trim().split('\n');
    expect(lines[0]).toBe('row,status,reasons,First Name,Last Name,E-mail,Mobile,Company Name');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['3', '4', '6']);
    expect(lines[1]).toBe('3,rejected,email: not a valid email address,Bob,Ray,not-an-email,,');
  });

  it('rejects a batch whose rows do not have the header\u2019s number of values, writing nothing', async () => {
    const { call } = await setup();
    const job = await call('POST /imports', {
      body: { fileName: 'fair.csv', contentHash: hashOf('ragged'), source: 'tradeshow', headers: HEADERS },
    });

    const res = await call('POST /imports/{id}/rows', {
      id: job.body.jobId,
      body: { rows: [{ rowNumber: 2, values: ['a@b.io'] }] },
    });
    const after = await call('GET /imports/{id}', { id: job.body.jobId });

    expect(res.status).toBe(422);
    expect(after.body.processed).toBe(0);
  });

  it('rejects an unknown import source and columns that map twice', async () => {
    const { call } = await setup();
    const unknown = await call('POST /imports', {
      body: { fileName: 'x.csv', contentHash: hashOf('x'), source: 'nope', headers: HEADERS },
    });
    const twice = await call('POST /imports', {
      body: { fileName: 'x.csv', contentHash: hashOf('x'), source: 'tradeshow', headers: ['Email', 'E-mail'] },
    });
    expect(unknown.status).toBe(404);
    expect(twice.status).toBe(422);
    expect(twice.body.errors[0].reason).toMatch(/both map to email/);
  });
});
