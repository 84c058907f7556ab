import { makeDocumentClient } from '../adapters/aws-clients';
import { guardedHttpPost, makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { makeOutboundHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('outbound');
const settings = env.settings('outbound');
const table = env.need('table:read').TABLE_NAME;

export const handler = makeOutboundHandler({
  // No cache: a new subscription gets the very next event (one Query of a small partition per event).
  store: makeSubscriptionsRepository(makeDocumentClient(), table, { cacheMs: 0 }),
  // Only the local runtime (or an explicit opt-in) may deliver to private addresses.
  post: guardedHttpPost(settings.OUTBOUND_ALLOW_INSECURE || env.house.LEADFLOW_MODE === 'local'),
  now: () => new Date(),
  timeoutMs: settings.OUTBOUND_TIMEOUT_MS,
});
