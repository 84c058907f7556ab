import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { httpPost, makeSubscriptionsRepository } from '../adapters/subscriptions-repository';
import { makeOutboundHandler } from './handler';

export const handler = makeOutboundHandler({
  store: makeSubscriptionsRepository(makeDocumentClient(), tableName()),
  post: httpPost,
  now: () => new Date(),
  timeoutMs: Number(process.env.OUTBOUND_TIMEOUT_MS ?? 5000),
});
