import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ImportUploads } from '../imports-api/handler';

/** Where an import's file is uploaded; the bucket's event starts the import workflow for this prefix. */
export const importObjectKey = (jobId: string, fileName: string) => `imports/${jobId}/${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}`;

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
    return getSignedUrl(client, command, { expiresIn: UPLOAD_URL_SECONDS, unhoistableHeaders: new Set(['x-amz-checksum-sha256']) });
  },
});

/** On AWS `IMPORTS_BUCKET` is set by the stack; locally it is not, and rows are posted instead. */
export const importUploadsFromEnv = (): ImportUploads | undefined => (process.env.IMPORTS_BUCKET ? makeImportUploads(process.env.IMPORTS_BUCKET) : undefined);
