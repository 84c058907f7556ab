import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { importUploadsFromEnv } from '../adapters/import-uploads';
import { makeImportRepository } from '../adapters/import-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { makeImportsApi } from './handler';

const sources = sourcesFromEnv();
export const handler = httpHandler(
  makeImportsApi({
    capture: captureDepsFromEnv(),
    store: makeImportRepository(makeDocumentClient(), tableName()),
    sources: () => sources,
    clock: { now: () => new Date() },
    uploads: importUploadsFromEnv(),
  }),
);
