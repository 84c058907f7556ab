import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { makeLocalBlobUrls } from '../adapters/attachments-local';
import { makeS3BlobUrls } from '../adapters/attachments-s3';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeConsentRepository } from '../adapters/consent-repository';
import { makeLeadReader } from '../adapters/lead-repository';
import { readConfig } from '../core/config/config-document';
import { privacyConfig } from '../core/privacy/privacy-config';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeLocalPrivacyBlobs, makeS3PrivacyBlobs } from '../adapters/privacy-blobs';
import { makePrivacyRepository } from '../adapters/privacy-repository';
import { makeKeyHasher } from '../adapters/suppression';
import { makeExecutionStopper, makeSfnClient } from '../adapters/workflow-client';
import { functionEnv } from '../env/function-env';
import { httpHandler } from '../http/middleware';
import { makePrivacyApi } from './handler';

const env = functionEnv('privacyApi');
const table = env.need('table:read').TABLE_NAME;
const db = makeDocumentClient();
const buckets = env.need('privacy');

/** On AWS the attachments and imports buckets; locally (BLOB_DIR set) the runtime's blob folder. */
const blobs = env.local.BLOB_DIR
  ? makeLocalPrivacyBlobs(env.local.BLOB_DIR, makeLocalBlobUrls(env.local.PUBLIC_URL ?? 'http://127.0.0.1:3000'))
  : makeS3PrivacyBlobs(
      { attachments: buckets.ATTACHMENTS_BUCKET ?? '', imports: buckets.IMPORTS_BUCKET },
      makeS3BlobUrls(buckets.ATTACHMENTS_BUCKET ?? ''),
    );
const hashKey = makeKeyHasher(db, table);
const config = makeConfigRepository(db, table);
const leads = makeLeadReader(db, table);

export const handler = httpHandler(
  makePrivacyApi({
    store: makePrivacyRepository(db, table, blobs, hashKey),
    executions: makeExecutionStopper(
      makeSfnClient(),
      buckets.STATE_MACHINE_ARN,
      async (leadId) => (await leads.get(leadId))?.execution?.name,
    ),
    events: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    ids: { next: () => ulid() },
    hashKey,
    idForKey: (key) => `era_${createHash('sha256').update(key).digest('hex').slice(0, 26)}`,
    exports: blobs,
    consents: makeConsentRepository(db, table),
    policy: async () => {
      const doc = await readConfig(config, privacyConfig);
      return { version: doc.version, value: doc.value };
    },
  }),
);
