import { makeDocumentClient } from '../adapters/aws-clients';
import { captureDepsWithWake } from '../adapters/capture-deps';
import { makeDuplicatesReader } from '../adapters/duplicates-repository';
import { makeLeadReader } from '../adapters/lead-repository';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
import { makeConfigRepository } from '../adapters/config-repository';
import { readConfig } from '../core/config/config-document';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import { stagesConfig } from '../core/lifecycle/stages-config';
import { makeLeadLister } from '../adapters/lead-lister';
import { makeLeadSearch } from '../adapters/search-repository';
import { makeViewsRepository } from '../adapters/views-repository';
import { teamsConfig } from '../core/lifecycle/teams-config';
import { httpHandler } from '../http/middleware';
import { makeLeadsApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('leadsApi');
const table = env.need('table:read').TABLE_NAME;

// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const db = makeDocumentClient();
const config = makeConfigRepository(db, table);
export const handler = httpHandler(
  makeLeadsApi({
    // A lead entered by hand for someone in nurture is new activity on their lead: it wakes it.
    capture: captureDepsWithWake(env),
    leads: makeLeadReader(db, table),
    sources,
    stages: async () => (await readConfig(config, stagesConfig)).value,
    approvals: async () => (await readConfig(config, approvalsConfig)).value,
    tasks: makeTasksRepository(db, table),
    lists: {
      lister: makeLeadLister(db, table),
      search: makeLeadSearch(db, table),
      views: makeViewsRepository(db, table),
      teams: async () => (await readConfig(config, teamsConfig)).value,
    },
    duplicates: makeDuplicatesReader(db, table),
  }),
);
