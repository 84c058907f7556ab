import { makeDocumentClient } from '../adapters/aws-clients';
import { makeCrmRepository } from '../adapters/crm-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeQuotesRepository } from '../adapters/quotes-repository';
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
  }),
);
