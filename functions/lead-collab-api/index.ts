import { ulid } from 'ulid';
import { makeLocalBlobUrls } from '../adapters/attachments-local';
import { makeS3BlobUrls } from '../adapters/attachments-s3';
import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeEventBridgeClient, makeEventPublisher } from '../adapters/event-publisher';
import { makeNotesRepository } from '../adapters/notes-repository';
import { makePreferencesRepository } from '../adapters/outbox-repository';
import { httpHandler } from '../http/middleware';
import { makeLeadCollabApi } from './handler';

const db = makeDocumentClient();

/** On AWS presigned S3 URLs for ATTACHMENTS_BUCKET; locally (BLOB_DIR set) the runtime's blob route. */
const blobs = process.env.BLOB_DIR
  ? makeLocalBlobUrls(process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000')
  : makeS3BlobUrls(process.env.ATTACHMENTS_BUCKET ?? '');

export const handler = httpHandler(
  makeLeadCollabApi({
    store: makeNotesRepository(db, tableName()),
    blobs,
    events: makeEventPublisher(makeEventBridgeClient()),
    clock: { now: () => new Date() },
    ids: { next: () => ulid() },
    preferences: makePreferencesRepository(db, tableName()),
  }),
);
