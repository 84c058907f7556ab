import type { FunctionEnv } from '../env/function-env';
import { makeLocalBlobUrls } from './attachments-local';
import { makeS3BlobUrls } from './attachments-s3';
import { makeDocumentClient } from './aws-clients';
import { makeConfigRepository } from './config-repository';
import { makeEventBridgeClient, makeEventPublisher } from './event-publisher';
import { makeLeadReader } from './lead-repository';
import { makeLocalPrivacyBlobs, makeS3PrivacyBlobs } from './privacy-blobs';
import { makePrivacyRepository } from './privacy-repository';
import { makeKeyHasher } from './suppression';
import { makeExecutionStopper, makeSfnClient } from './workflow-client';

/**
 * The adapters behind an erasure, as both privacy functions wire them (the API and the archive-replay
 * consumer; their needs: table and privacy): the store, blobs, the suppression hasher, the execution
 * stopper and the event publisher.
 */
export const makePrivacyDeps = (env: FunctionEnv) => {
  const db = makeDocumentClient();
  const table = env.need('table:read').TABLE_NAME;
  const buckets = env.need('privacy');
  // On AWS the attachments and imports buckets; locally (BLOB_DIR set) the runtime's blob folder.
  const blobs = env.local.BLOB_DIR
    ? makeLocalPrivacyBlobs(env.local.BLOB_DIR, makeLocalBlobUrls(env.local.PUBLIC_URL ?? 'http://127.0.0.1:3000'))
    : makeS3PrivacyBlobs(
        { attachments: buckets.ATTACHMENTS_BUCKET ?? '', imports: buckets.IMPORTS_BUCKET },
        makeS3BlobUrls(buckets.ATTACHMENTS_BUCKET ?? ''),
      );
  const hashKey = makeKeyHasher(db, table);
  const leads = makeLeadReader(db, table);
  return {
    db,
    table,
    blobs,
    hashKey,
    config: makeConfigRepository(db, table),
    store: makePrivacyRepository(db, table, blobs, hashKey),
    executions: makeExecutionStopper(
      makeSfnClient(),
      buckets.STATE_MACHINE_ARN,
      async (leadId) => (await leads.get(leadId))?.execution?.name,
    ),
    events: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
  };
};
