import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from '@jest/globals';
import { makeBatchedCaptureStore } from '../../functions/adapters/import-capture-store';
import { makeImportRepository } from '../../functions/adapters/import-repository';
import { normaliseToCsv } from '../../functions/adapters/import-normalise';
import { jobIdOf, ZERO_COUNTS } from '../../functions/core/import/import-job';
import type { ImportFiles } from '../../functions/core/import/ports';
import type { SourceConfig } from '../../functions/core/sources';
import { makeImportBatchHandler } from '../../functions/import-batch/handler';
import { freshTable } from '../support/table';
import { writeXlsx } from '../unit/import-fixtures';

/** S3 stand-in for the workflow's file port: a bucket is a folder. Only the port is replaced, not an SDK client. */
const folderFiles = (root: string): ImportFiles => ({
  download: (bucket, key, path) => copyFile(join(root, bucket, key), path),
  async upload(bucket, key, path) {
    await mkdir(dirname(join(root, bucket, key)), { recursive: true });
    await copyFile(path, join(root, bucket, key));
  },
});

const source: SourceConfig = {
  id: 'import',
  kind: 'import',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};

const setup = async () => {
  const table = await freshTable('import-wf');
  const root = await mkdtemp(join(tmpdir(), 'leadflow-s3-'));
  const started: string[] = [];
  let n = 0;
  const store = makeImportRepository(table.db, table.name);
  const handler = makeImportBatchHandler({
    capture: {
      store: makeBatchedCaptureStore(table.db, table.name),
      workflow: { startLifecycle: async (id) => void started.push(id) },
      clock: { now: () => new Date('2026-11-23T10:00:00Z') },
      ids: { next: () => `L${String(++n).padStart(6, '0')}` },
    },
    store,
    sources: () => [source],
    files: folderFiles(root),
    normalise: normaliseToCsv,
    pacing: { batchSize: 3, maxConcurrency: 2 },
    workDir: await mkdtemp(join(tmpdir(), 'leadflow-work-')),
  });
  /** What POST /imports does before handing out the upload URL. */
  const upload = async (fileName: string, content: string | ((path: string) => Promise<void>)) => {
    const jobId = jobIdOf('b'.repeat(64), source.id, undefined, fileName);
    await store.createJob({
      jobId,
      sourceId: 'import',
      fileName,
      contentHash: 'b'.repeat(64),
      headers: [],
      mapping: { targets: [], defaults: {} },
      createdAt: '2026-11-23T10:00:00Z',
      createdBy: { kind: 'user', id: 'sam', source: 'IMPORT' },
      counts: { ...ZERO_COUNTS },
    });
    const key = `imports/${jobId}/${fileName}`;
    await mkdir(join(root, 'bucket', dirname(key)), { recursive: true });
    if (typeof content === 'string') await writeFile(join(root, 'bucket', key), content);
    else await content(join(root, 'bucket', key));
    return { jobId, key };
  };
  /** What the Distributed Map's CSV ItemReader + ItemBatcher hand to each child execution. */
  const batchesOf = async (rowsKey: string, size: number) => {
    const items = parse(await readFile(join(root, 'bucket', rowsKey)), { columns: true }) as Record<string, string>[];
    return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
  };
  return { handler, store, upload, batchesOf, started };
};

const CSV =
  'E-mail,Name,Notes\nann@acme.com,Ann Lee,"met at booth, call back"\nnot-an-email,Bo,\n\nANN@acme.com,Ann L.,again\ncy@beta.io,Cy Dee,\n';

describe('the import workflow function against DynamoDB Local', () => {
  it('prepares an upload, imports every batch once even when a batch is retried, and finishes with exact counts', async () => {
    const { handler, store, upload, batchesOf, started } = await setup();
    const { jobId, key } = await upload('fair.csv', CSV);

    const prepared = (await handler({ step: 'prepare', bucket: 'bucket', key })) as {
      rowsKey: string;
      totalRows: number;
      batchSize: number;
      maxConcurrency: number;
    };
    const batches = await batchesOf(prepared.rowsKey, prepared.batchSize);
    for (const items of batches) await handler({ step: 'batch', jobId, items });
    await handler({ step: 'batch', jobId, items: batches[0] ?? [] }); // the Map retries a batch
    const finished = await handler({ step: 'finish', jobId });

    expect(prepared).toMatchObject({ jobId, totalRows: 4, batchSize: 3, maxConcurrency: 2 });
    expect(finished).toMatchObject({
      status: 'completed',
      counts: { created: 3, duplicates: 0, rejected: 1, possibleDuplicates: 1 },
    });
    expect(started).toHaveLength(3);
    const rejected: { outcome: { rowNumber: number }; values: string[] }[] = [];
    for await (const r of store.rejectedRows(jobId)) rejected.push(r);
    expect(rejected.map((r) => [r.outcome.rowNumber, r.values])).toEqual([[3, ['not-an-email', 'Bo', '']]]);
  });

  it('keeps the row numbers of the file through the normalised CSV, also for XLSX', async () => {
    const { handler, upload, batchesOf } = await setup();
    const { key } = await upload('export.xlsx', (path) =>
      writeXlsx(
        path,
        ['Email', 'Company'],
        [
          ['a@b.io', 'B'],
          ['c@d.io', 'D'],
        ],
      ),
    );

    const prepared = (await handler({ step: 'prepare', bucket: 'bucket', key })) as { rowsKey: string };
    const [items] = await batchesOf(prepared.rowsKey, 10);

    expect(items).toEqual([
      { row: '2', c1: 'a@b.io', c2: 'B' },
      { row: '3', c1: 'c@d.io', c2: 'D' },
    ]);
  });

  it('refuses a malformed upload before any row is written, and records why on the job', async () => {
    const { handler, store, upload } = await setup();
    const { jobId, key } = await upload('ragged.csv', 'Email,Name\na@b.io\n');

    const error = await handler({ step: 'prepare', bucket: 'bucket', key }).catch((e: Error) => e);
    await handler({
      step: 'fail',
      key,
      error: { Error: 'ImportFileError', Cause: JSON.stringify({ errorMessage: (error as Error).message }) },
    });
    const job = await store.getJob(jobId);

    expect((error as Error).message).toMatch(/line 2: 1 fields where the header has 2/);
    expect(job?.failure).toMatch(/line 2: 1 fields where the header has 2/);
    expect(job?.counts).toEqual(ZERO_COUNTS);
  });

  it('does not call an import finished while rows are missing', async () => {
    const { handler, upload } = await setup();
    const { jobId, key } = await upload('fair.csv', CSV);
    await handler({ step: 'prepare', bucket: 'bucket', key });

    await expect(handler({ step: 'finish', jobId })).rejects.toThrow(/outcomes for 0 of 4 rows/);
  });
});
