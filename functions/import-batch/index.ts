import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { makeImportRepository } from '../adapters/import-repository';
import { makeImportFiles } from '../adapters/import-uploads';
import { sourcesFromEnv } from '../adapters/source-registry';
import { makeTokenBucket, pacedStarter } from '../core/import/pacing';
import { eventHandler } from '../http/middleware';
import { makeImportBatchHandler } from './handler';

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${process.env[name]}'`);
  return value;
};

/**
 * Pacing (docs/import.md): at most IMPORT_MAX_CONCURRENCY batches run at once, each starting
 * lifecycles through its own token bucket of IMPORT_STARTS_PER_SECOND, so the import as a whole
 * starts at most concurrency × rate executions per second.
 */
const sources = sourcesFromEnv();
const db = makeDocumentClient();
const capture = captureDepsFromEnv();
const bucket = makeTokenBucket({ ratePerSecond: numberFromEnv('IMPORT_STARTS_PER_SECOND', 20), burst: numberFromEnv('IMPORT_STARTS_BURST', 20) });

export const handler = eventHandler(
  makeImportBatchHandler({
    capture: { ...capture, store: makeBatchedCaptureStore(db, tableName()), workflow: pacedStarter(capture.workflow, bucket) },
    store: makeImportRepository(db, tableName()),
    sources: () => sources,
    files: makeImportFiles(),
    pacing: { batchSize: numberFromEnv('IMPORT_BATCH_SIZE', 100), maxConcurrency: numberFromEnv('IMPORT_MAX_CONCURRENCY', 5) },
  }),
);
