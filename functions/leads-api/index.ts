import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeLeadReader } from '../adapters/lead-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { httpHandler } from '../http/middleware';
import { makeLeadsApi } from './handler';

const sources = sourcesFromEnv();
export const handler = httpHandler(
  makeLeadsApi({ capture: captureDepsFromEnv(), leads: makeLeadReader(makeDocumentClient(), tableName()), sources: () => sources }),
);
