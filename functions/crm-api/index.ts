import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { readConfig } from '../core/config/config-document';
import { opportunityStagesKind } from '../core/conversion/opportunity-stages';
import { httpHandler } from '../http/middleware';
import { makeCrmApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('crmApi');
const table = env.need('table:read').TABLE_NAME;

const db = makeDocumentClient();
const config = makeConfigRepository(db, table);
export const handler = httpHandler(
  makeCrmApi({
    crm: makeCrmRepository(db, table),
    stageSets: () => readConfig(config, opportunityStagesKind),
    events: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
  }),
);
