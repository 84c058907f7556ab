import { ulid } from 'ulid';
import { makeLocalBlobUrls } from '../adapters/attachments-local';
import { makeS3BlobUrls } from '../adapters/attachments-s3';
import { makeDocumentClient } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeNotesRepository } from '../adapters/notes-repository';
import { makePreferencesRepository } from '../adapters/outbox-repository';
import { httpHandler } from '../http/middleware';
import { makeLeadCollabApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('leadCollabApi');
const table = env.need('table:read').TABLE_NAME;

const db = makeDocumentClient();

/** On AWS presigned S3 URLs for ATTACHMENTS_BUCKET; locally (BLOB_DIR set) the runtime's blob route. */
const blobs = env.local.BLOB_DIR
  ? makeLocalBlobUrls(env.local.PUBLIC_URL ?? 'http://127.0.0.1:3000')
  : makeS3BlobUrls(env.need('attachments').ATTACHMENTS_BUCKET ?? '');

export const handler = httpHandler(
  makeLeadCollabApi({
    store: makeNotesRepository(db, table),
    blobs,
    events: makeEventPublisher(makeEventBridgeClient(), env.house.EVENT_BUS_NAME),
    clock: { now: () => new Date() },
    ids: { next: () => ulid() },
    preferences: makePreferencesRepository(db, table),
  }),
);
