import { ulid } from 'ulid';
import { makeDocumentClient } from '../adapters/aws-clients';
import { outboundPolicy, systemResolveAll } from '../adapters/outbound-http';
import { makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { httpHandler } from '../http/middleware';
import { makeSubscriptionsApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('subscriptionsApi');
const table = env.need('table:read').TABLE_NAME;

export const handler = httpHandler(
  makeSubscriptionsApi({
    repo: makeSubscriptionsRepository(makeDocumentClient(), table, { cacheMs: 0 }),
    ids: { next: () => `sub_${ulid()}` },
    clock: { now: () => new Date() },
    // Only the explicit local mode may target private hosts; delivery checks again on every connect.
    outbound: {
      policy: outboundPolicy({
        localMode: env.house.LEADFLOW_MODE === 'local',
        allowInsecure: env.settings('subscriptionsApi').OUTBOUND_ALLOW_INSECURE,
      }),
      resolve: systemResolveAll,
    },
  }),
);
