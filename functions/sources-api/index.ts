import { randomUUID } from 'node:crypto';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeSourceAuditRepository } from '../adapters/source-audit-repository';
import { sourcesFromEnv } from '../adapters/source-registry';
import { webhookSecretStore } from '../adapters/webhook-secrets';
import { graceSecondsFrom } from '../core/webhook-secret-rotation';
import { httpHandler } from '../http/middleware';
import { logger } from '../http/observability';
import { makeSourcesApi } from './handler';

export const handler = httpHandler(
  makeSourcesApi({
    sources: sourcesFromEnv(),
    audit: makeSourceAuditRepository(makeDocumentClient(), tableName()),
    rotation: {
      store: webhookSecretStore(),
      bus: makeEventPublisher(makeEventBridgeClient()),
      clock: { now: () => new Date() },
      ids: { next: () => randomUUID() },
      graceSeconds: graceSecondsFrom(process.env.WEBHOOK_SECRET_GRACE_SECONDS),
    },
    onFollowUpFailure: ({ step, sourceId, rotationId, error }) =>
      logger.error('webhook secret rotated, but a follow-up failed', { step, sourceId, rotationId, error: { name: (error as Error).name, message: (error as Error).message } }),
  }),
);
