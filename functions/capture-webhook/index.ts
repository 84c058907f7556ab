import { captureDepsWithWake } from '../adapters/capture-deps';
import { sourcesFromFunctionEnv } from '../adapters/source-registry';
import { webhookSecrets } from '../adapters/webhook-secrets';
import { httpHandler } from '../http/middleware';
import { makeWebhookHandler } from './handler';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { logger } from '../http/observability';
import { functionEnv } from '../env/function-env';

const env = functionEnv('captureWebhook');
const secrets = env.need('secrets:webhooks');

// The seed plus the sources sales ops changed at run time, cached ten seconds per instance (source-registry.ts).
const sources = sourcesFromFunctionEnv(env);
const publisher = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME);
const rejections = {
  publisher,
  clock: { now: () => new Date() },
  onError: (error: unknown) => logger.warn('rejection not announced', { error: error as Error }),
};
export const handler = httpHandler(
  makeWebhookHandler({
    // An inbound capture of someone in nurture wakes their lead.
    capture: captureDepsWithWake(env, publisher),
    sources,
    secrets: webhookSecrets(secrets.WEBHOOK_SECRET_PREFIX, env.local.LEADFLOW_WEBHOOK_SECRETS),
    graceSeconds: secrets.WEBHOOK_SECRET_GRACE_SECONDS,
    rejections,
  }),
);
