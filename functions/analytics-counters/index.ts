import { makeDocumentClient } from '../adapters/aws-clients';
import { makeCountersRepository } from '../adapters/counters-repository';
import { eventHandler } from '../http/middleware';
import { makeAnalyticsCountersHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('analyticsCounters');
const table = env.need('table:read').TABLE_NAME;

export const handler = eventHandler(
  makeAnalyticsCountersHandler({ counters: makeCountersRepository(makeDocumentClient(), table) }),
);
