import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { makeEmfMetrics } from '../../functions/adapters/emf-metrics';
import { makeWebhookHandler } from '../../functions/capture-webhook/handler';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE } from '../../functions/core/metric-facts';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { freshTable } from '../support/table';

type Emf = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
} & Record<string, unknown>;

const SECRET = `whsec_${Buffer.from('a-secret-of-thirty-two-bytes-!!!').toString('base64')}`;
const SERVICE = 'leadflow-captureWebhook';
const SOURCES: SourceConfig[] = [
  { id: 'campaign-demo', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'campaign-strict', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'reject', allowedOrigins: [] },
];
const PERSON = {
  firstName: 'Ingrid',
  lastName: 'Lindqvist',
  email: 'ingrid.lindqvist@northwind.example',
  phone: '+46 8 123 456 78',
  company: 'Northwind',
};

/**
 * Powertools writes EMF straight to the process's stdout (never through the logger), as CloudWatch
 * Logs reads it on Lambda. The test reads the same stream: it collects what is written while one
 * delivery runs, and puts the stream back whatever happens.
 */
const emfWrittenBy = async (run: () => Promise<unknown>): Promise<Emf[]> => {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf)
    .filter((e) => e._aws.CloudWatchMetrics[0]?.Namespace === METRICS_NAMESPACE && e.service === SERVICE);
};

const setup = async () => {
  const table = await freshTable('metrics');
  let n = 0;
  // Powertools reads POWERTOOLS_METRICS_DISABLED at construction; this file starts no local runtime, so it is unset.
  const metrics = makeEmfMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE }));
  const handler = httpHandler(
    makeWebhookHandler({
      capture: {
        store: makeCaptureRepository(table.db, table.name),
        workflow: { startLifecycle: async () => undefined },
        clock: { now: () => new Date() },
        ids: { next: () => `LEAD${++n}` },
        metrics,
      },
      sources: () => SOURCES,
      secrets: { secretsFor: async () => ({ current: SECRET }) },
    }),
  ) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode: number }>;
  const deliver = async (sourceId: string, payload: unknown, id: string) => {
    const body = JSON.stringify(payload);
    const at = new Date();
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/{sourceId}',
      rawPath: `/webhooks/${sourceId}`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, at, body),
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
    } as unknown as APIGatewayProxyEventV2;
    let status = 0;
    const emf = await emfWrittenBy(async () => {
      status = (await handler(event, { functionName: 'captureWebhook', awsRequestId: id } as Context)).statusCode;
    });
    return { status, emf };
  };
  return { deliver };
};

/** `name{dim=value,…}` for each metric of each line, the dimension sets aside. */
const summary = (lines: Emf[]) =>
  lines.flatMap((line) =>
    line._aws.CloudWatchMetrics.flatMap((m) =>
      m.Metrics.map((metric) => {
        const dims = [...new Set(m.Dimensions.flat())].filter((d) => d !== 'service').sort();
        return `${metric.Name}{${dims.map((d) => `${d}=${line[d]}`).join(',')}}`;
      }),
    ),
  );

const KNOWN_KEYS = new Set([
  '_aws',
  'service',
  ...Object.keys(METRIC_DIMENSIONS),
  ...Object.values(METRIC_DIMENSIONS).flat(),
]);

describe('capture metrics (EMF) from the webhook handler', () => {
  it('emits LeadsCaptured by source and channel and the capture latency, each with its service-only total', async () => {
    const { deliver } = await setup();

    const { status, emf } = await deliver('campaign-demo', PERSON, 'msg_created');

    expect(status).toBe(202);
    expect(summary(emf)).toEqual([
      'LeadsCaptured{channel=WEBHOOK,sourceId=campaign-demo}',
      'CaptureLatency{channel=WEBHOOK}',
    ]);
    const [captured, latency] = emf;
    expect(captured?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service'], ['service', 'sourceId', 'channel']]);
    expect(captured?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'LeadsCaptured', Unit: 'Count' }]);
    expect(captured?.LeadsCaptured).toBe(1);
    expect(latency?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'CaptureLatency', Unit: 'Milliseconds' }]);
    expect(latency?.CaptureLatency).toBeGreaterThanOrEqual(0);
  });

  it('emits a duplicate by policy and a reject by reason when a reject-policy source sends a known person again', async () => {
    const { deliver } = await setup();
    await deliver('campaign-strict', PERSON, 'msg_first');

    const { status, emf } = await deliver(
      'campaign-strict',
      { ...PERSON, email: PERSON.email.toUpperCase() },
      'msg_again',
    );

    expect(status).toBe(202);
    expect(summary(emf)).toEqual([
      'DuplicatesFound{policy=reject}',
      'CapturesRejected{channel=WEBHOOK,reason=duplicate}',
      'CaptureLatency{channel=WEBHOOK}',
    ]);
  });

  it('emits a reject by reason for an invalid payload, and nothing else', async () => {
    const { deliver } = await setup();

    const { status, emf } = await deliver(
      'campaign-demo',
      { ...PERSON, email: 'ingrid.lindqvist-at-northwind' },
      'msg_invalid',
    );

    expect(status).toBe(422);
    expect(summary(emf)).toEqual(['CapturesRejected{channel=WEBHOOK,reason=invalid}']);
  });

  it('puts no personal data in any line: only the namespace, the service, config names and the values', async () => {
    const { deliver } = await setup();

    const lines = [
      ...(await deliver('campaign-demo', PERSON, 'msg_p1')).emf,
      ...(await deliver('campaign-demo', PERSON, 'msg_p2')).emf,
      ...(await deliver('campaign-demo', { ...PERSON, email: 'ingrid.lindqvist-at-northwind' }, 'msg_p3')).emf,
    ];

    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect(Object.keys(line).filter((k) => !KNOWN_KEYS.has(k))).toEqual([]);
      const text = JSON.stringify(line).toLowerCase();
      for (const value of [
        PERSON.email,
        'ingrid.lindqvist',
        PERSON.lastName,
        PERSON.firstName,
        '123 456',
        'northwind',
        'msg_p',
        'lead1',
        'lead2',
      ]) {
        expect(text, `${value} in ${text}`).not.toContain(value.toLowerCase());
      }
    }
  });
});
