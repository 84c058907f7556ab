import { ulid } from 'ulid';
import { makeDocumentClient } from '../adapters/aws-clients';
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
    // Only the local runtime (or an explicit opt-in) may target plain http and private hosts.
    allowInsecure: env.settings('subscriptionsApi').OUTBOUND_ALLOW_INSECURE || env.house.LEADFLOW_MODE === 'local',
  }),
);
