import { createHash } from 'node:crypto';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeLeadReader } from '../adapters/lead-repository';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLocalBlobUrls } from '../adapters/attachments-local';
import { makeS3BlobUrls } from '../adapters/attachments-s3';
import { makeLocalPrivacyBlobs, makeS3PrivacyBlobs } from '../adapters/privacy-blobs';
import { makeRecaptureChecks } from '../adapters/privacy-recapture';
import { makePrivacyRepository } from '../adapters/privacy-repository';
import { makeKeyHasher } from '../adapters/suppression';
import { makeExecutionStopper, makeSfnClient } from '../adapters/workflow-client';
import { readConfig } from '../core/config/config-document';
import { privacyConfig } from '../core/privacy/privacy-config';
import { functionEnv } from '../env/function-env';
import { eventHandler } from '../http/middleware';
import { makePrivacyEventsHandler } from './handler';

const env = functionEnv('privacyEvents');
const table = env.need('table:read').TABLE_NAME;
const db = makeDocumentClient();
const buckets = env.need('privacy');
const blobs = env.local.BLOB_DIR
  ? makeLocalPrivacyBlobs(env.local.BLOB_DIR, makeLocalBlobUrls(env.local.PUBLIC_URL ?? 'http://127.0.0.1:3000'))
  : makeS3PrivacyBlobs(
      { attachments: buckets.ATTACHMENTS_BUCKET ?? '', imports: buckets.IMPORTS_BUCKET },
      makeS3BlobUrls(buckets.ATTACHMENTS_BUCKET ?? ''),
    );
const hashKey = makeKeyHasher(db, table);
const config = makeConfigRepository(db, table);
const leads = makeLeadReader(db, table);

export const handler = eventHandler(
  makePrivacyEventsHandler({
    store: makePrivacyRepository(db, table, blobs, hashKey),
    executions: makeExecutionStopper(
      makeSfnClient(),
      buckets.STATE_MACHINE_ARN,
      async (leadId) => (await leads.get(leadId))?.execution?.name,
    ),
    events: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    policy: async () => (await readConfig(config, privacyConfig)).value,
    ...makeRecaptureChecks(db, table, hashKey),
    replayIdOf: (eventId, replayName) =>
      `era_${createHash('sha256').update(`${replayName}\n${eventId}`).digest('hex').slice(0, 26)}`,
  }),
);
