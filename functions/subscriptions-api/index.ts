import { ulid } from 'ulid';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { outboundPolicyFromEnv, systemResolveAll } from '../adapters/outbound-http';
import { makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { httpHandler } from '../http/middleware';
import { makeSubscriptionsApi } from './handler';

export const handler = httpHandler(
  makeSubscriptionsApi({
    repo: makeSubscriptionsRepository(makeDocumentClient(), tableName(), { cacheMs: 0 }),
    ids: { next: () => `sub_${ulid()}` },
    clock: { now: () => new Date() },
    // Only the explicit local mode may target private hosts; delivery checks again on every connect.
    outbound: { policy: outboundPolicyFromEnv(), resolve: systemResolveAll },
  }),
);
