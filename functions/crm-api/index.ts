import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { readConfig } from '../core/config/config-document';
import { opportunityStagesKind } from '../core/conversion/opportunity-stages';
import { httpHandler } from '../http/middleware';
import { makeCrmApi } from './handler';

const db = makeDocumentClient();
const config = makeConfigRepository(db, tableName());
export const handler = httpHandler(
  makeCrmApi({
    crm: makeCrmRepository(db, tableName()),
    stageSets: () => readConfig(config, opportunityStagesKind),
    events: makeEventPublisher(makeEventBridgeClient()),
    clock: { now: () => new Date() },
  }),
);
