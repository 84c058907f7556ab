import { describe, expect, it } from '@jest/globals';
import { eventually, useTestRuntime } from '../support/runtime';

const { api } = useTestRuntime();

type Lead = { id: string; stage: string; owner?: string };

describe('attachments through the local runtime', () => {
  it('uploads a file to the signed URL, refuses other sizes and types, and downloads the same bytes', async () => {
    const created = await api.webhook('campaign-demo', {
      email: 'ines@fabrikam.example',
      company: 'Fabrikam',
      leadType: 'B2B',
    });
    const lead = await eventually(async () => {
      const l = (await api.request<Lead>('GET', `/leads/${created.body.leadId}`, { as: ['maria', 'manager'] })).body;
      return l.owner ? l : undefined;
    });
    const asOwner: [string, string] = [lead.owner as string, 'rep'];
    const file = Buffer.from('%PDF-1.7 offer for Fabrikam');

    const started = await api.request<{
      attachment: { id: string };
      upload: { url: string; headers: Record<string, string> };
    }>('POST', `/leads/${lead.id}/attachments`, {
      as: asOwner,
      body: { fileName: 'offer.pdf', contentType: 'application/pdf', size: file.length },
    });
    const tooBig = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.concat([file, file]),
    });
    const wrongType = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: file,
    });
    const upload = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: started.body.upload.headers,
      body: file,
    });
    const download = await api.request<{ download: { url: string } }>(
      'GET',
      `/leads/${lead.id}/attachments/${started.body.attachment.id}`,
      { as: asOwner },
    );
    const fetched = await fetch(download.body.download.url);
    const stranger = await api.request('GET', `/leads/${lead.id}/attachments/${started.body.attachment.id}`, {
      as: ['zoe', 'rep'],
    });

    expect(started.status).toBe(201);
    expect(tooBig.status).toBe(403);
    expect(wrongType.status).toBe(403);
    expect(upload.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(file);
    expect(stranger.status).toBe(404);
    const feed = await api.request<{ items: { kind: string; attachment?: { fileName: string } }[] }>(
      'GET',
      `/leads/${lead.id}/feed`,
      { as: asOwner },
    );
    expect(feed.body.items.find((i) => i.kind === 'attachment')?.attachment?.fileName).toBe('offer.pdf');
  });
});
