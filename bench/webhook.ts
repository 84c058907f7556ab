import { Agent, request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { makeCaptureRepository } from '../functions/adapters/capture-repository';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeWebhookHandler } from '../functions/capture-webhook/handler';
import type { SourceConfig } from '../functions/core/sources';
import { httpHandler } from '../functions/http/middleware';
import { ulid } from 'ulid';

/** Standard Webhooks headers for one delivery, signed with the `standardwebhooks` package. */
export const signedHeaders = (secret: string, id: string, body: string, at = new Date()) => ({
  'content-type': 'application/json',
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(id, at, body),
});

/**
 * Kept-alive connections for the load: the bench's client runs in the process it measures (beside the local
 * runtime), so it must cost little; `fetch` (undici) took about a tenth of that process's CPU in a profile
 * of captureVsRaw, charged to capture. node:http over a keep-alive agent, as the CLI's client does.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs one signed delivery to the local HTTP API; anything but 202 is an error. */
export const postWebhook = async (baseUrl: string, sourceId: string, secret: string, id: string, payload: unknown) => {
  const body = JSON.stringify(payload);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      `${baseUrl}/webhooks/${sourceId}`,
      {
        method: 'POST',
        agent,
        headers: { ...signedHeaders(secret, id, body), 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 202) throw new Error(`webhook answered ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { leadId: string; status: string };
};

/** The payload format 2.0 event the HTTP API hands to the webhook function. */
export const webhookEvent = (
  sourceId: string,
  headers: Record<string, string>,
  body: string,
): APIGatewayProxyEventV2 => {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{sourceId}',
    rawPath: `/webhooks/${sourceId}`,
    rawQueryString: '',
    headers,
    pathParameters: { sourceId },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: `/webhooks/${sourceId}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'leadflow-bench',
      },
      requestId: ulid(),
      routeKey: 'POST /webhooks/{sourceId}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
};

export const BENCH_SOURCE: SourceConfig = {
  id: 'bench-webhook',
  kind: 'webhook',
  adapter: 'canonical',
  duplicatePolicy: 'create',
  allowedOrigins: [],
};
const BENCH_SECRET = `whsec_${Buffer.from('leadflow-bench-secret-0123456789').toString('base64')}`;

/**
 * The real webhook handler (signature check, validation, duplicate check, transaction) wired to the
 * real repository on `table`, with the workflow start left out: it measures capture alone.
 */
export const inProcessCapture = (db: DynamoDBDocumentClient, table: string) => {
  const handler = httpHandler(
    makeWebhookHandler({
      capture: {
        store: makeCaptureRepository(db, table),
        workflow: { startLifecycle: async () => undefined },
        clock: { now: () => new Date() },
        ids: { next: () => ulid() },
      },
      sources: () => [BENCH_SOURCE],
      secrets: { secretsFor: async (id) => (id === BENCH_SOURCE.id ? { current: BENCH_SECRET } : undefined) },
    }),
  );
  return async (deliveryId: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const result = await handler(
      webhookEvent(BENCH_SOURCE.id, signedHeaders(BENCH_SECRET, deliveryId, body), body),
      {} as never,
    );
    if (result.statusCode !== 202)
      throw new Error(`capture answered ${result.statusCode}: ${String(result.body).slice(0, 300)}`);
    return JSON.parse(String(result.body)) as { leadId: string; status: string; duplicates: unknown[] };
  };
};
