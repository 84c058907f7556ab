import { describe, it } from '@jest/globals';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import type { CaptureDeps } from '../../functions/core/capture-lead';
import { resolveMapping } from '../../functions/core/import/column-mapping';
import { type ImportJob, importBatch, ZERO_COUNTS } from '../../functions/core/import/import-job';
import type { SourceConfig } from '../../functions/core/sources';
import { expect } from '../support/expect';
import { freshTable } from '../support/table';

const strict: SourceConfig = {
  id: 'tradeshow',
  kind: 'import',
  adapter: 'canonical',
  duplicatePolicy: 'reject',
  allowedOrigins: [],
};
const HEADERS = ['E-mail', 'Company Name'];
const actor = { kind: 'user' as const, id: 'alice', source: 'IMPORT' as const };
const clock = { now: () => new Date('2026-11-23T10:00:00Z') };

const jobOf = (jobId: string): ImportJob => ({
  jobId,
  sourceId: strict.id,
  fileName: `${jobId}.csv`,
  contentHash: jobId.padEnd(64, '0'),
  headers: HEADERS,
  mapping: resolveMapping(HEADERS, undefined),
  createdAt: clock.now().toISOString(),
  createdBy: actor,
  counts: { ...ZERO_COUNTS },
});

/** One "function instance": its own coalescing capture store, as two Lambdas (or two Map batches) would have. */
const instance = (table: Awaited<ReturnType<typeof freshTable>>, prefix: string, started: string[]) => {
  let n = 0;
  const capture: CaptureDeps = {
    store: makeBatchedCaptureStore(table.db, table.name),
    workflow: { startLifecycle: async (id) => void started.push(id) },
    clock,
    ids: { next: () => `${prefix}${String(++n).padStart(6, '0')}` },
  };
  return { capture, store: makeImportRepository(table.db, table.name) };
};

describe('import batches running at once', () => {
  it('creates one lead when two instances import the same person at the same moment under a reject policy', async () => {
    const table = await freshTable('import-race');
    const started: string[] = [];
    const a = instance(table, 'A', started);
    const b = instance(table, 'B', started);
    await a.store.createJob(jobOf('imp-a'));
    await a.store.createJob(jobOf('imp-b'));
    // Twenty people, each in both files: every pair races on the person's email key.
    const rows = Array.from({ length: 20 }, (_, i) => ({ rowNumber: i + 2, values: [`person${i}@race.io`, 'Race'] }));

    const [fromA, fromB] = await Promise.all([
      importBatch({ capture: a.capture, store: a.store }, { job: jobOf('imp-a'), source: strict, rows, actor }),
      importBatch({ capture: b.capture, store: b.store }, { job: jobOf('imp-b'), source: strict, rows, actor }),
    ]);

    for (let i = 0; i < rows.length; i++) {
      const pair = [fromA[i]?.status, fromB[i]?.status].sort();
      expect(pair, `row ${i + 2}`).toEqual(['created', 'duplicate']);
    }
    expect(started).toHaveLength(rows.length);
  });

  it('records no row whose lifecycle did not start, and starts it when the batch is retried', async () => {
    const table = await freshTable('import-start');
    const started: string[] = [];
    const one = instance(table, 'L', started);
    await one.store.createJob(jobOf('imp-c'));
    const rows = Array.from({ length: 5 }, (_, i) => ({ rowNumber: i + 2, values: [`p${i}@start.io`, 'Start'] }));
    // StartExecution failing (throttled past the SDK's retries) is a fault DynamoDB Local cannot produce: a stub starter.
    const failing = {
      ...one.capture,
      workflow: { startLifecycle: async () => Promise.reject(new Error('ThrottlingException')) },
    };

    await expect(
      importBatch({ capture: failing, store: one.store }, { job: jobOf('imp-c'), source: strict, rows, actor }),
    ).rejects.toThrow('ThrottlingException');
    const between = await one.store.getJob('imp-c');
    const retried = await importBatch(
      { capture: one.capture, store: one.store },
      { job: jobOf('imp-c'), source: strict, rows, actor },
    );
    const after = await one.store.getJob('imp-c');

    expect(between?.counts.created).toBe(0);
    expect(retried.map((r) => r.status)).toEqual(['created', 'created', 'created', 'created', 'created']);
    expect(new Set(started)).toEqual(new Set(retried.map((r) => r.leadId)));
    expect(after?.counts.created).toBe(5);
  });

  it('creates every row of a group whose name blocks gain a lead again before each of its attempts', async () => {
    const table = await freshTable('import-stale-blocks');
    const started: string[] = [];
    const headers = ['E-mail', 'First Name', 'Last Name', 'Company Name'];
    const named = (jobId: string): ImportJob => ({
      ...jobOf(jobId),
      headers,
      mapping: resolveMapping(headers, undefined),
    });
    const create: SourceConfig = { ...strict, duplicatePolicy: 'create' };
    // Eight people with eight different names: one transaction group, each row on its own name block.
    const people = [
      'Ivan Okafor',
      'Ann Berg',
      'Lea Moreau',
      'Tom Sato',
      'Eva Lind',
      'Omar Haddad',
      'Zoe Park',
      'Raj Rao',
    ];
    const rowOf = (tag: string, i: number) => {
      const [first = '', last = ''] = (people[i] ?? '').split(' ');
      return { rowNumber: i + 2, values: [`${tag}${i}@stale${i}.io`, first, last, `Stale ${i}`] };
    };
    const b = instance(table, 'B', started);
    await b.store.createJob(named('imp-sa'));
    await b.store.createJob(named('imp-sb'));
    // Before each attempt of A's group transaction, another import adds someone of the next name: each attempt
    // finds one more row whose name block grew since its lookup, as four requests in flight on common names do.
    // (A group of eight rows is over 20 items; a lost row's own retry, one row, is not.)
    let next = 0;
    const db = new Proxy(table.db, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: { input?: { TransactItems?: unknown[] } }) => {
          if ((command.input?.TransactItems?.length ?? 0) > 20 && next < people.length) {
            const i = next++;
            await importBatch(
              { capture: b.capture, store: b.store },
              { job: named('imp-sb'), source: create, rows: [rowOf('b', i)], actor },
            );
          }
          return target.send(command as never);
        };
      },
    });
    const a = instance({ ...table, db }, 'A', started);

    const fromA = await importBatch(
      { capture: a.capture, store: a.store },
      { job: named('imp-sa'), source: create, rows: people.map((_, i) => rowOf('a', i)), actor },
    );

    expect(next).toBeGreaterThan(5);
    expect(fromA.map((r) => r.status)).toEqual(people.map(() => 'created'));
    expect(new Set(started).size).toBe(next + people.length);
  });
});
