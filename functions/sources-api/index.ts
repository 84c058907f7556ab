import { randomUUID } from 'node:crypto';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeSourceAuditRepository } from '../adapters/source-audit-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { webhookSecretStore } from '../adapters/webhook-secrets';
import { httpHandler } from '../http/middleware';
import { logger } from '../http/observability';
import { makeSourcesApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('sourcesApi');
const secrets = env.need('secrets:rotate');
const table = env.need('table:read').TABLE_NAME;

export const handler = httpHandler(
  makeSourcesApi({
    sources: sourcesFromEnv(env.house.LEADFLOW_SOURCES),
    audit: makeSourceAuditRepository(makeDocumentClient(), table),
    rotation: {
      store: webhookSecretStore(secrets.WEBHOOK_SECRET_PREFIX),
      bus: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
      clock: { now: () => new Date() },
      ids: { next: () => randomUUID() },
      graceSeconds: secrets.WEBHOOK_SECRET_GRACE_SECONDS,
    },
    onFollowUpFailure: ({ step, sourceId, rotationId, error }) =>
      logger.error('webhook secret rotated, but a follow-up failed', {
        step,
        sourceId,
        rotationId,
        error: { name: (error as Error).name, message: (error as Error).message },
      }),
  }),
);
