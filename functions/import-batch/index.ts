import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsWithWake } from '../adapters/capture-deps';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { makeKeyHasher } from '../adapters/suppression';
import { makeImportRepository } from '../adapters/import-repository';
import { normaliseToCsv } from '../adapters/import-normalise';
import { makeImportFiles } from '../adapters/import-uploads';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
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
// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const db = makeDocumentClient();
// A row of someone in nurture is new activity on their lead: it wakes it, as a webhook does.
const capture = captureDepsWithWake(env);
const pacing = env.settings('importBatch');
const bucket = makeTokenBucket({ ratePerSecond: pacing.IMPORT_STARTS_PER_SECOND, burst: pacing.IMPORT_STARTS_BURST });

export const handler = eventHandler(
  makeImportBatchHandler({
    capture: {
      ...capture,
      store: makeBatchedCaptureStore(db, table),
      workflow: pacedStarter(capture.workflow, bucket),
    },
    store: makeImportRepository(db, table, undefined, makeKeyHasher(db, table)),
    sources,
    files: makeImportFiles(),
    normalise: normaliseToCsv,
    pacing: { batchSize: pacing.IMPORT_BATCH_SIZE, maxConcurrency: pacing.IMPORT_MAX_CONCURRENCY },
  }),
);
