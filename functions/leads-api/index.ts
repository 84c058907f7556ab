import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { captureDepsFromEnv } from '../adapters/capture-deps';
import { makeLeadReader } from '../adapters/lead-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { makeConfigRepository } from '../adapters/config-repository';
import { readConfig } from '../core/config/config-document';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import { stagesConfig } from '../core/lifecycle/stages-config';
import { httpHandler } from '../http/middleware';
import { makeLeadsApi } from './handler';

const sources = sourcesFromEnv();
const db = makeDocumentClient();
const config = makeConfigRepository(db, tableName());
export const handler = httpHandler(
  makeLeadsApi({
    capture: captureDepsFromEnv(),
    leads: makeLeadReader(db, tableName()),
    sources: () => sources,
    stages: async () => (await readConfig(config, stagesConfig)).value,
    approvals: async () => (await readConfig(config, approvalsConfig)).value,
    tasks: makeTasksRepository(db, tableName()),
  }),
);
