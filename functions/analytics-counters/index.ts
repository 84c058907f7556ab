import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeCountersRepository } from '../adapters/counters-repository';
import { eventHandler } from '../http/middleware';
import { makeAnalyticsCountersHandler } from './handler';

export const handler = eventHandler(makeAnalyticsCountersHandler({ counters: makeCountersRepository(makeDocumentClient(), tableName()) }));
