import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { makeImportRepository } from '../adapters/import-repository';
import { normaliseToCsv } from '../adapters/import-normalise';
import { makeImportFiles } from '../adapters/import-uploads';
import { sourcesFromEnv } from '../adapters/source-registry';
import { makeTokenBucket, pacedStarter } from '../core/import/pacing';
import { eventHandler } from '../http/middleware';
import { makeImportBatchHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('importBatch');
const table = env.need('table:read').TABLE_NAME;

/**
 * Pacing (docs/import.md): at most IMPORT_MAX_CONCURRENCY batches run at once, each starting
 * lifecycles through its own token bucket of IMPORT_STARTS_PER_SECOND, so the import as a whole
 * starts at most concurrency × rate executions per second.
 */
const sources = sourcesFromEnv(env.house.LEADFLOW_SOURCES);
const db = makeDocumentClient();
const capture = captureDepsFromEnv(env);
const pacing = env.settings('importBatch');
const bucket = makeTokenBucket({ ratePerSecond: pacing.IMPORT_STARTS_PER_SECOND, burst: pacing.IMPORT_STARTS_BURST });

export const handler = eventHandler(
  makeImportBatchHandler({
    capture: {
      ...capture,
      store: makeBatchedCaptureStore(db, table),
      workflow: pacedStarter(capture.workflow, bucket),
    },
    store: makeImportRepository(db, table),
    sources: () => sources,
    files: makeImportFiles(),
    normalise: normaliseToCsv,
    pacing: { batchSize: pacing.IMPORT_BATCH_SIZE, maxConcurrency: pacing.IMPORT_MAX_CONCURRENCY },
  }),
);
