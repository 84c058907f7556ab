import { makeDocumentClient } from '../adapters/aws-clients';
import { makeOutboundPost, outboundPolicy } from '../adapters/outbound-http';
import { makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { eventHandler } from '../http/middleware';
import { makeOutboundHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('outbound');
const settings = env.settings('outbound');
const table = env.need('table:read').TABLE_NAME;

export const handler = eventHandler(
  makeOutboundHandler({
    // Cached per process for 5 s (SUBSCRIPTIONS_CACHE_MS); creating or removing a subscription clears it in the
    // process that did it (locally: every function) at once.
    store: makeSubscriptionsRepository(makeDocumentClient(), table),
    // Public addresses only, checked on the address each socket connects to (local mode: loopback and private too).
    post: makeOutboundPost(
      outboundPolicy({
        localMode: env.house.LEADFLOW_MODE === 'local',
        allowInsecure: settings.OUTBOUND_ALLOW_INSECURE,
      }),
    ),
    now: () => new Date(),
    timeoutMs: settings.OUTBOUND_TIMEOUT_MS,
  }),
);
