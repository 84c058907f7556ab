import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { makeDuplicatesReader } from '../../functions/adapters/duplicates-repository';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import type { CaptureDeps } from '../../functions/core/capture-lead';
import { makeDuplicateForecast } from '../../functions/core/import/duplicate-forecast';
import { resolveMapping } from '../../functions/core/import/column-mapping';
import { prepareRow } from '../../functions/core/import/row-to-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeImportsApi } from '../../functions/imports-api/handler';
import { apiCaller } from '../support/api-call';
import { freshTable } from '../support/table';

const loose: SourceConfig = {
  id: 'fair',
  kind: 'import',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};
/** The same file through a stricter source: its own thresholds make a possible duplicate a sure one. */
const strict: SourceConfig = {
  ...loose,
  id: 'strict',
  duplicatePolicy: 'reject',
  duplicateThresholds: { block: 0.8, alert: 0.5 },
};

const HEADERS = ['First Name', 'Last Name', 'E-mail', 'Mobile', 'Company Name'];
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
const asRows = (values: string[][], from = 2) => values.map((v, i) => ({ rowNumber: i + from, values: v }));

const setup = async () => {
  const table = await freshTable('dryrun');
  const commands: string[] = [];
  const send = table.db.send.bind(table.db);
  // Every command the dry run sends is recorded: it must look up keys, never scan.
  const counted = Object.assign(Object.create(table.db), {
    send: (command: { constructor: { name: string } }, ...rest: unknown[]) => {
      commands.push(command.constructor.name);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    },
  }) as typeof table.db;
  let n = 0;
  const capture: CaptureDeps = {
    store: makeBatchedCaptureStore(table.db, table.name),
    workflow: { startLifecycle: async () => undefined },
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    ids: { next: () => `L${String(++n).padStart(6, '0')}` },
  };
  const api = httpHandler(
    makeImportsApi({
      capture,
      store: makeImportRepository(table.db, table.name),
      sources: () => [loose, strict],
      clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      duplicates: makeDuplicatesReader(counted, table.name),
    }),
  );
  const call = apiCaller(api, { user: 'sam', groups: ['salesops'] });
  return { call, commands };
};

describe('the import dry run predicts duplicates of stored leads', () => {
  it('matches each row as its capture would, with the source thresholds, through batched key reads only', async () => {
    const { call, commands } = await setup();
    const job = await call('POST /imports', {
      fileName: 'stored.csv',
      contentHash: hashOf('stored'),
      source: 'fair',
      headers: HEADERS,
    });
    await call(
      'POST /imports/{id}/rows',
      {
        rows: asRows([
          ['Jon', 'Smith', 'jon@acme.example', '', 'ACME Inc.'],
          ['Greta', 'Lindqvist', 'greta@nordic.example', '', 'Nordic AB'],
        ]),
      },
      job.body.jobId,
    );
    commands.length = 0;

    const file = asRows([
      ['Greta', 'Lindqvist', 'GRETA@nordic.example', '', ''], // exact email of a stored lead
      ['Jonathan', 'Smith', 'jsmith@mail.example', '+1 415 555 0199', 'Acme LLC'], // similar to Jon Smith
      ['Ann', 'Other', 'ann@other.example', '', ''], // nobody
      ['Jonathan', 'Smith', 'jonathan@acme.example', '', 'ACME'], // similar again (and to the row above)
      ['Bad', 'Row', 'not-an-email', '', ''], // invalid: not looked up
    ]);
    const fair = await call('POST /imports/duplicates', { source: 'fair', headers: HEADERS, rows: file });
    const strictly = await call('POST /imports/duplicates', { source: 'strict', headers: HEADERS, rows: file });

    expect(fair.status).toBe(200);
    expect(fair.body).toMatchObject({ sourceId: 'fair', policy: 'create', thresholds: { block: 0.92, alert: 0.8 } });
    expect(fair.body.checked).toBe(4);
    const byRow = (body: { rows: { rowNumber: number; matches: { matchedOn: string; score: number }[] }[] }) =>
      Object.fromEntries(body.rows.map((r) => [r.rowNumber, r.matches.map((m) => m.matchedOn)]));
    // Default thresholds: the exact email, and Jonathan at ACME (0.86, a possible duplicate); Jonathan
    // at Acme LLC with another phone and mailbox (0.76) is below `alert`.
    expect(byRow(fair.body)).toEqual({ 2: ['email'], 5: ['similarity'] });
    // The strict source's own thresholds (alert 0.5) list him too.
    expect(byRow(strictly.body)).toEqual({ 2: ['email'], 3: ['similarity'], 5: ['similarity'] });
    // No stored lead's id or values are handed out.
    expect(JSON.stringify(fair.body)).not.toMatch(/L0000|jon@acme|greta@/);
    expect(strictly.body.thresholds).toEqual({ block: 0.8, alert: 0.5 });
    expect(new Set(commands)).toEqual(new Set(['BatchGetCommand']));

    // The CLI's forecast with these answers: per policy, against the file and the store together.
    const mapping = resolveMapping(HEADERS);
    const forecastWith = (body: typeof fair.body) => {
      const forecast = makeDuplicateForecast(body.thresholds);
      const stored = new Map(body.rows.map((r: { rowNumber: number; matches: never[] }) => [r.rowNumber, r.matches]));
      for (const row of file) {
        const prepared = prepareRow(HEADERS, row, mapping);
        if (prepared.ok) forecast.add(row.rowNumber, prepared.lead, stored.get(row.rowNumber) as never);
      }
      return forecast.result();
    };
    expect(forecastWith(fair.body).existing).toEqual({ exact: 1, similar: 1, sure: 0 });
    expect(forecastWith(fair.body).byPolicy.create).toEqual({ refused: 0, flagged: 2 });
    expect(forecastWith(fair.body).byPolicy.reject).toEqual({ refused: 1, flagged: 1 });
    expect(forecastWith(strictly.body).existing).toEqual({ exact: 1, similar: 2, sure: 1 });
    // Under the strict source's reject: the exact email and the sure Jonathan refused, the possible one flagged.
    expect(forecastWith(strictly.body).byPolicy.reject).toEqual({ refused: 2, flagged: 1 });
  });

  it('refuses a bad batch naming the field, and an unknown source', async () => {
    const { call } = await setup();
    const noHeaders = await call('POST /imports/duplicates', { source: 'fair', rows: [] });
    expect(noHeaders.status).toBe(422);
    expect(noHeaders.body.errors[0].field).toBe('headers');
    const unknown = await call('POST /imports/duplicates', { source: 'nope', headers: HEADERS, rows: [] });
    expect(unknown.status).toBe(404);
  });
});
