import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition } from '../core/feed/attachment-policy';
import type { BlobUrls } from '../core/feed/lead-collab';

/**
 * Presigned S3 URLs for the private, encrypted attachments bucket (`ATTACHMENTS_BUCKET`). The upload
 * URL signs content-type and content-length, so S3 refuses any other type or size than declared.
 */
export const makeS3BlobUrls = (bucket: string, client = new S3Client({})): BlobUrls => ({
  uploadUrl: (key, contentType, size, expiresIn) =>
    getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }),
      {
        expiresIn,
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    ),
  downloadUrl: (key, fileName, contentType, expiresIn) =>
    getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        // S3 answers with these overrides: the declared type (never sniffed from the bytes) and a download, not a page.
        ResponseContentType: contentType,
        ResponseContentDisposition: attachmentDisposition(fileName),
      }),
      { expiresIn },
    ),
});
