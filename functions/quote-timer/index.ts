import { makeDocumentClient } from '../adapters/aws-clients';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeQuotesRepository } from '../adapters/quotes-repository';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeTasksRepository } from '../adapters/tasks-repository';
import { readConfig } from '../core/config/config-document';
import { approvalsConfig } from '../core/lifecycle/approvals-config';
import { teamsConfig } from '../core/lifecycle/teams-config';
import { functionEnv } from '../env/function-env';
import { eventHandler } from '../http/middleware';
import { makeQuoteTimerHandler } from './handler';

const env = functionEnv('quoteTimer');
const table = env.need('table:write').TABLE_NAME;
const db = makeDocumentClient();

export const handler = eventHandler(
  makeQuoteTimerHandler({
    quotes: makeQuotesRepository(db, table),
    crm: makeCrmRepository(db, table),
    publisher: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    tasks: makeTasksRepository(db, table),
    approvals: async () => (await readConfig(makeConfigRepository(db, table), approvalsConfig)).value,
    teams: async () => (await readConfig(makeConfigRepository(db, table), teamsConfig)).value,
  }),
);
