import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeCountersRepository } from '../adapters/counters-repository';
import { makeAnalyticsCountersHandler } from './handler';

export const handler = makeAnalyticsCountersHandler({ counters: makeCountersRepository(makeDocumentClient(), tableName()) });
