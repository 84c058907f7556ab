import { randomUUID } from 'node:crypto';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeSourceAuditRepository } from '../adapters/source-audit-repository';
import { makeSourceCatalogRepository } from '../adapters/source-catalog-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { webhookSecretCreator, webhookSecretStore } from '../adapters/webhook-secrets';
import { httpHandler } from '../http/middleware';
import { logger } from '../http/observability';
import { makeSourcesApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('sourcesApi');
const secrets = env.need('secrets:rotate');
const prefix = env.need('secrets:create').WEBHOOK_SECRET_PREFIX;
const table = env.need('table:read').TABLE_NAME;
const db = makeDocumentClient();
const bus = makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME);
const clock = { now: () => new Date() };
const ids = { next: () => randomUUID() };

export const handler = httpHandler(
  makeSourcesApi({
    audit: makeSourceAuditRepository(db, table),
    catalog: {
      seed: sourcesFromEnv(env.house.LEADFLOW_SOURCES),
      store: makeSourceCatalogRepository(db, table),
      secrets: webhookSecretCreator(prefix),
      bus,
      clock,
      ids,
    },
    rotation: {
      store: webhookSecretStore(secrets.WEBHOOK_SECRET_PREFIX),
      bus,
      clock,
      ids,
      graceSeconds: secrets.WEBHOOK_SECRET_GRACE_SECONDS,
    },
    onFollowUpFailure: ({ step, sourceId, rotationId, error }) =>
      logger.error('source changed, but a follow-up failed', {
        step,
        sourceId,
        ...(rotationId ? { rotationId } : {}),
        error: { name: (error as Error).name, message: (error as Error).message },
      }),
  }),
);
