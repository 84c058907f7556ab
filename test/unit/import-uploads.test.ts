import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { importObjectKey, jobIdOfKey, makeImportUploads, rowsObjectKey } from '../../functions/adapters/import-uploads';

const JOB = `imp-${'0123456789abcdef'.repeat(2)}`;
const HASH = 'ab'.repeat(32);

describe('import uploads on S3', () => {
  it('presigns a PUT of the job\u2019s key that S3 only accepts with the file\u2019s SHA-256', async () => {
    // Presigning is local computation: no request leaves the process.
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const url = new URL(
      await makeImportUploads('leadflow-imports', client).uploadUrl(JOB, 'Fair 2026 (final).xlsx', HASH),
    );

    expect(url.pathname).toBe(`/imports/${JOB}/Fair_2026__final_.xlsx`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-checksum-sha256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('finds the job of an uploaded object and ignores the workflow\u2019s own objects', () => {
    expect(jobIdOfKey(importObjectKey(JOB, 'leads.csv'))).toBe(JOB);
    expect(jobIdOfKey(`imports/${JOB}/my+leads.csv`)).toBe(JOB);
    expect(jobIdOfKey(rowsObjectKey(JOB))).toBeUndefined();
    expect(jobIdOfKey('imports/not-a-job/leads.csv')).toBeUndefined();
  });
});
