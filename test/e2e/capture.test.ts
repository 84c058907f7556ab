import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { eventually, useTestRuntime } from '../support/runtime';

const { rt, api } = useTestRuntime();

/**
 * Test-only: every item in the table but the analytics counters, to prove a rejected request wrote no
 * lead data. (A rejected delivery is counted for the sources report: a counter and its event marker.)
 */
const tableItems = async () => {
  const db = makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint));
  const out = await db.send(new ScanCommand({ TableName: rt.tableName, ConsistentRead: true }));
  return (out.Items ?? []).filter((item) => !String(item.pk).startsWith('COUNTERS#')).length;
};

/** Earlier leads' executions and consumers keep writing for a moment: wait until the table is quiet. */
const settledItems = async () => {
  let last = -1;
  let quiet = 0;
  for (;;) {
    await rt.bus.drain();
    const now = await tableItems();
    quiet = now === last ? quiet + 1 : 0;
    if (quiet >= 3) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
};

const signed = (
  sourceId: string,
  body: string,
  { id = `msg_${Math.random()}`, at = new Date(), secret }: { id?: string; at?: Date; secret?: string } = {},
) => ({
  'content-type': 'application/json',
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret ?? (rt.webhookSecrets[sourceId] as string)).sign(id, at, body),
});

type Case = {
  name: string;
  status: number;
  field?: string;
  send: () => Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
};

const hook = (body: string, headers?: Record<string, string>, source = 'campaign-demo') =>
  api.request('POST', `/webhooks/${source}`, { raw: body, headers: headers ?? signed(source, body) });
const lead = (fields: unknown) => hook(JSON.stringify(fields));
const sixMinutes = 6 * 60 * 1000;

const MALFORMED: Case[] = [
  {
    name: 'unknown source',
    status: 404,
    send: () => hook('{"email":"a@b.example"}', signed('campaign-demo', '{"email":"a@b.example"}'), 'no-such-source'),
  },
  {
    name: 'no signature headers',
    status: 401,
    field: 'webhook-id',
    send: () => hook('{"email":"a@b.example"}', { 'content-type': 'application/json' }),
  },
  {
    name: 'signature by another secret',
    status: 401,
    field: 'webhook-signature',
    send: () =>
      hook(
        '{"email":"a@b.example"}',
        signed('campaign-demo', '{"email":"a@b.example"}', {
          secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        }),
      ),
  },
  {
    name: 'timestamp six minutes old',
    status: 401,
    field: 'webhook-timestamp',
    send: () =>
      hook(
        '{"email":"a@b.example"}',
        signed('campaign-demo', '{"email":"a@b.example"}', { at: new Date(Date.now() - sixMinutes) }),
      ),
  },
  {
    name: 'timestamp six minutes ahead',
    status: 401,
    field: 'webhook-timestamp',
    send: () =>
      hook(
        '{"email":"a@b.example"}',
        signed('campaign-demo', '{"email":"a@b.example"}', { at: new Date(Date.now() + sixMinutes) }),
      ),
  },
  {
    name: 'timestamp not a number',
    status: 401,
    send: () =>
      hook('{"email":"a@b.example"}', {
        ...signed('campaign-demo', '{"email":"a@b.example"}'),
        'webhook-timestamp': 'yesterday',
      }),
  },
  {
    name: 'signature of another body',
    status: 401,
    field: 'webhook-signature',
    send: () => hook('{"email":"a@b.example"}', signed('campaign-demo', '{"email":"c@d.example"}')),
  },
  {
    name: 'signature header garbage',
    status: 401,
    field: 'webhook-signature',
    send: () =>
      hook('{"email":"a@b.example"}', {
        ...signed('campaign-demo', '{"email":"a@b.example"}'),
        'webhook-signature': 'garbage',
      }),
  },
  {
    name: 'signature list with no valid entry',
    status: 401,
    field: 'webhook-signature',
    send: () =>
      hook('{"email":"a@b.example"}', {
        ...signed('campaign-demo', '{"email":"a@b.example"}'),
        'webhook-signature': 'v1,AAAA v1,BBBB',
      }),
  },
  {
    name: 'text/plain body',
    status: 415,
    field: 'content-type',
    send: () =>
      hook('{"email":"a@b.example"}', {
        ...signed('campaign-demo', '{"email":"a@b.example"}'),
        'content-type': 'text/plain',
      }),
  },
  {
    name: 'no content type',
    status: 415,
    send: () => {
      const h: Record<string, string> = signed('campaign-demo', '{"email":"a@b.example"}');
      delete h['content-type'];
      return hook('{"email":"a@b.example"}', h);
    },
  },
  {
    name: 'body over 256 KiB',
    status: 413,
    field: 'body',
    send: () => lead({ email: 'a@b.example', notes: 'x'.repeat(300 * 1024) }),
  },
  { name: 'invalid JSON', status: 400, field: 'body', send: () => hook('{"email": "a@b.example",') },
  { name: 'trailing garbage after JSON', status: 400, send: () => hook('{"email":"a@b.example"} x') },
  { name: 'a JSON array', status: 400, send: () => hook('[{"email":"a@b.example"}]') },
  { name: 'a JSON string', status: 400, send: () => hook('"a@b.example"') },
  { name: 'JSON null', status: 400, send: () => hook('null') },
  { name: 'empty body', status: 400, send: () => hook('') },
  {
    name: 'invalid UTF-8 bytes',
    status: 400,
    send: () =>
      api.request('POST', '/webhooks/campaign-demo', {
        raw: Buffer.from([0x7b, 0x22, 0x65, 0xc3, 0x28, 0x22, 0x7d]) as unknown as string,
        headers: signed('campaign-demo', '{"e\u00c3("}'),
      }),
  },
  { name: 'neither email nor phone', status: 422, field: 'email', send: () => lead({ firstName: 'Ann' }) },
  { name: 'email of the wrong type', status: 422, field: 'email', send: () => lead({ email: 42 }) },
  { name: 'email not an address', status: 422, field: 'email', send: () => lead({ email: 'not-an-email' }) },
  { name: 'phone not a number', status: 422, field: 'phone', send: () => lead({ phone: '12' }) },
  { name: 'phone that cannot exist', status: 422, field: 'phone', send: () => lead({ phone: '+49 0000' }) },
  {
    name: 'country as a name',
    status: 422,
    field: 'country',
    send: () => lead({ email: 'a@b.example', country: 'Germany' }),
  },
  { name: 'an unknown field', status: 422, send: () => lead({ email: 'a@b.example', favouriteColour: 'blue' }) },
  {
    name: 'consent flag as a string',
    status: 422,
    field: 'consent.marketing',
    send: () => lead({ email: 'a@b.example', consent: { marketing: 'yes' } }),
  },
  {
    name: 'consent date not a date',
    status: 422,
    field: 'consent.capturedAt',
    send: () => lead({ email: 'a@b.example', consent: { marketing: true, capturedAt: 'last week' } }),
  },
  { name: 'utm as a string', status: 422, field: 'utm', send: () => lead({ email: 'a@b.example', utm: 'google' }) },
  {
    name: 'custom field of the wrong type',
    status: 422,
    field: 'customFields.size',
    send: () => lead({ email: 'a@b.example', customFields: { size: 12 } }),
  },
  {
    name: 'too many custom fields',
    status: 422,
    field: 'customFields',
    send: () =>
      lead({
        email: 'a@b.example',
        customFields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, 'v'])),
      }),
  },
  {
    name: 'first name over 100 characters',
    status: 422,
    field: 'firstName',
    send: () => lead({ email: 'a@b.example', firstName: 'A'.repeat(101) }),
  },
  {
    name: 'negative expected value',
    status: 422,
    field: 'expectedValue',
    send: () => lead({ email: 'a@b.example', expectedValue: -5 }),
  },
  {
    name: 'unknown lead type',
    status: 422,
    field: 'leadType',
    send: () => lead({ email: 'a@b.example', leadType: 'B2X' }),
  },
  {
    name: 'SQL injection as an email',
    status: 422,
    field: 'email',
    send: () => lead({ email: "'; DROP TABLE leads;--" }),
  },
  { name: 'NoSQL operator as an email', status: 422, field: 'email', send: () => lead({ email: { $ne: null } }) },
  { name: 'shell injection as a phone', status: 422, field: 'phone', send: () => lead({ phone: '1; rm -rf /' }) },
  {
    name: 'javascript: URL as website',
    status: 422,
    field: 'website',
    send: () => lead({ email: 'a@b.example', website: 'javascript:alert(1)' }),
  },
  {
    name: 'control characters in a name',
    status: 422,
    field: 'lastName',
    send: () => lead({ email: 'a@b.example', lastName: 'Ro\u0000bert\u001b[2J' }),
  },
  {
    name: 'prototype pollution key',
    status: 422,
    send: () => hook('{"email":"a@b.example","__proto__":{"admin":true}}'),
  },
  {
    name: 'unknown form',
    status: 404,
    send: () =>
      api.request('POST', '/forms/nope', {
        raw: 'email=a%40b.example',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
  },
  {
    name: 'form as text/plain',
    status: 415,
    send: () =>
      api.request('POST', '/forms/contact-us', { raw: 'email=a@b.example', headers: { 'content-type': 'text/plain' } }),
  },
  {
    name: 'form without email or phone',
    status: 422,
    field: 'email',
    send: () =>
      api.request('POST', '/forms/contact-us', {
        raw: 'first_name=Ann',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
  },
  {
    name: 'form with a bad email',
    status: 422,
    field: 'email',
    send: () =>
      api.request('POST', '/forms/contact-us', {
        raw: 'email=nope',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
  },
  {
    name: 'google lead with the wrong key',
    status: 401,
    field: 'google_key',
    send: () =>
      hook(
        JSON.stringify({ ...googleLead(), google_key: 'wrong' }),
        { 'content-type': 'application/json' },
        'google-ads',
      ),
  },
  {
    name: 'google lead without a key',
    status: 401,
    field: 'google_key',
    send: () => {
      const { google_key: _k, ...rest } = googleLead();
      return hook(JSON.stringify(rest), { 'content-type': 'application/json' }, 'google-ads');
    },
  },
  {
    name: 'google lead with columns not a list',
    status: 422,
    field: 'user_column_data',
    send: () =>
      hook(
        JSON.stringify({ ...googleLead(), user_column_data: 'x' }),
        { 'content-type': 'application/json' },
        'google-ads',
      ),
  },
  {
    name: 'manual entry without a token',
    status: 401,
    send: () => api.request('POST', '/leads', { body: { email: 'a@b.example' } }),
  },
  {
    name: 'manual entry with a forged token',
    status: 401,
    send: () =>
      api.request('POST', '/leads', {
        body: { email: 'a@b.example' },
        headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' },
      }),
  },
  {
    name: 'manual entry with invalid fields',
    status: 422,
    field: 'email',
    send: () => api.request('POST', '/leads', { body: { email: 'x' }, as: ['alice', 'rep'] }),
  },
  {
    name: 'manual entry as form data',
    status: 415,
    send: () =>
      api.request('POST', '/leads', {
        raw: 'email=a@b.example',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        as: ['alice', 'rep'],
      }),
  },
];

function googleLead(): Record<string, unknown> {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/google-ads-lead.json'), 'utf8'));
  return { ...fixture, google_key: rt.webhookSecrets['google-ads'] };
}

describe('capture over HTTP against the local runtime', () => {
  it('stores a signed webhook lead, starts its execution and puts LeadCreated on the bus', async () => {
    const res = await api.webhook('campaign-demo', {
      email: 'Ada@Lovelace.example',
      firstName: 'Ada',
      phone: '+44 20 7946 0958',
      country: 'GB',
      utm: { source: 'newsletter' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'created', duplicates: [] });
    const id = String(res.body.leadId);
    const stored = await api.request('GET', `/leads/${id}`, { as: ['maria', 'manager'] });
    expect(stored.body).toMatchObject({
      email: 'ada@lovelace.example',
      phone: '+442079460958',
      companyDomain: 'lovelace.example',
      channel: 'WEBHOOK',
      sourceId: 'campaign-demo',
    });
    await eventually(async () => (await api.request('GET', `/_local/executions/${id}`)).status === 200);
    const created = await eventually(async () => (await api.events('LeadCreated')).find((e) => e.detail.leadId === id));
    expect(created.detail).toMatchObject({ version: 1, eventId: `${id}:1:LeadCreated` });
  });

  it('answers the first result when the same delivery arrives three times at once: one lead, one execution, one event', async () => {
    const body = JSON.stringify({ email: 'triple@once.example' });
    const headers = signed('campaign-demo', body, { id: 'msg_triple' });
    const answers = await Promise.all([1, 2, 3].map(() => hook(body, headers)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const ids = new Set(answers.map((a) => a.body.leadId));
    expect(ids.size).toBe(1);
    const id = String([...ids][0]);
    await eventually(async () => (await api.events('LeadAssigned')).some((e) => e.detail.leadId === id));
    const executions = await api.request<unknown[]>('GET', `/_local/executions/${id}`);
    expect(executions.body).toHaveLength(1);
    expect((await api.events('LeadCreated')).filter((e) => e.detail.leadId === id)).toHaveLength(1);
  });

  it(`rejects ${MALFORMED.length} malformed requests with the right 4xx, naming the field, and writes nothing`, async () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(40);
    const before = await settledItems();
    for (const c of MALFORMED) {
      const res = await c.send();
      expect(res.status, `${c.name}: ${JSON.stringify(res.body)}`).toBe(c.status);
      if (res.headers.get('content-type')?.includes('problem+json')) {
        expect(res.body, c.name).toMatchObject({
          status: c.status,
          type: expect.stringContaining('https://leadflow.dev/problems/'),
        });
        if (c.field)
          expect(
            (res.body.errors as { field: string }[]).map((e) => e.field),
            c.name,
          ).toContain(c.field);
      } else {
        // Only API Gateway's own authorizer answers without problem+json, as it does on AWS.
        expect(c.status, c.name).toBe(401);
      }
    }
    expect(await settledItems()).toBe(before);
  });

  it('finds duplicates by email case and phone format, per source policy', async () => {
    const first = await api.webhook('campaign-strict', { email: 'Grace@Hopper.example', phone: '+1 415 555 0100' });
    expect(first.body.status).toBe('created');
    const byEmail = await api.webhook('campaign-demo', { email: ' GRACE@hopper.EXAMPLE ' });
    expect(byEmail.body).toMatchObject({
      status: 'created',
      duplicates: [{ kind: 'lead', id: first.body.leadId, matchedOn: 'email' }],
    });
    const before = await settledItems();
    const byPhone = await api.webhook('campaign-strict', { phone: '(415) 555-0100', country: 'US' });
    expect(byPhone.body).toMatchObject({ status: 'duplicate', leadId: first.body.leadId });
    expect(await settledItems()).toBe(before);
  });

  it('redirects a browser form post, answers a script with JSON, and stores nothing for a honeypot', async () => {
    const form = (body: string, headers: Record<string, string> = {}) =>
      api.request('POST', '/forms/contact-us', {
        raw: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const browser = await form('first_name=Lin&email=lin%40forms.example&interest=widgets', {
      accept: 'text/html,application/xhtml+xml',
      origin: 'https://www.example.com',
    });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('https://www.example.com/thanks');
    const script = await form('email=kai%40forms.example', { origin: 'https://www.example.com' });
    expect(script.status).toBe(202);
    expect(script.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
    const stored = await api.request('GET', `/leads/${script.body.leadId}`, { as: ['maria', 'manager'] });
    expect(stored.body).toMatchObject({ channel: 'FORM', sourceId: 'contact-us' });
    const before = await settledItems();
    const bot = await form('email=bot%40spam.example&website_url=http%3A%2F%2Fspam.example');
    expect(bot.status).toBe(202);
    expect(await settledItems()).toBe(before);
  });

  it('answers CORS preflights as the deployed API does: allowed form origins only', async () => {
    const preflight = (origin: string) =>
      api.request('OPTIONS', '/forms/contact-us', {
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://www.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type');
    const stranger = await preflight('https://evil.example');
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const post = await api.request('POST', '/forms/contact-us', {
      raw: 'email=cors%40forms.example',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(post.status).toBe(202);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('maps a Google Ads lead form delivery and recognises its redelivery', async () => {
    const body = JSON.stringify(googleLead());
    const first = await hook(body, { 'content-type': 'application/json' }, 'google-ads');
    expect(first.status).toBe(202);
    const again = await hook(body, { 'content-type': 'application/json' }, 'google-ads');
    expect(again.body.leadId).toBe(first.body.leadId);
    const stored = await api.request('GET', `/leads/${first.body.leadId}`, { as: ['maria', 'manager'] });
    expect(stored.body).toMatchObject({
      firstName: 'Jamie',
      lastName: 'Example',
      email: 'jamie.example@contoso.example',
      phone: '+14155550132',
      company: 'Contoso Ltd',
      jobTitle: 'VP Engineering',
      country: 'US',
    });
    expect((stored.body.customFields as Record<string, string>)['What is your budget?']).toBe('50k-100k');
  });

  it('lets a rep see their own and unassigned leads only; managers see all', async () => {
    const res = await api.request('POST', '/leads', {
      as: ['alice', 'rep'],
      body: { email: 'manual@entry.example', company: 'Entry' },
      headers: { 'idempotency-key': 'manual-1' },
    });
    expect(res.status).toBe(202);
    const id = String(res.body.leadId);
    const owner = String(
      (
        await eventually(async () => {
          const l = await api.request('GET', `/leads/${id}`, { as: ['maria', 'manager'] });
          return l.body.owner ? l : undefined;
        })
      ).body.owner,
    );
    const other = ['alice', 'bob', 'carol'].find((u) => u !== owner) as string;
    expect((await api.request('GET', `/leads/${id}`, { as: [owner, 'rep'] })).status).toBe(200);
    expect((await api.request('GET', `/leads/${id}`, { as: [other, 'rep'] })).status).toBe(404);
    const mine = await api.request<{ items: { id: string }[] }>('GET', '/leads?owner=me&stage=Assigned', {
      as: [owner, 'rep'],
    });
    expect(mine.body.items.map((l) => l.id)).toContain(id);
  });
});
