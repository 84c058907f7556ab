import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { makeLocalBlobUrls } from '../../functions/adapters/attachments-local';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { makeConversion } from '../../functions/adapters/conversion-repository';
import { makeCrmRepository } from '../../functions/adapters/crm-repository';
import { keys } from '../../functions/adapters/keys';
import { makeNotesRepository } from '../../functions/adapters/notes-repository';
import { makePreferencesRepository } from '../../functions/adapters/outbox-repository';
import { captureLead } from '../../functions/core/capture-lead';
import { readConfig } from '../../functions/core/config/config-document';
import { opportunityStagesKind } from '../../functions/core/conversion/opportunity-stages';
import type { BusEvent } from '../../functions/core/events';
import { makeCrmApi } from '../../functions/crm-api/handler';
import { makeLeadCollabApi } from '../../functions/lead-collab-api/handler';
import { httpHandler } from '../../functions/http/middleware';
import { eventProblems } from '../support/event-schemas';
import { freshTable } from '../support/table';

type Answer = { statusCode: number; body: string; headers: Record<string, string> };

/** An API Gateway HTTP API (v2) event as the authorizer passes it. */
const apiEvent = (
  routeKey: string,
  path: Record<string, string>,
  options: {
    user?: string;
    groups?: string[];
    body?: unknown;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
) => {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const rawPath = template.replace(/\{(\w+)\}/g, (_m, name: string) => path[name] ?? '');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    queryStringParameters: options.query,
    pathParameters: path,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      routeKey,
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: options.user
        ? {
            jwt: {
              claims: {
                'cognito:username': options.user,
                'cognito:groups': `[${(options.groups ?? ['rep']).join(' ')}]`,
              },
              scopes: [],
            },
          }
        : undefined,
    },
  } as unknown as APIGatewayProxyEventV2;
};

const setup = async () => {
  const table = await freshTable('collab');
  const published: BusEvent[] = [];
  const events = { publish: async (batch: BusEvent[]) => void published.push(...batch) };
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const now = () => {
    clock += 1000;
    return new Date(clock);
  };
  let n = 0;
  const { leadId } = await captureLead(
    {
      store: makeCaptureRepository(table.db, table.name),
      workflow: { startLifecycle: async () => {} },
      clock: { now },
      ids: { next: () => '01JC0000000000000000000001' },
    },
    {
      payload: { email: 'ann@acme.io', company: 'Acme', leadType: 'B2B' },
      channel: 'API',
      source: { id: 'manual', kind: 'api', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
      deliveryId: 'd1',
      actor: { kind: 'user', id: 'bob', source: 'API' },
    },
  );
  await table.db.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.lead(leadId),
      UpdateExpression: 'SET #o = :o, #s = :s',
      ExpressionAttributeNames: { '#o': 'owner', '#s': 'stage' },
      ExpressionAttributeValues: { ':o': 'bob', ':s': 'SalesQualified' },
    }),
  );
  const collab = httpHandler(
    makeLeadCollabApi({
      store: makeNotesRepository(table.db, table.name),
      blobs: makeLocalBlobUrls('http://127.0.0.1:9999', 'secret'),
      events,
      clock: { now },
      ids: { next: () => `01JD${String(++n).padStart(22, '0')}` },
      preferences: makePreferencesRepository(table.db, table.name),
    }),
  );
  const config = makeConfigRepository(table.db, table.name);
  const crm = httpHandler(
    makeCrmApi({
      crm: makeCrmRepository(table.db, table.name),
      stageSets: () => readConfig(config, opportunityStagesKind),
      events,
      clock: { now },
    }),
  );
  const call = async (handler: typeof collab, event: APIGatewayProxyEventV2) => {
    const answer = (await handler(event, {} as Context)) as Answer;
    return {
      status: answer.statusCode,
      body: answer.body ? JSON.parse(answer.body) : undefined,
      headers: answer.headers,
    };
  };
  return {
    table,
    leadId,
    published,
    collab: (e: APIGatewayProxyEventV2) => call(collab, e),
    crm: (e: APIGatewayProxyEventV2) => call(crm, e),
    now,
  };
};

describe('lead collaboration handlers against DynamoDB Local', () => {
  it('adds a note authored by the caller and announces it with a valid LeadNoteAdded', async () => {
    const { leadId, collab, published } = await setup();

    const answer = await collab(
      apiEvent('POST /leads/{id}/notes', { id: leadId }, { user: 'bob', body: { text: 'Called, wants a demo' } }),
    );

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ leadId, text: 'Called, wants a demo', author: 'bob' });
    expect(published.map((e) => e.detailType)).toEqual(['LeadNoteAdded']);
    expect(published.flatMap(eventProblems)).toEqual([]);
  });

  it('answers the first note and republishes its event when a POST with the same Idempotency-Key is retried', async () => {
    const { leadId, collab, published } = await setup();
    const post = () =>
      collab(
        apiEvent(
          'POST /leads/{id}/notes',
          { id: leadId },
          { user: 'bob', body: { text: 'Sent the offer' }, headers: { 'Idempotency-Key': 'k-1' } },
        ),
      );

    const first = await post();
    const retry = await post();

    expect(retry.body).toEqual(first.body);
    const feed = await collab(apiEvent('GET /leads/{id}/feed', { id: leadId }, { user: 'bob' }));
    expect(feed.body.items.filter((i: { kind: string }) => i.kind === 'note')).toHaveLength(1);
    expect(new Set(published.map((e) => e.detail.eventId))).toEqual(new Set([`note-${first.body.id}`]));
  });

  it('refuses a note from a rep who cannot see the lead, as if it did not exist', async () => {
    const { leadId, collab } = await setup();
    const answer = await collab(
      apiEvent('POST /leads/{id}/notes', { id: leadId }, { user: 'eve', body: { text: 'hi' } }),
    );
    expect(answer.status).toBe(404);
  });

  it('answers an upload URL only for allowed types and sizes', async () => {
    const { leadId, collab } = await setup();

    const ok = await collab(
      apiEvent(
        'POST /leads/{id}/attachments',
        { id: leadId },
        { user: 'bob', body: { fileName: 'offer.pdf', contentType: 'application/pdf', size: 1200 } },
      ),
    );
    const tooBig = await collab(
      apiEvent(
        'POST /leads/{id}/attachments',
        { id: leadId },
        { user: 'bob', body: { fileName: 'x.pdf', contentType: 'application/pdf', size: 50 * 1024 * 1024 } },
      ),
    );
    const wrongType = await collab(
      apiEvent(
        'POST /leads/{id}/attachments',
        { id: leadId },
        { user: 'bob', body: { fileName: 'x.exe', contentType: 'application/x-msdownload', size: 10 } },
      ),
    );

    expect(ok.status).toBe(201);
    expect(ok.body.upload).toMatchObject({ method: 'PUT', headers: { 'content-type': 'application/pdf' } });
    expect(ok.body.upload.url).toMatch(
      /^http:\/\/127\.0\.0\.1:9999\/_local\/blobs\/leads\/01JC0000000000000000000001\/01JD0000000000000000000001\?/,
    );
    expect(tooBig.status).toBe(422);
    expect(wrongType.status).toBe(422);
    const download = await collab(
      apiEvent(
        'GET /leads/{id}/attachments/{attachmentId}',
        { id: leadId, attachmentId: ok.body.attachment.id },
        { user: 'bob' },
      ),
    );
    expect(download.status).toBe(200);
    expect(download.body.download.url).toContain('method=GET');
  });

  it('lets a rep follow themselves, a manager add anyone, and refuses a rep adding someone else', async () => {
    const { leadId, collab, published } = await setup();

    const self = await collab(apiEvent('POST /leads/{id}/followers', { id: leadId }, { user: 'bob' }));
    const again = await collab(apiEvent('POST /leads/{id}/followers', { id: leadId }, { user: 'bob' }));
    const byManager = await collab(
      apiEvent(
        'POST /leads/{id}/followers',
        { id: leadId },
        { user: 'maria', groups: ['manager'], body: { user: 'carol' } },
      ),
    );
    const byRep = await collab(
      apiEvent('POST /leads/{id}/followers', { id: leadId }, { user: 'bob', body: { user: 'dave' } }),
    );
    const removed = await collab(apiEvent('DELETE /leads/{id}/followers', { id: leadId }, { user: 'bob' }));

    expect(self.body.followers).toEqual(['bob']);
    expect(again.body.followers).toEqual(['bob']);
    expect(byManager.body.followers).toEqual(['bob', 'carol']);
    expect(byRep.status).toBe(403);
    expect(removed.body.followers).toEqual(['carol']);
    expect(published.filter((e) => e.detailType === 'LeadFollowed').map((e) => e.detail.user)).toEqual([
      'bob',
      'carol',
    ]);
    expect(published.flatMap(eventProblems)).toEqual([]);
  });

  it('pages the feed newest first across audit entries, notes and attachments with a cursor', async () => {
    const { leadId, collab } = await setup();
    await collab(apiEvent('POST /leads/{id}/notes', { id: leadId }, { user: 'bob', body: { text: 'first' } }));
    await collab(
      apiEvent(
        'POST /leads/{id}/attachments',
        { id: leadId },
        { user: 'bob', body: { fileName: 'a.png', contentType: 'image/png', size: 10 } },
      ),
    );
    await collab(apiEvent('POST /leads/{id}/notes', { id: leadId }, { user: 'bob', body: { text: 'second' } }));

    const first = await collab(
      apiEvent('GET /leads/{id}/feed', { id: leadId }, { user: 'bob', query: { limit: '2' } }),
    );
    const rest = await collab(
      apiEvent(
        'GET /leads/{id}/feed',
        { id: leadId },
        { user: 'bob', query: { limit: '10', cursor: first.body.cursor } },
      ),
    );

    expect(first.body.items.map((i: { kind: string }) => i.kind)).toEqual(['note', 'attachment']);
    expect(first.body.items[0].note.text).toBe('second');
    expect(
      rest.body.items.map((i: { kind: string; action?: string; note?: { text: string } }) => i.note?.text ?? i.action),
    ).toEqual(['first', 'created']);
    expect(rest.body.cursor).toBeUndefined();
  });

  it('stores notification preferences per user and rejects unknown event types', async () => {
    const { collab } = await setup();
    const put = await collab(
      apiEvent(
        'PUT /me/notifications',
        {},
        { user: 'bob', body: { default: 'email', events: { LeadFollowed: 'off' } } },
      ),
    );
    const read = await collab(apiEvent('GET /me/notifications', {}, { user: 'bob' }));
    const other = await collab(apiEvent('GET /me/notifications', {}, { user: 'carol' }));
    const bad = await collab(
      apiEvent(
        'PUT /me/notifications',
        {},
        { user: 'bob', body: { default: 'email', events: { LeadExploded: 'off' } } },
      ),
    );
    expect(put.status).toBe(200);
    expect(read.body.preferences).toEqual({ default: 'email', events: { LeadFollowed: 'off' } });
    expect(other.body.preferences).toEqual({ default: 'email', events: {} });
    expect(bad.status).toBe(422);
  });
});

describe('opportunity handlers against DynamoDB Local', () => {
  const converted = async () => {
    const ctx = await setup();
    await ctx.collab(
      apiEvent('POST /leads/{id}/notes', { id: ctx.leadId }, { user: 'bob', body: { text: 'before conversion' } }),
    );
    const result = await makeConversion(ctx.table.db, ctx.table.name).convert({
      leadId: ctx.leadId,
      actor: { kind: 'system', id: 'workflow', source: 'WORKFLOW' },
      at: ctx.now().toISOString(),
    });
    return { ...ctx, ...result };
  };

  it('moves an opportunity one stage on, audits it on the lead feed and announces it', async () => {
    const { crm, collab, opportunityId, leadId, published } = await converted();

    const moved = await crm(
      apiEvent('PATCH /opportunities/{id}', { id: opportunityId }, { user: 'bob', body: { stage: 'Solution' } }),
    );

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage: 'Solution', probability: 30, version: 2 });
    const event = published.find((e) => e.detailType === 'OpportunityStageChanged');
    expect(event?.detail).toMatchObject({ opportunityId, from: 'Discovery', to: 'Solution', leadId });
    expect(published.flatMap(eventProblems)).toEqual([]);
    const feed = await collab(apiEvent('GET /leads/{id}/feed', { id: leadId }, { user: 'bob' }));
    expect(feed.body.items.map((i: { kind: string; action?: string }) => i.action ?? i.kind)).toEqual([
      'opportunity-stage-changed',
      'converted',
      'note',
      'created',
    ]);
  });

  it('answers 409 with the allowed stages for a jump, and hides the opportunity from a rep who does not own it', async () => {
    const { crm, opportunityId } = await converted();

    const jump = await crm(
      apiEvent('PATCH /opportunities/{id}', { id: opportunityId }, { user: 'bob', body: { stage: 'Negotiation' } }),
    );
    const stranger = await crm(
      apiEvent(
        'PATCH /opportunities/{id}',
        { id: opportunityId },
        { user: 'maria', groups: ['rep'], body: { stage: 'Solution' } },
      ),
    );

    expect(jump.status).toBe(409);
    expect(jump.body.allowedStages).toEqual(['Solution', 'Closed Won', 'Closed Lost']);
    expect(stranger.status).toBe(404);
  });

  it('lets a follower read but not move the opportunity, and answers a repeated move unchanged', async () => {
    const { crm, collab, opportunityId, leadId, published } = await converted();
    await collab(
      apiEvent(
        'POST /leads/{id}/followers',
        { id: leadId },
        { user: 'maria', groups: ['manager'], body: { user: 'carol' } },
      ),
    );

    const read = await crm(apiEvent('GET /opportunities/{id}', { id: opportunityId }, { user: 'carol' }));
    const move = await crm(
      apiEvent('PATCH /opportunities/{id}', { id: opportunityId }, { user: 'carol', body: { stage: 'Solution' } }),
    );
    await crm(
      apiEvent(
        'PATCH /opportunities/{id}',
        { id: opportunityId },
        { user: 'maria', groups: ['manager'], body: { stage: 'Solution' } },
      ),
    );
    const again = await crm(
      apiEvent('PATCH /opportunities/{id}', { id: opportunityId }, { user: 'bob', body: { stage: 'Solution' } }),
    );

    expect(read.status).toBe(200);
    expect(move.status).toBe(403);
    expect(again.body).toMatchObject({ stage: 'Solution', version: 2 });
    expect(published.filter((e) => e.detailType === 'OpportunityStageChanged')).toHaveLength(1);
  });

  it('reads the opportunity with its links, and its account and contact', async () => {
    const { crm, opportunityId, accountId, contactId, leadId } = await converted();
    const opp = await crm(apiEvent('GET /opportunities/{id}', { id: opportunityId }, { user: 'bob' }));
    const account = await crm(apiEvent('GET /accounts/{id}', { id: String(accountId) }, { user: 'bob' }));
    const contact = await crm(apiEvent('GET /contacts/{id}', { id: contactId }, { user: 'bob' }));
    expect(opp.body).toMatchObject({ leadId, accountId, contactId });
    expect(account.body).toMatchObject({ name: 'Acme', opportunityIds: [opportunityId], contactIds: [contactId] });
    expect(contact.body).toMatchObject({ email: 'ann@acme.io', leadIds: [leadId] });
  });
});
