import { captureDepsFromEnv } from '../adapters/capture-deps';
import { sourcesFromEnv } from '../adapters/source-registry';
import { webhookSecrets } from '../adapters/webhook-secrets';
import { graceSecondsFrom } from '../core/webhook-secret-rotation';
import { httpHandler } from '../http/middleware';
import { makeWebhookHandler } from './handler';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { logger } from '../http/observability';

const sources = sourcesFromEnv();
const rejections = {
  publisher: makeEventPublisher(makeEventBridgeClient()),
  clock: { now: () => new Date() },
  onError: (error: unknown) => logger.warn('rejection not announced', { error: error as Error }),
};
export const handler = httpHandler(
  makeWebhookHandler({ capture: captureDepsFromEnv(), sources: () => sources, secrets: webhookSecrets(), graceSeconds: graceSecondsFrom(process.env.WEBHOOK_SECRET_GRACE_SECONDS), rejections }),
);
