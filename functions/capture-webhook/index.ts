import { captureDepsFromEnv } from '../adapters/capture-deps';
import { sourcesFromEnv } from '../adapters/source-registry';
import { webhookSecrets } from '../adapters/webhook-secrets';
import { graceSecondsFrom } from '../core/webhook-secret-rotation';
import { httpHandler } from '../http/middleware';
import { makeWebhookHandler } from './handler';

const sources = sourcesFromEnv();
export const handler = httpHandler(
  makeWebhookHandler({ capture: captureDepsFromEnv(), sources: () => sources, secrets: webhookSecrets(), graceSeconds: graceSecondsFrom(process.env.WEBHOOK_SECRET_GRACE_SECONDS) }),
);
