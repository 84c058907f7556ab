import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeCountersRepository } from '../adapters/counters-repository';
import { readConfig } from '../core/config/config-document';
import { teamsConfig } from '../core/lifecycle/teams-config';
import { availabilityFrom } from '../core/reports/availability';
import { httpHandler } from '../http/middleware';
import { makeReportsApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('reportsApi');
const table = env.need('table:read').TABLE_NAME;

const db = makeDocumentClient();
const config = makeConfigRepository(db, table);
export const handler = httpHandler(
  makeReportsApi({
    counters: makeCountersRepository(db, table),
    clock: { now: () => new Date() },
    availability: async () => availabilityFrom((await readConfig(config, teamsConfig)).value),
  }),
);
