import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobUrls } from '../core/feed/lead-collab';
import type { BlobRemover } from './privacy-repository';

/** Where a subject-access export's files go (attachments bucket; a lifecycle rule expires them). */
export const EXPORT_PREFIX = 'privacy-exports/';

export type ExportStore = {
  put(key: string, body: string, contentType: string): Promise<void>;
  downloadUrl: BlobUrls['downloadUrl'];
};

/** On AWS: objects in the attachments and imports buckets (presigned downloads from the first). */
export const makeS3PrivacyBlobs = (
  buckets: { attachments: string; imports?: string },
  urls: BlobUrls,
  client = new S3Client({}),
): BlobRemover & ExportStore => ({
  async remove(store, key) {
    const bucket = store === 'attachments' ? buckets.attachments : buckets.imports;
    if (!bucket) return;
    // Deleting a missing key succeeds: a resumed erasure removes nothing twice.
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  async put(key, body, contentType) {
    await client.send(
      new PutObjectCommand({ Bucket: buckets.attachments, Key: key, Body: body, ContentType: contentType }),
    );
  },
  downloadUrl: urls.downloadUrl,
});

/** Locally: files under the runtime's blob folder (the same one the blob route serves); no import files exist. */
export const makeLocalPrivacyBlobs = (dir: string, urls: BlobUrls): BlobRemover & ExportStore => {
  const root = normalize(dir);
  const fileOf = (key: string) => {
    const file = normalize(join(root, key));
    if (!file.startsWith(root + sep)) throw new Error(`invalid object key '${key}'`);
    return file;
  };
  return {
    async remove(store, key) {
      if (store === 'attachments') await rm(fileOf(key), { force: true });
    },
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, body);
    },
    downloadUrl: urls.downloadUrl,
  };
};
