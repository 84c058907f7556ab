import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeOutboundPost, outboundPolicyFromEnv } from '../adapters/outbound-http';
import { makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { makeOutboundHandler } from './handler';

export const handler = makeOutboundHandler({
  // No cache: a new subscription gets the very next event (one Query of a small partition per event).
  store: makeSubscriptionsRepository(makeDocumentClient(), tableName(), { cacheMs: 0 }),
  // Public addresses only, checked on the address each socket connects to (local mode: loopback and private too).
  post: makeOutboundPost(outboundPolicyFromEnv()),
  now: () => new Date(),
  timeoutMs: Number(process.env.OUTBOUND_TIMEOUT_MS ?? 5000),
});
