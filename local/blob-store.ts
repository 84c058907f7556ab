import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, normalize, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BlobGrant, grantIsSigned } from '../functions/adapters/attachments-local';
import { attachmentDisposition } from '../functions/core/feed/attachment-policy';

const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
};

/**
 * The local object store behind attachment URLs: `PUT`/`GET /_local/blobs/<key>?…&sig=`. It enforces
 * what a presigned S3 URL does — signature, expiry, the declared content type and exact size — and
 * keeps objects as files under `dir` (the runtime's data dir), never outside it.
 */
export const makeBlobRoute =
  (dir: string, secret: string) =>
  async (req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const key = decodeURIComponent(url.pathname.replace(/^\/_local\/blobs\//, ''));
    const q = url.searchParams;
    const method = req.method === 'PUT' ? 'PUT' : req.method === 'GET' ? 'GET' : undefined;
    if (!method) return problem(res, 405, 'Method Not Allowed', 'use PUT to upload and GET to download');
    const grant: BlobGrant = {
      method,
      key,
      expires: Number(q.get('expires')),
      contentType: q.get('type') ?? '',
      size: Number(q.get('size')),
      fileName: q.get('name') ?? '',
    };
    if (q.get('method') !== method || !grantIsSigned(secret, grant, q.get('sig') ?? ''))
      return problem(res, 403, 'Forbidden', 'the signature does not match this request');
    if (!Number.isFinite(grant.expires) || grant.expires * 1000 < Date.now())
      return problem(res, 403, 'Forbidden', 'the URL has expired');

    const root = normalize(dir);
    const file = normalize(join(root, key));
    if (!file.startsWith(root + sep)) return problem(res, 400, 'Bad Request', 'invalid key');

    if (method === 'GET') {
      if (!existsSync(file)) return problem(res, 404, 'Not Found', 'no object under this key (was it uploaded?)');
      res.writeHead(200, {
        'content-type': grant.contentType,
        'content-length': String(statSync(file).size),
        'content-disposition': attachmentDisposition(grant.fileName),
        // A user's upload is never sniffed into HTML or script, nor run if opened in place.
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      });
      await pipeline(createReadStream(file), res);
      return;
    }

    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== grant.contentType)
      return problem(res, 403, 'Forbidden', `the URL was signed for content-type ${grant.contentType}`);
    const declared = Number(req.headers['content-length']);
    if (req.headers['content-length'] !== undefined && declared !== grant.size)
      return problem(res, 403, 'Forbidden', `the URL was signed for ${grant.size} bytes`);

    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.part`;
    // A server that already read the request hands its bytes over; otherwise they are streamed to disk.
    if (body !== undefined) {
      if (body.length !== grant.size)
        return problem(res, 403, 'Forbidden', `the URL was signed for ${grant.size} bytes, received ${body.length}`);
      writeFileSync(partial, body);
      renameSync(partial, file);
      res.writeHead(200, { etag: `"${body.length}"` });
      res.end();
      return;
    }
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > grant.size ? new Error('too large') : null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(partial));
    } catch {
      writeFileSync(partial, '');
      return problem(res, 413, 'Payload Too Large', `the URL was signed for ${grant.size} bytes`);
    }
    if (received !== grant.size)
      return problem(res, 400, 'Bad Request', `received ${received} bytes, the URL was signed for ${grant.size}`);
    renameSync(partial, file);
    res.writeHead(200, { etag: `"${received}"` });
    res.end();
  };
