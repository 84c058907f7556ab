import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import type { CaptureDeps } from '../core/capture-lead';
import { NotFoundError } from '../core/errors';
import { MappingError, resolveMapping } from '../core/import/column-mapping';
import { ImportFileError } from '../core/import/import-file-error';
import { jobIdOfKey, rowOfItem, rowsObjectKey } from '../core/import/import-objects';
import type { ImportFiles, ImportNormaliser } from '../core/import/ports';
import { type ImportStore, importBatch, statusOf } from '../core/import/import-job';
import { lookupSource, type SourceProvider } from '../core/source-catalog';

/** The steps statemachines/lead-import.asl.json calls this function with. */
export const IMPORT_STEPS = ['prepare', 'batch', 'finish', 'fail'] as const;

export type ImportPacing = { batchSize: number; maxConcurrency: number };

export type ImportBatchFnDeps = {
  capture: CaptureDeps;
  store: ImportStore;
  /** The seed and the stored sources (a retired one answers 410). */
  sources: SourceProvider;
  files: ImportFiles;
  normalise: ImportNormaliser;
  pacing: ImportPacing;
  workDir?: string;
  concurrency?: number;
};

const eventSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('prepare'), bucket: z.string().min(1), key: z.string().min(1) }),
  z.object({
    step: z.literal('batch'),
    jobId: z.string().min(1),
    items: z.array(z.record(z.string(), z.string())).max(1000),
  }),
  z.object({ step: z.literal('finish'), jobId: z.string().min(1) }),
  z.object({
    step: z.literal('fail'),
    key: z.string(),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
  }),
]);
export type ImportStepEvent = z.input<typeof eventSchema>;

/** Step Functions hands a Lambda error over as { Error, Cause } with Cause = the serialised error. */
const reasonOf = (error: { Error?: string; Cause?: string }) => {
  try {
    const cause = JSON.parse(error.Cause ?? '') as { errorMessage?: string };
    return cause.errorMessage ?? error.Cause ?? error.Error ?? 'unknown error';
  } catch {
    return error.Cause ?? error.Error ?? 'unknown error';
  }
};

/** The import workflow's one function: prepare the file, import a batch of rows, check the end, record a failure. */
export const makeImportBatchHandler = (deps: ImportBatchFnDeps) => async (raw: ImportStepEvent) => {
  const event = eventSchema.parse(raw);
  switch (event.step) {
    case 'prepare': {
      const jobId = jobIdOfKey(event.key);
      if (!jobId) throw new ImportFileError(`${event.key} is not an import upload (imports/<jobId>/<file>)`);
      const job = await deps.store.getJob(jobId);
      if (!job) throw new NotFoundError('import', jobId);
      const dir = join(deps.workDir ?? tmpdir(), jobId);
      await mkdir(dir, { recursive: true });
      try {
        const input = join(dir, event.key.split('/').pop() ?? 'upload');
        const output = join(dir, 'rows.csv');
        await deps.files.download(event.bucket, event.key, input);
        const { headers, totalRows } = await deps.normalise(input, output, { sheet: job.sheet });
        let mapping: ReturnType<typeof resolveMapping>;
        try {
          mapping = resolveMapping(headers, job.mappingFile);
        } catch (error) {
          if (error instanceof MappingError)
            throw new ImportFileError(`the columns cannot be mapped: ${error.message}`);
          throw error;
        }
        await deps.files.upload(event.bucket, rowsObjectKey(jobId), output);
        await deps.store.setColumns(jobId, headers, mapping, totalRows);
        return { jobId, bucket: event.bucket, rowsKey: rowsObjectKey(jobId), totalRows, ...deps.pacing };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    case 'batch': {
      const job = await deps.store.getJob(event.jobId);
      if (!job) throw new NotFoundError('import', event.jobId);
      const source = await lookupSource(deps.sources, job.sourceId, 'import', 'import source');
      if (!source) throw new NotFoundError('import source', job.sourceId);
      const rows = event.items.map((item) => rowOfItem(item, job.headers.length));
      const outcomes = await importBatch(
        { capture: deps.capture, store: deps.store, concurrency: deps.concurrency },
        { job, source, rows, actor: job.createdBy },
      );
      // The Map keeps every batch's output: keep it small (counts live on the job).
      return { rows: outcomes.length };
    }
    case 'finish': {
      const job = await deps.store.getJob(event.jobId);
      if (!job) throw new NotFoundError('import', event.jobId);
      const status = statusOf(job);
      const processed = job.counts.created + job.counts.duplicates + job.counts.rejected;
      if (status !== 'completed')
        throw new Error(`import ${job.jobId} has outcomes for ${processed} of ${job.totalRows ?? '?'} rows`);
      return { jobId: job.jobId, status, counts: job.counts, totalRows: job.totalRows };
    }
    case 'fail': {
      const jobId = jobIdOfKey(event.key);
      if (jobId && (await deps.store.getJob(jobId))) await deps.store.fail(jobId, reasonOf(event.error));
      return { jobId, failed: true };
    }
  }
};
