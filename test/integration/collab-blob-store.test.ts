import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeLocalBlobUrls } from '../../functions/adapters/attachments-local';
import { makeBlobRoute } from '../../local/blob-store';

let server: Server;
let base: string;
beforeAll(async () => {
  const route = makeBlobRoute(mkdtempSync(join(tmpdir(), 'blobs-')), 's3cret');
  server = createServer((req, res) => void route(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise((r) => server.close(r)));

const file = Buffer.from('hello, attachment');

describe('the local blob store behind attachment URLs', () => {
  it('stores an upload made with the signed URL and serves it back to a signed download URL', async () => {
    const urls = makeLocalBlobUrls(base, 's3cret');
    const put = await fetch(await urls.uploadUrl('leads/L1/A1', 'text/plain', file.length, 60), {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: file,
    });
    const get = await fetch(await urls.downloadUrl('leads/L1/A1', 'notes.txt', 'text/plain', 60));
    expect(put.status).toBe(200);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-disposition')).toBe(`attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`);
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
    expect(get.headers.get('content-type')).toBe('text/plain');
    expect(await get.text()).toBe('hello, attachment');
  });

  it('refuses a tampered signature, another key, another size and another type', async () => {
    const urls = makeLocalBlobUrls(base, 's3cret');
    const url = await urls.uploadUrl('leads/L1/A2', 'text/plain', file.length, 60);
    const put = (target: string, type = 'text/plain', body: Buffer = file) =>
      fetch(target, { method: 'PUT', headers: { 'content-type': type }, body });
    expect((await put(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
    expect((await put(url.replace('A2', 'A3'))).status).toBe(403);
    expect(await put(url, 'text/html')).toHaveProperty('status', 403);
    expect(await put(url, 'text/plain', Buffer.concat([file, file]))).toHaveProperty('status', 403);
    expect((await fetch(url.replace('method=PUT', 'method=GET'))).status).toBe(403);
  });

  it('refuses an expired URL and a download of something never uploaded', async () => {
    const past = makeLocalBlobUrls(base, 's3cret', () => Date.now() - 3600_000);
    const urls = makeLocalBlobUrls(base, 's3cret');
    expect(
      (
        await fetch(await past.uploadUrl('leads/L1/A4', 'text/plain', file.length, 60), {
          method: 'PUT',
          headers: { 'content-type': 'text/plain' },
          body: file,
        })
      ).status,
    ).toBe(403);
    expect((await fetch(await urls.downloadUrl('leads/L1/none', 'x.txt', 'text/plain', 60))).status).toBe(404);
  });

  it('keeps keys inside its folder', async () => {
    const urls = makeLocalBlobUrls(base, 's3cret');
    const outside = await fetch(await urls.downloadUrl('../../etc/passwd', 'p', 'text/plain', 60));
    expect([400, 403, 404]).toContain(outside.status);
  });
});
