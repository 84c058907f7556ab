import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { importObjectKey } from '../core/import/import-objects';
import type { ImportFiles, ImportUploads } from '../core/import/ports';

export { importObjectKey, jobIdOfKey, rowsObjectKey } from '../core/import/import-objects';

const UPLOAD_URL_SECONDS = 15 * 60;

/**
 * Presigned PUT bound to the file's SHA-256: S3 refuses an upload whose bytes do not hash to the
 * value the job id was derived from, so a job can never be fed a different file.
 */
export const makeImportUploads = (bucket: string, client = new S3Client({})): ImportUploads => ({
  async uploadUrl(jobId, fileName, contentHash) {
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: importObjectKey(jobId, fileName),
      ChecksumSHA256: Buffer.from(contentHash, 'hex').toString('base64'),
    });
    return getSignedUrl(client, command, {
      expiresIn: UPLOAD_URL_SECONDS,
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
  },
});

/** On AWS `IMPORTS_BUCKET` is set by the stack; locally it is not, and rows are posted instead. */
export const importUploadsIn = (bucket: string | undefined): ImportUploads | undefined =>
  bucket ? makeImportUploads(bucket) : undefined;

/** Streams objects to and from the function's /tmp, so memory stays flat whatever the file size. */
export const makeImportFiles = (client = new S3Client({})): ImportFiles => ({
  async download(bucket, key, path) {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    await pipeline(out.Body as Readable, createWriteStream(path));
  },
  async upload(bucket, key, path) {
    const { size } = await stat(path);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: 'text/csv',
      }),
    );
  },
});
