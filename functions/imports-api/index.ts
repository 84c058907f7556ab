import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsWithWake } from '../adapters/capture-deps';
import { makeDuplicatesReader } from '../adapters/duplicates-repository';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { importUploadsIn } from '../adapters/import-uploads';
import { makeKeyHasher } from '../adapters/suppression';
import { makeImportRepository } from '../adapters/import-repository';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
import { makeTokenBucket, pacedStarter } from '../core/import/pacing';
import { httpHandler } from '../http/middleware';
import { makeImportsApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('importsApi');
const table = env.need('table:read').TABLE_NAME;

// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const db = makeDocumentClient();
// A row of someone in nurture is new activity on their lead: it wakes it, as a webhook does.
const capture = captureDepsWithWake(env);
/**
 * One CLI import keeps two batches in flight, so it runs in at most two function instances at a
 * time: this bucket bounds each one's lifecycle starts (default 50/s, so 100/s per import, under the
 * smallest regional StartExecution refill of 150/s). See docs/import.md.
 */
const rate = env.settings('importsApi').IMPORT_API_STARTS_PER_SECOND;
const starts = makeTokenBucket({ ratePerSecond: rate, burst: rate });
export const handler = httpHandler(
  makeImportsApi({
    // Same capture core and items as every channel; rows captured together share round trips.
    capture: {
      ...capture,
      store: makeBatchedCaptureStore(db, table),
      workflow: pacedStarter(capture.workflow, starts),
    },
    store: makeImportRepository(db, table, undefined, makeKeyHasher(db, table)),
    sources,
    clock: { now: () => new Date() },
    uploads: importUploadsIn(env.need('imports').IMPORTS_BUCKET),
    duplicates: makeDuplicatesReader(db, table),
  }),
);
