import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { guardedHttpPost, makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { eventHandler } from '../http/middleware';
import { makeOutboundHandler } from './handler';

export const handler = eventHandler(
  makeOutboundHandler({
    // No cache: a new subscription gets the very next event (one Query of a small partition per event).
    store: makeSubscriptionsRepository(makeDocumentClient(), tableName(), { cacheMs: 0 }),
    // Only the local runtime (or an explicit opt-in) may deliver to private addresses.
    post: guardedHttpPost(process.env.OUTBOUND_ALLOW_INSECURE === 'true' || Boolean(process.env.DYNAMODB_ENDPOINT)),
    now: () => new Date(),
    timeoutMs: Number(process.env.OUTBOUND_TIMEOUT_MS ?? 5000),
  }),
);
