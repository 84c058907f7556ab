import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeCountersRepository } from '../adapters/counters-repository';
import { httpHandler } from '../http/middleware';
import { makeReportsApi } from './handler';

export const handler = httpHandler(makeReportsApi({ counters: makeCountersRepository(makeDocumentClient(), tableName()), clock: { now: () => new Date() } }));
