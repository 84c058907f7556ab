import { ulid } from 'ulid';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { httpHandler } from '../http/middleware';
import { makeSubscriptionsApi } from './handler';

export const handler = httpHandler(
  makeSubscriptionsApi({
    repo: makeSubscriptionsRepository(makeDocumentClient(), tableName(), { cacheMs: 0 }),
    ids: { next: () => `sub_${ulid()}` },
    clock: { now: () => new Date() },
    // Only the local runtime (or an explicit opt-in) may target plain http and private hosts.
    allowInsecure: process.env.OUTBOUND_ALLOW_INSECURE === 'true' || Boolean(process.env.DYNAMODB_ENDPOINT),
  }),
);
