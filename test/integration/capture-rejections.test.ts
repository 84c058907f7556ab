import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeCountersRepository } from '../../functions/adapters/counters-repository';
import { makeWebhookHandler } from '../../functions/capture-webhook/handler';
import type { BusEvent } from '../../functions/core/events';
import type { CountableEvent } from '../../functions/core/reports/counters';
import { sourcesReport } from '../../functions/core/reports/reports';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { eventProblems } from '../support/event-schemas';
import { freshTable } from '../support/table';

type Answer = { statusCode: number; body: string };
const context = {} as Context;
const SECRET = `whsec_${Buffer.from('a-secret-of-thirty-two-bytes-!!!').toString('base64')}`;
const SOURCES: SourceConfig[] = [
  {
    id: 'campaign-demo',
    kind: 'webhook',
    adapter: 'canonical',
    duplicatePolicy: 'create',
    allowedOrigins: [],
    campaign: 'winter',
  },
  { id: 'campaign-strict', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'reject', allowedOrigins: [] },
  { id: 'google-ads', kind: 'webhook', adapter: 'google-ads', duplicatePolicy: 'create', allowedOrigins: [] },
];

/**
 * Rejected webhook deliveries through the capture handler, the bus (a list here) and the counters
 * consumer on DynamoDB Local: what the sources report shows, and what the table does not hold.
 */
const setup = async () => {
  const table = await freshTable('rejects');
  const published: BusEvent[] = [];
  let n = 0;
  const handler = httpHandler(
    makeWebhookHandler({
      capture: {
        store: makeCaptureRepository(table.db, table.name),
        workflow: { startLifecycle: async () => undefined },
        clock: { now: () => new Date() },
        ids: { next: () => `LEAD${++n}` },
      },
      sources: () => SOURCES,
      secrets: { secretsFor: async () => ({ current: SECRET }) },
      rejections: {
        publisher: { publish: async (events) => void published.push(...events) },
        clock: { now: () => new Date('2026-11-23T10:00:00.000Z') },
      },
    }),
  ) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<Answer>;
  const deliver = async (sourceId: string, payload: unknown, id: string, secret = SECRET) => {
    const body = JSON.stringify(payload);
    const at = new Date();
    const res = await handler(
      {
        version: '2.0',
        routeKey: 'POST /webhooks/{sourceId}',
        rawPath: `/webhooks/${sourceId}`,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(id, at, body),
        },
        pathParameters: { sourceId },
        body,
        isBase64Encoded: false,
        requestContext: {
          routeKey: 'POST /webhooks/{sourceId}',
          http: {
            method: 'POST',
            path: `/webhooks/${sourceId}`,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'test',
          },
        },
      } as unknown as APIGatewayProxyEventV2,
      context,
    );
    return res.statusCode;
  };
  /** Google Ads signs nothing: the key travels in the body. */
  const deliverGoogle = async (payload: Record<string, unknown>) =>
    (
      await handler(
        {
          version: '2.0',
          routeKey: 'POST /webhooks/{sourceId}',
          rawPath: '/webhooks/google-ads',
          headers: { 'content-type': 'application/json' },
          pathParameters: { sourceId: 'google-ads' },
          body: JSON.stringify(payload),
          isBase64Encoded: false,
          requestContext: {
            routeKey: 'POST /webhooks/{sourceId}',
            http: {
              method: 'POST',
              path: '/webhooks/google-ads',
              protocol: 'HTTP/1.1',
              sourceIp: '127.0.0.1',
              userAgent: 'test',
            },
          },
        } as unknown as APIGatewayProxyEventV2,
        context,
      )
    ).statusCode;
  const counters = makeCountersRepository(table.db, table.name);
  const count = async () => {
    const outcomes = [];
    for (const e of published)
      outcomes.push(
        await counters.apply({ detailType: e.detailType, source: e.source, detail: e.detail } as CountableEvent),
      );
    return outcomes;
  };
  return { table, published, deliver, deliverGoogle, counters, count };
};

describe('rejected webhook deliveries', () => {
  it('counts an invalid delivery once however often it is redelivered, and writes no lead data for it', async () => {
    const { table, published, deliver, counters, count } = await setup();

    const statuses = [
      await deliver('campaign-demo', { email: 'not-an-address' }, 'msg_bad'),
      await deliver('campaign-demo', { email: 'not-an-address' }, 'msg_bad'),
      await deliver('campaign-demo', '[1, 2]', 'msg_text'),
    ];
    const outcomes = await count();

    expect(statuses).toEqual([422, 422, 400]);
    expect(
      published.map((e) => [e.detail.eventId, e.detail.reason, e.detail.fields ?? null, e.detail.campaign]),
    ).toEqual([
      ['rejected:campaign-demo:msg_bad', 'invalid', ['email'], 'winter'],
      ['rejected:campaign-demo:msg_bad', 'invalid', ['email'], 'winter'],
      ['rejected:campaign-demo:msg_text', 'malformed', ['body'], 'winter'],
    ]);
    expect(published.flatMap(eventProblems)).toEqual([]);
    expect(outcomes).toEqual(['counted', 'duplicate', 'counted']);
    const report = sourcesReport(await counters.read(['2026-11-23'], { open: false }), {
      from: '2026-11-23',
      to: '2026-11-23',
    });
    expect(report.channels).toEqual([
      {
        channel: 'WEBHOOK',
        received: 2,
        created: 0,
        duplicates: 0,
        duplicateShare: 0,
        rejected: 2,
        rejectShare: 1,
        rejectedByReason: { invalid: 1, malformed: 1 },
      },
    ]);
    // Only counters and their markers: no lead, delivery record, audit entry or dedupe key.
    const items = (await table.db.send(new ScanCommand({ TableName: table.name }))).Items ?? [];
    expect([...new Set(items.map((i) => i.type))].sort()).toEqual(['counted-event', 'counter']);
  });

  it('counts a duplicate refused by the source policy as a reject, and nothing for a wrong signature or an accepted lead', async () => {
    const { published, deliver } = await setup();

    const statuses = [
      await deliver('campaign-strict', { email: 'ann@northwind.example' }, 'msg_1'),
      await deliver('campaign-strict', { email: 'ANN@northwind.example' }, 'msg_2'),
      await deliver(
        'campaign-strict',
        { email: 'not-an-address' },
        'msg_3',
        `whsec_${Buffer.from('somebody-else-entirely-32-bytes!').toString('base64')}`,
      ),
    ];

    expect(statuses).toEqual([202, 202, 401]);
    expect(published.map((e) => [e.detail.eventId, e.detail.reason, e.detail.duplicateOf])).toEqual([
      ['rejected:campaign-strict:msg_2', 'duplicate', 'LEAD1'],
    ]);
  });

  it('counts a Google Ads delivery that fails its schema only when it carries the right key', async () => {
    const { published, deliverGoogle } = await setup();
    const broken = { lead_id: 'gl-1', user_column_data: 'not a list' };

    const statuses = [
      await deliverGoogle({ ...broken, google_key: SECRET }),
      await deliverGoogle({ ...broken, google_key: SECRET }),
      await deliverGoogle({ ...broken, google_key: 'a guess' }),
      await deliverGoogle({ user_column_data: 'not a list', google_key: SECRET }),
    ];

    expect(statuses).toEqual([422, 422, 422, 422]);
    expect(published.map((e) => [e.detail.eventId, e.detail.reason])).toEqual([
      ['rejected:google-ads:gads:gl-1', 'invalid'],
      ['rejected:google-ads:gads:gl-1', 'invalid'],
      [expect.stringMatching(/^rejected:google-ads:gads-body:[\w-]{43}$/), 'invalid'],
    ]);
  });
});
