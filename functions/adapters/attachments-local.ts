import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BlobUrls } from '../core/feed/lead-collab';
import { localOverrides } from '../env/function-env';

/** The secret the local runtime's blob route checks (local/blob-store.ts). Never used on AWS. */
export const localBlobSecret = (configured = localOverrides().LEADFLOW_LOCAL_JWT_SECRET) =>
  configured ?? 'leadflow-local-development-only-secret';

export type BlobGrant = {
  method: 'PUT' | 'GET';
  key: string;
  expires: number;
  contentType: string;
  size: number;
  fileName: string;
};

const canonical = (g: BlobGrant) => [g.method, g.key, g.expires, g.contentType, g.size, g.fileName].join('\n');

export const signGrant = (secret: string, grant: BlobGrant) =>
  createHmac('sha256', secret).update(canonical(grant)).digest('base64url');

/** True when `sig` was made for exactly this grant with `secret`, in constant time. */
export const grantIsSigned = (secret: string, grant: BlobGrant, sig: string) => {
  const expected = Buffer.from(signGrant(secret, grant));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
};

/**
 * The local stand-in for presigned S3 URLs: `${PUBLIC_URL}/_local/blobs/<key>?…&sig=` with an HMAC over
 * method, key, expiry, content type, size and file name, so the blob route enforces what S3 would.
 */
export const makeLocalBlobUrls = (publicUrl: string, secret = localBlobSecret(), now = () => Date.now()): BlobUrls => {
  const url = (grant: BlobGrant) => {
    const query = new URLSearchParams({
      method: grant.method,
      expires: String(grant.expires),
      type: grant.contentType,
      size: String(grant.size),
      name: grant.fileName,
      sig: signGrant(secret, grant),
    });
    return `${publicUrl.replace(/\/$/, '')}/_local/blobs/${grant.key.split('/').map(encodeURIComponent).join('/')}?${query}`;
  };
  const expiry = (seconds: number) => Math.floor(now() / 1000) + seconds;
  return {
    uploadUrl: async (key, contentType, size, expiresIn) =>
      url({ method: 'PUT', key, expires: expiry(expiresIn), contentType, size, fileName: '' }),
    downloadUrl: async (key, fileName, contentType, expiresIn) =>
      url({ method: 'GET', key, expires: expiry(expiresIn), contentType, size: 0, fileName }),
  };
};
