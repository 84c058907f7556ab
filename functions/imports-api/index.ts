import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeBatchedCaptureStore } from '../adapters/import-capture-store';
import { importUploadsFromEnv } from '../adapters/import-uploads';
import { makeImportRepository } from '../adapters/import-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { makeImportsApi } from './handler';

const sources = sourcesFromEnv();
const db = makeDocumentClient();
export const handler = httpHandler(
  makeImportsApi({
    // Same capture core and items as every channel; rows captured together share round trips.
    capture: { ...captureDepsFromEnv(), store: makeBatchedCaptureStore(db, tableName()) },
    store: makeImportRepository(db, tableName()),
    sources: () => sources,
    clock: { now: () => new Date() },
    uploads: importUploadsFromEnv(),
  }),
);
