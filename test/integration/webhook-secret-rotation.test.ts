import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeCaptureRepository } from '../../functions/adapters/capture-repository';
import { keys } from '../../functions/adapters/keys';
import { makeSourceAuditRepository } from '../../functions/adapters/source-audit-repository';
import { makeSourceCatalogRepository } from '../../functions/adapters/source-catalog-repository';
import {
  DEFAULT_WEBHOOK_SECRET_PREFIX,
  makeSecretsManagerClient,
  secretsFromSecretsManager,
  webhookSecretCreator,
} from '../../functions/adapters/webhook-secrets';
import { makeWebhookHandler } from '../../functions/capture-webhook/handler';
import type { BusEvent } from '../../functions/core/events';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeSourcesApi } from '../../functions/sources-api/handler';
import { LocalSecretsManager, serveSecretsManager } from '../../local/secrets-manager';
import { eventProblems } from '../support/event-schemas';
import { freshTable } from '../support/table';

/**
 * Rotation end to end through the real adapters: the sources API and the capture handler on
 * DynamoDB Local, each with its own Secrets Manager adapter (as two Lambda functions would have),
 * against the local Secrets Manager. One pinned clock drives the store's version dates, both caches
 * and both handlers, so the grace window is crossed without waiting.
 */
const GRACE_SECONDS = 3600;
const OLD = `whsec_${Buffer.from('the-old-secret-of-campaign-demo!').toString('base64')}`;
const SOURCES: SourceConfig[] = [
  { id: 'campaign-demo', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'google-ads', kind: 'webhook', adapter: 'google-ads', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'contact-us', kind: 'form', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'partner-x', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  // Configured, but its secret was never created (a deployment that failed half-way): the store refuses a rotation.
  { id: 'no-secret', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
];

type Answer = { statusCode: number; body: string; headers: Record<string, string> };
const context = {} as Context;

const apiEvent = (
  routeKey: string,
  pathParameters: Record<string, string>,
  who?: { user: string; groups: string[] },
  body?: unknown,
) =>
  ({
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1]?.replace(/\{(\w+)\}/g, (_m, name: string) => pathParameters[name] ?? ''),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    pathParameters,
    isBase64Encoded: false,
    requestContext: {
      routeKey,
      http: {
        method: routeKey.split(' ')[0],
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      authorizer: who
        ? {
            jwt: {
              claims: { 'cognito:username': who.user, 'cognito:groups': `[${who.groups.join(' ')}]` },
              scopes: [],
            },
          }
        : undefined,
    },
  }) as unknown as APIGatewayProxyEventV2;

const SAM = { user: 'sam', groups: ['salesops'] };

describe('webhook secret rotation', () => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const now = () => clock;
  const secretsManager = new LocalSecretsManager(undefined, now);
  let server: Awaited<ReturnType<typeof serveSecretsManager>>;
  let table: Awaited<ReturnType<typeof freshTable>>;
  const published: BusEvent[] = [];
  let sourcesApi: (event: APIGatewayProxyEventV2) => Promise<Answer>;
  let capture: (event: APIGatewayProxyEventV2) => Promise<Answer>;

  const deliver = (secret: string, id = `msg_${ulid()}`) => {
    const body = JSON.stringify({ email: `${id.toLowerCase()}@acme.example`, firstName: 'Rota' });
    // Signed now: the Standard Webhooks library checks the timestamp against the real time; the pinned clock drives the window.
    const at = new Date();
    return capture({
      version: '2.0',
      routeKey: 'POST /webhooks/{sourceId}',
      rawPath: '/webhooks/campaign-demo',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, at, body),
      },
      pathParameters: { sourceId: 'campaign-demo' },
      body,
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /webhooks/{sourceId}',
        http: {
          method: 'POST',
          path: '/webhooks/campaign-demo',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test',
        },
      },
    } as unknown as APIGatewayProxyEventV2);
  };
  const rotate = async (who = SAM, id = 'campaign-demo', body?: unknown) =>
    sourcesApi(apiEvent('POST /sources/{id}/secret', { id }, who, body));
  const auditOf = async (sourceId: string) =>
    (
      await table.db.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
          ExpressionAttributeValues: { ':pk': keys.sourceAudit(sourceId, '', '').pk, ':audit': 'AUDIT#' },
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    [table, server] = await Promise.all([freshTable('rotation'), serveSecretsManager(secretsManager)]);
    secretsManager.seed(`${DEFAULT_WEBHOOK_SECRET_PREFIX}campaign-demo`, OLD);
    secretsManager.seed(`${DEFAULT_WEBHOOK_SECRET_PREFIX}google-ads`, 'gkey-the-first-google-key');
    secretsManager.seed(`${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-x`, OLD);
    const client = () => makeSecretsManagerClient(server.endpoint);
    const dateNow = { now: () => new Date(clock) };
    const api = httpHandler(
      makeSourcesApi({
        audit: makeSourceAuditRepository(table.db, table.name),
        catalog: {
          seed: SOURCES,
          store: makeSourceCatalogRepository(table.db, table.name),
          secrets: webhookSecretCreator(DEFAULT_WEBHOOK_SECRET_PREFIX, client()),
          bus: { publish: async (batch) => void published.push(...batch) },
          clock: dateNow,
          ids: { next: () => randomUUID() },
        },
        rotation: {
          store: secretsFromSecretsManager(DEFAULT_WEBHOOK_SECRET_PREFIX, client(), { now }),
          bus: { publish: async (batch) => void published.push(...batch) },
          clock: dateNow,
          ids: { next: () => randomUUID() },
          graceSeconds: GRACE_SECONDS,
        },
      }),
    );
    sourcesApi = (event) => api(event, context) as Promise<Answer>;
    const handler = httpHandler(
      makeWebhookHandler({
        capture: {
          store: makeCaptureRepository(table.db, table.name),
          workflow: { startLifecycle: async () => undefined },
          clock: dateNow,
          ids: { next: () => ulid() },
        },
        sources: () => SOURCES,
        secrets: secretsFromSecretsManager(DEFAULT_WEBHOOK_SECRET_PREFIX, client(), { now }),
        graceSeconds: GRACE_SECONDS,
      }),
    );
    capture = (event) => handler(event, context) as Promise<Answer>;
  });
  afterAll(async () => {
    await server?.close();
    table?.client.destroy();
  });

  it('refuses reps and managers with 403 and leaves the secret, the audit and the bus untouched', async () => {
    const asRep = await rotate({ user: 'alice', groups: ['rep'] });
    const asManager = await rotate({ user: 'maria', groups: ['manager'] });

    expect([asRep.statusCode, asManager.statusCode]).toEqual([403, 403]);
    expect(secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}campaign-demo`)).toBe(OLD);
    expect(await auditOf('campaign-demo')).toEqual([]);
    expect(published).toEqual([]);
  });

  it('answers 404 for a source that is not a webhook or does not exist', async () => {
    expect((await rotate(SAM, 'contact-us')).statusCode).toBe(404);
    expect((await rotate(SAM, 'nope')).statusCode).toBe(404);
  });

  it('accepts the new secret at once and the previous one until the grace window ends, then only the new one', async () => {
    // The capture function has the old secret cached when the rotation happens elsewhere.
    expect((await deliver(OLD)).statusCode).toBe(202);
    clock += 10_000;

    const rotated = await rotate();
    expect(rotated.statusCode).toBe(201);
    const { secret, rotatedAt, previousValidUntil, rotatedBy } = JSON.parse(rotated.body) as Record<string, string>;
    expect(rotated.headers['cache-control']).toBe('no-store');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(String(secret).slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(rotatedBy).toBe('sam');
    expect(Date.parse(String(previousValidUntil)) - Date.parse(String(rotatedAt))).toBe(GRACE_SECONDS * 1000);
    expect(secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}campaign-demo`)).toBe(secret);

    clock += 1000;
    expect((await deliver(String(secret))).statusCode).toBe(202);
    expect((await deliver(OLD)).statusCode).toBe(202);

    clock = Date.parse(String(previousValidUntil)) - 1000;
    expect((await deliver(OLD)).statusCode).toBe(202);
    clock += 2000;
    const late = await deliver(OLD);
    expect(late.statusCode).toBe(401);
    expect(JSON.parse(late.body)).toMatchObject({ errors: [{ field: 'webhook-signature' }] });
    expect((await deliver(String(secret))).statusCode).toBe(202);
  });

  it('refuses to rotate again while the secret before the current one is still accepted, unless told to drop it', async () => {
    clock += 60_000;
    const current = secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-x`);
    expect((await rotate(SAM, 'partner-x')).statusCode).toBe(201);
    const auditBefore = (await auditOf('partner-x')).length;

    const again = await rotate(SAM, 'partner-x');
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({ errors: [{ field: 'dropPrevious' }] });
    expect(
      secretsManager.handle('GetSecretValue', {
        SecretId: `${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-x`,
        VersionStage: 'AWSPREVIOUS',
      }).SecretString,
    ).toBe(current);
    expect(await auditOf('partner-x')).toHaveLength(auditBefore);
    expect((await rotate(SAM, 'partner-x', { dropPrevious: 'yes' })).statusCode).toBe(422);

    expect((await rotate(SAM, 'partner-x', { dropPrevious: true })).statusCode).toBe(201);
    expect(
      secretsManager.handle('GetSecretValue', {
        SecretId: `${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-x`,
        VersionStage: 'AWSPREVIOUS',
      }).SecretString,
    ).not.toBe(current);
  });

  it('lets one of two simultaneous rotations win and answers the other 409, so no handed-out secret is silently replaced', async () => {
    clock += 2 * GRACE_SECONDS * 1000;
    const answers = await Promise.all([
      rotate(SAM, 'partner-x'),
      rotate({ user: 'sol', groups: ['salesops'] }, 'partner-x'),
    ]);

    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const winner = JSON.parse(answers.find((a) => a.statusCode === 201)?.body ?? '{}') as { secret: string };
    expect(secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-x`)).toBe(winner.secret);
  });

  it('undoes the claim and audits the failure when the store refuses the secret, leaving the next rotation free', async () => {
    const failed = await rotate(SAM, 'no-secret');

    expect(failed.statusCode).toBe(500);
    expect((await auditOf('no-secret')).map((a) => a.action)).toEqual([
      'webhook-secret-rotated',
      'webhook-secret-rotation-failed',
    ]);
    secretsManager.seed(`${DEFAULT_WEBHOOK_SECRET_PREFIX}no-secret`, OLD);
    expect((await rotate(SAM, 'no-secret')).statusCode).toBe(201);
  });

  it('audits who rotated which source and when, announces it, and never stores or sends the secret', async () => {
    const before = published.length;
    clock += 60_000;
    const rotated = await rotate();
    const { secret, rotatedAt, previousValidUntil } = JSON.parse(rotated.body) as Record<string, string>;

    const audit = await auditOf('campaign-demo');
    expect(audit.at(-1)).toMatchObject({
      action: 'webhook-secret-rotated',
      sourceId: 'campaign-demo',
      by: 'sam',
      at: rotatedAt,
      previousValidUntil,
    });
    const event = published.slice(before);
    expect(event).toEqual([
      expect.objectContaining({
        detailType: 'WebhookSecretRotated',
        detail: expect.objectContaining({ sourceId: 'campaign-demo', rotatedBy: 'sam', previousValidUntil }),
      }),
    ]);
    expect(event.flatMap(eventProblems)).toEqual([]);
    expect(JSON.stringify([audit, published])).not.toContain(String(secret).slice('whsec_'.length, 20));

    const list = await sourcesApi(apiEvent('GET /sources', {}, { user: 'maria', groups: ['manager'] }));
    const items = (JSON.parse(list.body) as { items: { id: string; rotation?: unknown }[] }).items;
    expect(items.find((s) => s.id === 'campaign-demo')?.rotation).toEqual({
      at: rotatedAt,
      by: 'sam',
      previousValidUntil,
    });
    expect(items.find((s) => s.id === 'google-ads')?.rotation).toBeUndefined();
    expect(list.body).not.toContain(String(secret).slice('whsec_'.length, 20));
  });

  it('rotates a Google Ads key the same way: the new key works at once, the old one during the window', async () => {
    const googleDelivery = (key: string) =>
      capture({
        version: '2.0',
        routeKey: 'POST /webhooks/{sourceId}',
        rawPath: '/webhooks/google-ads',
        headers: { 'content-type': 'application/json' },
        pathParameters: { sourceId: 'google-ads' },
        body: JSON.stringify({
          lead_id: `g-${ulid()}`,
          google_key: key,
          user_column_data: [{ column_id: 'EMAIL', string_value: `g-${ulid().toLowerCase()}@acme.example` }],
        }),
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
      } as unknown as APIGatewayProxyEventV2);
    expect((await googleDelivery('gkey-the-first-google-key')).statusCode).toBe(202);
    clock += 10_000;

    const { secret } = JSON.parse((await rotate(SAM, 'google-ads')).body) as { secret: string };

    expect((await googleDelivery(secret)).statusCode).toBe(202);
    expect((await googleDelivery('gkey-the-first-google-key')).statusCode).toBe(202);
    clock += (GRACE_SECONDS + 1) * 1000;
    expect((await googleDelivery('gkey-the-first-google-key')).statusCode).toBe(401);
  });
});
