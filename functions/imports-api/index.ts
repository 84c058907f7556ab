import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { importUploadsFromEnv } from '../adapters/import-uploads';
import { makeImportRepository } from '../adapters/import-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { makeTokenBucket, pacedStarter } from '../core/import/pacing';
import { httpHandler } from '../http/middleware';
import { makeImportsApi } from './handler';

const sources = sourcesFromEnv();
const db = makeDocumentClient();
const capture = captureDepsFromEnv();
/**
 * One CLI import keeps two batches in flight, so it runs in at most two function instances at a
 * time: this bucket bounds each one's lifecycle starts (default 50/s, so 100/s per import, under the
 * smallest regional StartExecution refill of 150/s). See docs/import.md.
 */
const rate = Number(process.env.IMPORT_API_STARTS_PER_SECOND ?? 50);
const starts = makeTokenBucket({ ratePerSecond: rate > 0 ? rate : 50, burst: rate > 0 ? rate : 50 });
export const handler = httpHandler(
  makeImportsApi({
    // Same capture core and items as every channel; rows captured together share round trips.
    capture: { ...capture, store: makeBatchedCaptureStore(db, tableName()), workflow: pacedStarter(capture.workflow, starts) },
    store: makeImportRepository(db, tableName()),
    sources: () => sources,
    clock: { now: () => new Date() },
    uploads: importUploadsFromEnv(),
  }),
);
