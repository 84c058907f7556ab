import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeCountersRepository } from '../adapters/counters-repository';
import { readConfig } from '../core/config/config-document';
import { teamsConfig } from '../core/lifecycle/teams-config';
import { availabilityFrom } from '../core/reports/availability';
import { httpHandler } from '../http/middleware';
import { makeReportsApi } from './handler';

const db = makeDocumentClient();
const config = makeConfigRepository(db, tableName());
export const handler = httpHandler(
  makeReportsApi({
    counters: makeCountersRepository(db, tableName()),
    clock: { now: () => new Date() },
    availability: async () => availabilityFrom((await readConfig(config, teamsConfig)).value),
  }),
);
