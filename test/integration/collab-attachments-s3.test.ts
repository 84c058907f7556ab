import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { makeS3BlobUrls } from '../../functions/adapters/attachments-s3';

// Presigning is local computation: these URLs are built offline and never sent.
const s3 = new S3Client({
  region: 'eu-central-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});

describe('S3 attachment URLs', () => {
  it('signs the upload for exactly the declared content type and size', async () => {
    const url = new URL(
      await makeS3BlobUrls('leadflow-attachments', s3).uploadUrl('leads/L1/A1', 'application/pdf', 1234, 900),
    );
    expect(url.hostname).toBe('leadflow-attachments.s3.eu-central-1.amazonaws.com');
    expect(url.pathname).toBe('/leads/L1/A1');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host']),
    );
  });

  it('signs the attachment disposition safely for a file name with quotes and apostrophes', async () => {
    const url = new URL(
      await makeS3BlobUrls('leadflow-attachments', s3).downloadUrl(
        'leads/L1/A1',
        `x.pdf"; filename="evil.html`,
        'application/pdf',
        900,
      ),
    );
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="x.pdf__ filename=_evil.html"; filename*=UTF-8''x.pdf%22%3B%20filename%3D%22evil.html`,
    );
  });

  it('makes the download save under the original file name with its type', async () => {
    const url = new URL(
      await makeS3BlobUrls('leadflow-attachments', s3).downloadUrl(
        'leads/L1/A1',
        'offer 2026.pdf',
        'application/pdf',
        900,
      ),
    );
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="offer 2026.pdf"; filename*=UTF-8''offer%202026.pdf`,
    );
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');
  });
});
