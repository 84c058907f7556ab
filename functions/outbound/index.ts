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
    // No cache: a new subscription gets the very next event (one Query of a small partition per event).
    store: makeSubscriptionsRepository(makeDocumentClient(), table, { cacheMs: 0 }),
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
