import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { activityPorts } from '../../functions/adapters/activities-repository';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeConfigRepository } from '../../functions/adapters/config-repository';
import { leadItem } from '../../functions/adapters/lead-item';
import { makeLeadReader } from '../../functions/adapters/lead-repository';
import { makeFormHandler } from '../../functions/capture-form/handler';
import { readConfig } from '../../functions/core/config/config-document';
import type { BusEvent } from '../../functions/core/events';
import type { Lead } from '../../functions/core/lead';
import { scoringConfig } from '../../functions/core/scoring/points-config';
import { pointsScore } from '../../functions/core/scoring/score-lead';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeLeadActivitiesApi } from '../../functions/lead-activities/handler';
import { eventProblems } from '../support/event-schemas';
import { freshTable } from '../support/table';

type Answer = { statusCode: number; body: string; headers: Record<string, string> };
const context = {} as Context;
const NOW = new Date('2026-11-23T10:00:00.000Z');
const clock = { now: () => NOW };

/** A lead the lifecycle has scored and assigned: VP at a company domain, 38 points (band C). */
const assignedLead = (id: string, overrides: Partial<Lead> = {}): Lead => {
  const lead: Lead = {
    id,
    version: 2,
    stage: 'Assigned',
    leadType: 'B2B',
    channel: 'WEBHOOK',
    sourceId: 'campaign-demo',
    deliveryId: `d-${id}`,
    createdAt: '2026-11-23T08:00:00.000Z',
    updatedAt: '2026-11-23T08:00:00.000Z',
    createdBy: { kind: 'source', id: 'campaign-demo', source: 'WEBHOOK' },
    duplicates: [],
    duplicatePolicy: 'create',
    stageEnteredAt: '2026-11-23T08:00:00.000Z',
    email: `${id.toLowerCase()}@northwind.example`,
    emailDomain: 'northwind.example',
    companyDomain: 'northwind.example',
    freeMail: false,
    jobTitle: 'VP Sales',
    owner: 'alice',
    ...overrides,
  };
  return { ...lead, ...scoreOf(lead) };
};
const scoreOf = (lead: Lead) => {
  const s = pointsScore(lead, scoringConfig.defaultValue);
  return { score: s.score, scoreBand: s.band, scoreFactors: s.factors, scoreModel: s.model };
};

const setup = async () => {
  const table = await freshTable('activities');
  const published: BusEvent[] = [];
  const store = makeConfigRepository(table.db, table.name);
  const ports = activityPorts(table.db, table.name, {
    config: { scoring: async () => ({ config: await readConfig(store, scoringConfig), model: null }) },
    publisher: { publish: async (events) => void published.push(...events) },
    clock,
  });
  const api = httpHandler(makeLeadActivitiesApi(ports)) as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<Answer>;
  const reader = makeLeadReader(table.db, table.name);
  const put = (lead: Lead) => table.db.send(new PutCommand({ TableName: table.name, Item: leadItem(lead) }));
  const post = async (leadId: string, body: unknown, who = { user: 'alice', groups: ['rep'] }) => {
    const res = await api(
      {
        version: '2.0',
        routeKey: 'POST /leads/{id}/activities',
        rawPath: `/leads/${leadId}/activities`,
        headers: { 'content-type': 'application/json' },
        pathParameters: { id: leadId },
        body: JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: {
          routeKey: 'POST /leads/{id}/activities',
          http: {
            method: 'POST',
            path: `/leads/${leadId}/activities`,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'test',
          },
          authorizer: {
            jwt: {
              claims: { 'cognito:username': who.user, 'cognito:groups': `[${who.groups.join(' ')}]` },
              scopes: [],
            },
          },
        },
      } as unknown as APIGatewayProxyEventV2,
      context,
    );
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  return { table, ports, published, reader, put, post };
};

describe('POST /leads/{id}/activities on DynamoDB Local', () => {
  it('records a reply once per activity id, rescores the lead, audits both and announces the band move', async () => {
    const { put, post, reader, published } = await setup();
    await put(assignedLead('01JA0000000000000000000001', { taskToken: 'token-1' } as Partial<Lead>));
    const reply = { activityId: 'msg-1@mail.example', type: 'email-reply', occurredAt: '2026-11-23T09:30:00Z' };

    const first = await post('01JA0000000000000000000001', reply);
    const again = await post('01JA0000000000000000000001', reply);

    const lead = await reader.get('01JA0000000000000000000001');
    const audit = await reader.audit('01JA0000000000000000000001');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      leadId: '01JA0000000000000000000001',
      type: 'email-reply',
      count: 1,
      score: 50,
      scoreBand: 'B',
      occurredAt: '2026-11-23T09:30:00.000Z',
      duplicate: false,
    });
    expect(first.body.topFactors).toContain('+12 1× email-reply');
    expect(again.status).toBe(200);
    expect({ ...again.body, duplicate: false }).toEqual(first.body);
    expect(lead).toMatchObject({
      behaviour: { 'email-reply': 1 },
      score: 50,
      scoreBand: 'B',
      version: 3,
      taskToken: 'token-1',
    });
    expect(audit.map((a) => [a.action, a.why])).toEqual([
      ['activity', 'email-reply (1× in all)'],
      ['rescored', '38 (C) → 50 (B) by points@0'],
    ]);
    // The retry publishes the same events again (same ids, dropped downstream), so none is lost if the first publish failed.
    expect(published.map((e) => e.detailType)).toEqual([
      'LeadActivityRecorded',
      'LeadScoreChanged',
      'LeadActivityRecorded',
      'LeadScoreChanged',
    ]);
    expect(new Set(published.map((e) => e.detail.eventId)).size).toBe(2);
    expect(published.flatMap(eventProblems)).toEqual([]);
  });

  it('counts each of several different activities and caps nothing but the score rule', async () => {
    const { put, post, reader } = await setup();
    await put(assignedLead('01JA0000000000000000000002'));

    for (const id of ['a', 'b', 'c'])
      expect((await post('01JA0000000000000000000002', { activityId: id, type: 'email-reply' })).status).toBe(201);

    // The default rule counts at most two replies: 38 + 2 × 12.
    expect(await reader.get('01JA0000000000000000000002')).toMatchObject({
      behaviour: { 'email-reply': 3 },
      score: 62,
      scoreBand: 'B',
    });
  });

  it('counts the same activity once when its retries race, and each of different activities arriving at once', async () => {
    const { put, post, reader } = await setup();
    await put(assignedLead('01JA0000000000000000000003'));
    await put(assignedLead('01JA0000000000000000000006'));

    const retries = await Promise.all(
      [1, 2, 3].map(() => post('01JA0000000000000000000003', { activityId: 'meeting-9', type: 'meeting' })),
    );
    const different = await Promise.all(
      ['o-1', 'o-2', 'o-3', 'o-4'].map((activityId) =>
        post('01JA0000000000000000000006', { activityId, type: 'email-open' }),
      ),
    );

    expect(retries.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect((await reader.get('01JA0000000000000000000003'))?.behaviour).toEqual({ meeting: 1 });
    expect(different.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(different.map((a) => a.body.count).sort()).toEqual([1, 2, 3, 4]);
    expect(await reader.get('01JA0000000000000000000006')).toMatchObject({
      behaviour: { 'email-open': 4 },
      version: 6,
    });
  });

  it('answers field errors, a conflict for a reused id or a closed lead, and 404 for a lead the caller may not see', async () => {
    const { put, post, reader } = await setup();
    await put(assignedLead('01JA0000000000000000000004'));
    await put(assignedLead('01JA0000000000000000000005', { stage: 'Converted' }));
    await post('01JA0000000000000000000004', { activityId: 'x-1', type: 'email-open' });

    const malformed = await post('01JA0000000000000000000004', { type: 'Email Reply', extra: 1 });
    const unknown = await post('01JA0000000000000000000004', { activityId: 'x-2', type: 'fax' });
    const reused = await post('01JA0000000000000000000004', { activityId: 'x-1', type: 'meeting' });
    const closed = await post('01JA0000000000000000000005', { activityId: 'x-3', type: 'meeting' });
    const hidden = await post(
      '01JA0000000000000000000004',
      { activityId: 'x-4', type: 'meeting' },
      { user: 'bob', groups: ['rep'] },
    );

    expect(malformed.status).toBe(422);
    expect((malformed.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'activityId',
      'body',
      'type',
    ]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      {
        field: 'type',
        reason: expect.stringContaining(
          'unknown activity type; known: call, email-open, email-reply, form-revisit, meeting',
        ),
      },
    ]);
    expect(reused.status).toBe(409);
    expect(closed.status).toBe(409);
    expect(hidden.status).toBe(404);
    expect((await reader.get('01JA0000000000000000000004'))?.behaviour).toEqual({ 'email-open': 1 });
  });
});

describe('form revisits', () => {
  const FORM: SourceConfig = {
    id: 'contact-us',
    kind: 'form',
    adapter: 'canonical',
    duplicatePolicy: 'create',
    allowedOrigins: [],
    honeypotField: 'website_url',
  };
  const STRICT: SourceConfig = { ...FORM, id: 'demo-request', duplicatePolicy: 'reject' };
  const ASSOCIATE: SourceConfig = { ...FORM, id: 'partner-form', duplicatePolicy: 'associate' };

  const formSetup = async () => {
    const base = await setup();
    let n = 0;
    const form = httpHandler(
      makeFormHandler({
        capture: {
          store: makeCaptureRepository(base.table.db, base.table.name),
          workflow: { startLifecycle: async () => undefined },
          clock,
          ids: { next: () => `LEAD${String(++n).padStart(3, '0')}` },
        },
        sources: () => [FORM, STRICT, ASSOCIATE],
        rejections: { publisher: { publish: async (events) => void base.published.push(...events) }, clock },
        activities: base.ports,
      }),
    ) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;
    const submit = async (formId: string, fields: Record<string, string>, idempotencyKey?: string) => {
      const res = await form(
        {
          version: '2.0',
          routeKey: 'POST /forms/{formId}',
          rawPath: `/forms/${formId}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          pathParameters: { formId },
          body: new URLSearchParams(fields).toString(),
          isBase64Encoded: false,
          requestContext: {
            routeKey: 'POST /forms/{formId}',
            http: {
              method: 'POST',
              path: `/forms/${formId}`,
              protocol: 'HTTP/1.1',
              sourceIp: '127.0.0.1',
              userAgent: 'test',
            },
          },
        } as unknown as APIGatewayProxyEventV2,
        context,
      );
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, unknown> };
    };
    return { ...base, submit };
  };

  it.each(['contact-us', 'partner-form'])(
    'counts a known person filling the form again as a revisit on their lead, once per submission (%s)',
    async (formId) => {
      const { submit, reader, put, published } = await formSetup();
      const first = await submit(formId, { email: 'Ann@Northwind.example', jobTitle: 'VP Sales' });
      // The lifecycle scores and assigns the first lead.
      const lead = await reader.get(String(first.body.leadId));
      await put(assignedLead(String(lead?.id), { email: 'ann@northwind.example' }));

      const second = await submit(formId, { email: 'ann@northwind.example', firstName: 'Ann' }, 'visit-2');
      const retried = await submit(formId, { email: 'ann@northwind.example', firstName: 'Ann' }, 'visit-2');

      const revisited = await reader.get('LEAD001');
      expect(second.body).toMatchObject({ leadId: 'LEAD002', status: 'created' });
      expect(retried.body).toEqual(second.body);
      expect(revisited).toMatchObject({ behaviour: { 'form-revisit': 1 }, score: 43 });
      expect((await reader.audit('LEAD001')).find((a) => a.action === 'activity')).toMatchObject({
        actor: { kind: 'source', id: formId, source: 'FORM' },
        why: 'form-revisit (1× in all)',
      });
      expect((await reader.get('LEAD002'))?.behaviour).toBeUndefined();
      expect(published.filter((e) => e.detailType === 'LeadActivityRecorded').map((e) => e.detail.eventId)).toEqual([
        `activity:LEAD001:form:${formId}:visit-2`,
        `activity:LEAD001:form:${formId}:visit-2`,
      ]);
    },
  );

  it('counts a submission refused as a duplicate both as a revisit and as a reject, and spam and invalid input as rejects only', async () => {
    const { submit, reader, put, published } = await formSetup();
    await submit('demo-request', { email: 'bo@contoso.example' });
    await put(assignedLead('LEAD001', { email: 'bo@contoso.example', sourceId: 'demo-request' }));

    // Another body (the same one within the window would be the first delivery again, not a revisit).
    const duplicate = await submit('demo-request', { email: 'bo@contoso.example', firstName: 'Bo' }, 'again-1');
    const spam = await submit('demo-request', { email: 'bot@spam.example', website_url: 'http://x' }, 'bot-1');
    const invalid = await submit('demo-request', { email: 'not-an-address' }, 'typo-1');

    expect(duplicate.body).toMatchObject({ leadId: 'LEAD001', status: 'duplicate' });
    expect(spam.status).toBe(202);
    expect(invalid.status).toBe(422);
    expect((await reader.get('LEAD001'))?.behaviour).toEqual({ 'form-revisit': 1 });
    const rejects = published.filter((e) => e.detailType === 'CaptureRejected');
    expect(rejects.map((e) => [e.detail.eventId, e.detail.reason, e.detail.fields ?? null])).toEqual([
      ['rejected:demo-request:again-1', 'duplicate', null],
      ['rejected:demo-request:bot-1', 'spam', null],
      ['rejected:demo-request:typo-1', 'invalid', ['email']],
    ]);
    expect(rejects.flatMap(eventProblems)).toEqual([]);
  });
});
