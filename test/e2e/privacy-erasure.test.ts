import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, it } from '@jest/globals';
import fixture from '../fixtures/lex-v2-fulfillment.json';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { expect } from '../support/expect';
import { eventually, useTestRuntime } from '../support/runtime';

const { rt, api } = useTestRuntime();

const PERSON = {
  firstName: 'Adelheid',
  lastName: 'Quintessenz',
  email: 'adelheid.quintessenz@privacy-probe.example',
  phone: '+49 30 901820',
  phoneE164: '+4930901820',
  note: 'Adelheid mentioned her daughter starts at Heidelberg in October',
  attachment: 'adelheid-passport-scan.pdf',
  title: 'Chief Quintessence Officer',
};
/** Anything of these left anywhere after the erasure is a leak. */
const NEEDLES = [
  PERSON.firstName,
  PERSON.lastName,
  PERSON.email,
  PERSON.phoneE164,
  PERSON.phone,
  'adelheid.quintessenz',
  'daughter starts at Heidelberg',
  PERSON.attachment,
  PERSON.title,
];
const OTHER = { email: 'bruno.bystander@privacy-probe.example', firstName: 'Bruno', note: 'Bruno keeps his data' };

const privacy: [string, string] = ['dora', 'privacy'];
const manager: [string, string] = ['maria', 'manager'];

const scanTable = async () => {
  const db = makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({ TableName: rt.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
};
const text = (item: unknown) => JSON.stringify(item, (_k, v) => (v instanceof Set ? [...v] : v));
const leaksIn = (value: string) => NEEDLES.filter((n) => value.toLowerCase().includes(n.toLowerCase()));

const blobFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? blobFiles(join(dir, e.name)) : [join(dir, e.name)],
    );
  } catch {
    return [];
  }
};

/** The bus, the workflows and their consumers write for a moment after each request: wait until quiet. */
const settle = async () => {
  let last = '';
  for (let quiet = 0; quiet < 3; ) {
    await rt.bus.drain();
    const now = String((await scanTable()).length);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 200));
  }
};

const lead = async (id: string) =>
  (await api.request<Record<string, unknown>>('GET', `/leads/${id}`, { as: manager })).body;

describe('a person captured through every channel, exported, then erased', () => {
  it('leaves nothing personal in any table item or blob, keeps report totals, and keeps the bystander', async () => {
    // --- capture: webhook, form, import, manual entry, chatbot
    const webhook = await api.webhook('campaign-demo', {
      firstName: PERSON.firstName,
      lastName: PERSON.lastName,
      email: PERSON.email,
      phone: PERSON.phone,
      company: 'Probe Analytics',
      jobTitle: PERSON.title,
      leadType: 'B2B',
      country: 'DE',
      expectedValue: 12000,
    });
    expect(webhook.status).toBe(202);
    const leadId = String(webhook.body.leadId);
    const form = await api.request('POST', '/forms/contact-us', {
      raw: `first_name=${PERSON.firstName}&email=${encodeURIComponent(PERSON.email)}&interest=widgets`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(202);
    const job = await api.request<{ jobId: string }>('POST', '/imports', {
      as: ['sam', 'salesops'],
      body: {
        fileName: 'fair.csv',
        contentHash: createHash('sha256').update('fair').digest('hex'),
        source: 'tradeshow',
        headers: ['email', 'firstName', 'phone'],
      },
    });
    expect(job.status, job.text).toBeLessThan(300);
    const rows = await api.request<{ results: { status: string; leadId?: string }[] }>(
      'POST',
      `/imports/${job.body.jobId}/rows`,
      {
        as: ['sam', 'salesops'],
        body: {
          rows: [
            // Rejected as a duplicate (trade-show policy): a rejected row holding the person's values.
            { rowNumber: 2, values: [PERSON.email, PERSON.firstName, PERSON.phone] },
            { rowNumber: 3, values: [OTHER.email, OTHER.firstName, ''] },
          ],
        },
      },
    );
    expect(rows.body.results.map((r) => r.status)).toEqual(['duplicate', 'created']);
    const manual = await api.request('POST', '/leads', {
      as: ['rob', 'rep'],
      body: { firstName: PERSON.firstName, lastName: PERSON.lastName, phone: PERSON.phone, leadType: 'B2C' },
    });
    expect(manual.status, manual.text).toBeLessThan(300);
    const chat = structuredClone(fixture) as unknown as {
      sessionId: string;
      sessionState: { intent: { slots: Record<string, unknown> } };
    };
    chat.sessionId = 'privacy-session';
    const slot = (v: string) => ({
      shape: 'Scalar',
      value: { originalValue: v, interpretedValue: v, resolvedValues: [] },
    });
    Object.assign(chat.sessionState.intent.slots, {
      FirstName: slot(PERSON.firstName),
      LastName: slot(PERSON.lastName),
      Email: slot(PERSON.email),
    });
    const bot = await fetch(`${rt.url}/2015-03-31/functions/captureChatbot/invocations`, {
      method: 'POST',
      body: JSON.stringify(chat),
    });
    expect(bot.status).toBe(200);

    // --- work the webhook lead: note, attachment, activity, conversion
    const assigned = await eventually(async () => {
      const l = await lead(leadId);
      return l.owner ? l : undefined;
    });
    // A merge of the form lead into it, then its undo: the merge record keeps both leads' values for the
    // undo, and the restored form lead runs a lifecycle restarted under its own name (`--unmerge-`).
    const formId = String(form.body.leadId);
    await eventually(async () => ((await lead(formId)).stage === 'Assigned' ? true : undefined));
    const merged = await api.request<{ mergeId: string }>('POST', '/merges', {
      as: ['sam', 'salesops'],
      body: { survivor: leadId, leads: [formId] },
    });
    expect(merged.status, merged.text).toBe(201);
    const undone = await api.request('POST', `/merges/${merged.body.mergeId}/undo`, {
      as: ['sam', 'salesops'],
      body: {},
    });
    expect(undone.status, undone.text).toBe(200);
    const restarted = await eventually(async () => {
      const name = (await lead(formId)).execution as { name?: string } | undefined;
      const runs = (await api.request<{ name: string; status: string }[]>('GET', `/_local/executions/${formId}`)).body;
      return name?.name?.includes('--unmerge-') && runs?.some((r) => r.name === name.name && r.status === 'RUNNING')
        ? name.name
        : undefined;
    });
    const owner: [string, string] = [String(assigned.owner), 'rep'];
    expect(
      (await api.request('POST', `/leads/${leadId}/notes`, { as: owner, body: { text: PERSON.note } })).status,
    ).toBe(201);
    const file = Buffer.from(`%PDF-1.7 ${PERSON.firstName} ${PERSON.lastName} passport`);
    const started = await api.request<{ upload: { url: string; headers: Record<string, string> } }>(
      'POST',
      `/leads/${leadId}/attachments`,
      { as: owner, body: { fileName: PERSON.attachment, contentType: 'application/pdf', size: file.length } },
    );
    expect(
      (await fetch(started.body.upload.url, { method: 'PUT', headers: started.body.upload.headers, body: file }))
        .status,
    ).toBe(200);
    const activity = await api.request('POST', `/leads/${leadId}/activities`, {
      as: owner,
      body: { activityId: 'reply-1', type: 'email-reply', occurredAt: new Date().toISOString() },
    });
    expect(activity.status, activity.text).toBe(201);
    const act = async (action: string) =>
      eventually(async () => {
        const res = await api.request('POST', `/leads/${leadId}/actions/${action}`, { as: owner, body: {} });
        return res.status === 409 && String(res.body.detail).includes('moving') ? undefined : res;
      });
    await act('qualify');
    await act('handoff');
    // A quote, sent: its version names the customer, and its PDF is a blob under leads/<id>/quotes/.
    const quote = await api.request<{ id: string; totals: Record<string, number> }>('POST', `/leads/${leadId}/quotes`, {
      as: owner,
      body: { lines: [{ sku: 'SUPPORT-24', quantity: 2 }] },
    });
    expect(quote.status, quote.text).toBe(201);
    const sent = await api.request<{ quote: { pdf?: { fileName: string } } }>(
      'POST',
      `/quotes/${quote.body.id}/actions/send`,
      { as: owner },
    );
    expect(sent.status, sent.text).toBe(200);
    const quotePdfs = () => blobFiles(String(process.env.BLOB_DIR)).filter((f) => f.includes(`${leadId}/quotes/`));
    expect(quotePdfs()).toHaveLength(1);
    expect((await act('convert')).status).toBe(200);
    await eventually(async () => ((await lead(leadId)).stage === 'Converted' ? true : undefined));

    // A bystander from the same company, with a note of their own: they must survive the erasure.
    const other = await api.webhook('campaign-demo', {
      email: OTHER.email,
      firstName: OTHER.firstName,
      company: 'Probe Analytics',
    });
    const otherId = String(other.body.leadId);
    const otherOwner = await eventually(async () => (await lead(otherId)).owner as string | undefined);
    await api.request('POST', `/leads/${otherId}/notes`, { as: [otherOwner, 'rep'], body: { text: OTHER.note } });
    await settle();

    const day = new Date().toISOString().slice(0, 10);
    const funnel = async () =>
      (await api.request('GET', `/reports/funnel?from=${day}&to=${day}`, { as: manager })).body;
    const reportBefore = await funnel();
    const before = await scanTable();
    expect(leaksIn(before.map(text).join('\n')).length).toBeGreaterThan(5);

    // --- export: everything held, as JSON and formula-safe CSV per kind, a short-lived download
    const refused = await api.request('POST', '/privacy/exports', {
      as: ['rob', 'rep'],
      body: { email: PERSON.email },
    });
    expect(refused.status).toBe(403);
    const invalid = await api.request('POST', '/privacy/exports', { as: privacy, body: { phone: 'x12' } });
    expect(invalid.status).toBe(422);
    const exported = await api.request<{
      leadIds: string[];
      counts: Record<string, number>;
      files: { name: string; url: string }[];
    }>('POST', '/privacy/exports', { as: privacy, body: { email: PERSON.email } });
    expect(exported.status, exported.text).toBe(201);
    // Webhook, form and chatbot by e-mail; the manual lead (phone only) shares the phone with the webhook lead.
    expect(exported.body.leadIds.length).toBe(3);
    expect(exported.body.counts).toMatchObject({
      leads: 3,
      notes: expect.any(Number),
      attachments: 1,
      contacts: 1,
      quotes: 1,
      merges: 1,
    });
    const json = exported.body.files.find((f) => f.name === 'export.json');
    const archive = await (await fetch(String(json?.url))).text();
    expect(archive).toContain(PERSON.note);
    expect(archive).toContain(PERSON.email);
    expect(archive).not.toContain(OTHER.note);
    expect(exported.body.files.map((f) => f.name)).toEqual(expect.arrayContaining(['leads.csv', 'notes.csv']));
    const byPhone = await api.request<{ leadIds: string[] }>('POST', '/privacy/exports', {
      as: privacy,
      body: { phone: PERSON.phone },
    });
    expect(byPhone.body.leadIds).toHaveLength(2);

    // --- erase by e-mail, then by phone (the manual lead carries only the phone): idempotent, resumable
    const erase = (body: unknown, key: string) =>
      api.request<{
        id: string;
        status: string;
        progress: { leadsTotal: number; leadsErased: number };
        counts: Record<string, number>;
      }>('POST', '/privacy/erasures', { as: privacy, body, headers: { 'idempotency-key': key } });
    const first = await erase({ email: PERSON.email }, 'dsr-1');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ status: 'done', progress: { leadsTotal: 3, leadsErased: 3 } });
    expect(first.body.counts.blobsRemoved).toBeGreaterThanOrEqual(2); // the attachment and the export's files
    const again = await erase({ email: PERSON.email }, 'dsr-1');
    expect(again.body).toEqual(first.body);
    const second = await erase({ phone: PERSON.phone }, 'dsr-2');
    expect(second.body.status).toBe('done');
    const progress = await api.request('GET', `/privacy/erasures/${first.body.id}`, { as: privacy });
    expect(progress.body).toMatchObject({ status: 'done', requestedBy: 'dora' });
    await settle();

    // --- nothing personal remains in any table item or blob
    const after = await scanTable();
    const leaking = after.filter((item) => leaksIn(text(item)).length > 0);
    expect(leaking.map((i) => `${i.pk} ${i.sk}: ${leaksIn(text(i)).join(', ')}`)).toEqual([]);
    const blobs = blobFiles(String(process.env.BLOB_DIR));
    const leakingBlobs = blobs.filter((f) => leaksIn(readFileSync(f, 'latin1')).length > 0);
    expect(leakingBlobs).toEqual([]);

    // The quote keeps its number and amounts (customer pseudonymised); its PDF is gone.
    const quoteAfter = await api.request<{ id: string; totals: Record<string, number>; customer: { name: string } }>(
      'GET',
      `/quotes/${quote.body.id}`,
      { as: manager },
    );
    expect(quoteAfter.body).toMatchObject({
      id: quote.body.id,
      totals: quote.body.totals,
      customer: { name: '[erased]' },
    });
    expect(quotePdfs()).toEqual([]);
    // The merge stays on record (who, when, which leads) without its undo data; the lifecycle its undo restarted was stopped.
    const mergeAfter = await api.request<Record<string, unknown>>('GET', `/merges/${merged.body.mergeId}`, {
      as: ['sam', 'salesops'],
    });
    expect(mergeAfter.body).toMatchObject({
      mergeId: merged.body.mergeId,
      survivorId: leadId,
      mergedIds: [formId],
      erased: { erasureId: first.body.id },
    });
    const runs = (await api.request<{ name: string; status: string }[]>('GET', `/_local/executions/${formId}`)).body;
    expect(runs.find((r) => r.name === restarted)?.status).toBe('ABORTED');

    // ... while the reports count the same, the leads stay counted (pseudonymised), each with a tombstone.
    expect(await funnel()).toEqual(reportBefore);
    const erased = await lead(leadId);
    expect(erased).toMatchObject({ id: leadId, stage: 'Converted', erased: { erasureId: first.body.id } });
    const feed = await api.request<{ items: { kind: string; action?: string; actor?: { id: string } }[] }>(
      'GET',
      `/leads/${leadId}/feed?limit=100`,
      { as: manager },
    );
    expect(feed.body.items.find((e) => e.action === 'personal-data-erased')?.actor?.id).toBe('dora');
    expect(after.some((i) => String(i.pk).startsWith('SUPPRESSED#email#'))).toBe(true);
    // The bystander keeps everything.
    expect(await lead(otherId)).toMatchObject({ email: OTHER.email, firstName: OTHER.firstName });
    expect(after.some((i) => text(i).includes(OTHER.note))).toBe(true);
    // The erasure was announced with ids only (the archive keeps it for a replay after a restore).
    const announced = await api.events('PersonalDataErased');
    expect(announced.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify(announced))).toEqual([]);

    // A restore to before the erasure brings the lead back; replaying the archived events erases it again.
    const db = makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint));
    const restored = before.find((i) => i.pk === `LEAD#${leadId}` && i.sk === 'LEAD');
    await db.send(new PutCommand({ TableName: rt.tableName, Item: restored }));
    expect(leaksIn(text(await lead(leadId))).length).toBeGreaterThan(0);
    for (const e of announced) {
      const replayed = await fetch(`${rt.url}/2015-03-31/functions/privacyEvents/invocations`, {
        method: 'POST',
        body: JSON.stringify({ ...e, 'replay-name': 'after-restore-1' }),
      });
      expect(replayed.status).toBe(200);
    }
    expect(leaksIn(text(await lead(leadId)))).toEqual([]);

    // With the policy's recapture "flag", the erased person coming back is flagged (by the suppression hash).
    const policy = await api.request<{ version: number; value: Record<string, unknown> }>('GET', '/config/privacy', {
      as: privacy,
    });
    const put = await api.request('PUT', '/config/privacy', {
      as: privacy,
      body: { version: policy.body.version, value: { ...policy.body.value, recapture: 'flag' } },
    });
    expect(put.status, put.text).toBe(200);
    const back = await api.webhook('campaign-demo', { email: PERSON.email });
    const flagged = await eventually(async () =>
      (await lead(String(back.body.leadId))).previouslyErased ? true : undefined,
    );
    expect(flagged).toBe(true);
  });

  it('keeps consent with its proof, and a withdrawal stops marketing integrations from hearing about the lead', async () => {
    const received: { path: string; type: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: String(JSON.parse(body).type) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const subscribe = (path: string, marketing: boolean) =>
        api.request('POST', '/config/subscriptions', {
          as: ['sam', 'salesops'],
          body: { url: `${base}${path}`, eventTypes: ['LeadNoteAdded'], marketing },
        });
      expect((await subscribe('/marketing', true)).status).toBe(201);
      expect((await subscribe('/crm', false)).status).toBe(201);

      const capturedAt = new Date().toISOString();
      const created = await api.webhook('campaign-demo', {
        email: 'carla.consent@privacy-probe.example',
        consent: { marketing: true, capturedAt, textVersion: 'newsletter-2026-03' },
      });
      const leadId = String(created.body.leadId);
      const owner = await eventually(async () => (await lead(leadId)).owner as string | undefined);
      const note = async (text: string) =>
        expect(
          (await api.request('POST', `/leads/${leadId}/notes`, { as: [owner, 'rep'], body: { text } })).status,
        ).toBe(201);
      await note('first call');
      await settle();
      expect(received.map((r) => r.path).sort()).toEqual(['/crm', '/marketing']);

      const noProof = await api.request('POST', `/leads/${leadId}/consents`, {
        as: [owner, 'rep'],
        body: { granted: true, source: 'call' },
      });
      expect(noProof.status).toBe(422);
      expect(noProof.body).toMatchObject({ errors: [{ field: 'textVersion' }] });
      const withdrawn = await api.request('POST', `/leads/${leadId}/consents`, {
        as: [owner, 'rep'],
        body: { purpose: 'marketing-email', granted: false, channel: 'EMAIL', source: 'unsubscribe-link' },
      });
      expect(withdrawn.status, withdrawn.text).toBe(201);
      await note('second call');
      await settle();
      // The CRM integration hears of the second note; the marketing one does not.
      expect(received.map((r) => r.path).sort()).toEqual(['/crm', '/crm', '/marketing']);

      const consents = await api.request<{ current: Record<string, boolean>; history: Record<string, unknown>[] }>(
        'GET',
        `/leads/${leadId}/consents`,
        { as: manager },
      );
      expect(consents.body.current).toEqual({ 'marketing-email': false });
      expect(consents.body.history).toMatchObject([
        {
          origin: 'capture',
          granted: true,
          textVersion: 'newsletter-2026-03',
          channel: 'WEBHOOK',
          source: 'campaign-demo',
          at: capturedAt,
        },
        { origin: 'api', granted: false, channel: 'EMAIL', source: 'unsubscribe-link', recordedBy: { id: owner } },
      ]);
      const stranger = await api.request('GET', `/leads/${leadId}/consents`, { as: ['zoe', 'rep'] });
      expect(stranger.status).toBe(404);
    } finally {
      receiver.close();
    }
  });
});
