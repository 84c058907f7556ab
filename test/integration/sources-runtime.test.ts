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
import { makeSourceResolver } from '../../functions/adapters/source-registry';
import {
  DEFAULT_WEBHOOK_SECRET_PREFIX,
  makeSecretsManagerClient,
  secretsFromSecretsManager,
  webhookSecretCreator,
} from '../../functions/adapters/webhook-secrets';
import { makeFormHandler } from '../../functions/capture-form/handler';
import { makeWebhookHandler } from '../../functions/capture-webhook/handler';
import type { BusEvent } from '../../functions/core/events';
import type { SourceConfig } from '../../functions/core/sources';
import { httpHandler } from '../../functions/http/middleware';
import { makeSourcesApi } from '../../functions/sources-api/handler';
import { LocalSecretsManager, serveSecretsManager } from '../../local/secrets-manager';
import { eventProblems } from '../support/event-schemas';
import { freshTable } from '../support/table';

/**
 * Sources at run time through the real adapters: the sources API and the capture handlers on
 * DynamoDB Local and the local Secrets Manager, each with its own adapters (as separate Lambda
 * functions would have). The capture side resolves sources through the same cache the functions use,
 * on a pinned clock, so its ten-second age is crossed without waiting.
 */
const SEED: SourceConfig[] = [
  { id: 'campaign-demo', kind: 'webhook', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
  { id: 'contact-us', kind: 'form', adapter: 'canonical', duplicatePolicy: 'create', allowedOrigins: [] },
];
const SAM = { user: 'sam', groups: ['salesops'] };
const context = {} as Context;
type Answer = { statusCode: number; body: string; headers: Record<string, string> };

const event = (
  routeKey: string,
  pathParameters: Record<string, string>,
  options: {
    who?: { user: string; groups: string[] };
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
) => {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const rawPath = routeKey.split(' ')[1]?.replace(/\{(\w+)\}/g, (_m, name: string) => pathParameters[name] ?? '');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body,
    pathParameters,
    isBase64Encoded: false,
    requestContext: {
      routeKey,
      http: {
        method: routeKey.split(' ')[0],
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 't',
      },
      authorizer: options.who
        ? {
            jwt: {
              claims: { 'cognito:username': options.who.user, 'cognito:groups': `[${options.who.groups.join(' ')}]` },
              scopes: [],
            },
          }
        : undefined,
    },
  } as unknown as APIGatewayProxyEventV2;
};

describe('sources at run time', () => {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const now = () => clock;
  const secretsManager = new LocalSecretsManager(undefined, now);
  let server: Awaited<ReturnType<typeof serveSecretsManager>>;
  let table: Awaited<ReturnType<typeof freshTable>>;
  const published: BusEvent[] = [];
  let api: (e: APIGatewayProxyEventV2) => Promise<Answer>;
  let webhook: (e: APIGatewayProxyEventV2) => Promise<Answer>;
  let form: (e: APIGatewayProxyEventV2) => Promise<Answer>;
  let failSecrets = false;

  const call = async (routeKey: string, path: Record<string, string>, options: Parameters<typeof event>[2] = {}) => {
    const res = await api(event(routeKey, path, { who: SAM, ...options }));
    return { ...res, json: JSON.parse(res.body || '{}') as Record<string, unknown> };
  };
  const deliver = (sourceId: string, secret: string) => {
    const id = `msg_${ulid()}`;
    const body = JSON.stringify({ email: `${id.toLowerCase()}@acme.example`, firstName: 'Runa' });
    const at = new Date();
    return webhook(
      event(
        'POST /webhooks/{sourceId}',
        { sourceId },
        {
          raw: body,
          headers: {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': new Webhook(secret).sign(id, at, body),
          },
        },
      ),
    );
  };
  const submit = (formId: string) =>
    form(event('POST /forms/{formId}', { formId }, { body: { email: `${ulid().toLowerCase()}@acme.example` } }));
  const auditOf = async (sourceId: string) =>
    (
      await table.db.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': keys.sourceAudit(sourceId, '', '').pk, ':a': 'AUDIT#' },
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    [table, server] = await Promise.all([freshTable('sources-runtime'), serveSecretsManager(secretsManager)]);
    secretsManager.seed(
      `${DEFAULT_WEBHOOK_SECRET_PREFIX}campaign-demo`,
      `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
    );
    const client = makeSecretsManagerClient(server.endpoint);
    const dateNow = { now: () => new Date(clock) };
    const realCreator = webhookSecretCreator(DEFAULT_WEBHOOK_SECRET_PREFIX, client);
    const handler = httpHandler(
      makeSourcesApi({
        audit: makeSourceAuditRepository(table.db, table.name),
        catalog: {
          seed: SEED,
          store: makeSourceCatalogRepository(table.db, table.name),
          secrets: {
            create: async (...args) => {
              if (failSecrets) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
              return realCreator.create(...args);
            },
          },
          bus: { publish: async (batch) => void published.push(...batch) },
          clock: dateNow,
          ids: { next: () => randomUUID() },
        },
        rotation: {
          store: secretsFromSecretsManager(DEFAULT_WEBHOOK_SECRET_PREFIX, client, { now }),
          bus: { publish: async (batch) => void published.push(...batch) },
          clock: dateNow,
          ids: { next: () => randomUUID() },
          graceSeconds: 3600,
        },
      }),
    );
    api = (e) => handler(e, context) as Promise<Answer>;
    // The capture functions' own view: the same cache as in production, on the pinned clock.
    const sources = makeSourceResolver(SEED, makeSourceCatalogRepository(table.db, table.name), { now });
    const capture = {
      store: makeCaptureRepository(table.db, table.name),
      workflow: { startLifecycle: async () => undefined },
      clock: dateNow,
      ids: { next: () => ulid() },
    };
    const hook = httpHandler(
      makeWebhookHandler({
        capture,
        sources,
        secrets: secretsFromSecretsManager(DEFAULT_WEBHOOK_SECRET_PREFIX, client, { now }),
      }),
    );
    webhook = (e) => hook(e, context) as Promise<Answer>;
    const forms = httpHandler(makeFormHandler({ capture, sources }));
    form = (e) => forms(e, context) as Promise<Answer>;
    // Warm the capture cache, as a running function would be.
    expect((await submit('contact-us')).statusCode).toBe(202);
  });
  afterAll(async () => {
    await server?.close();
    table?.client.destroy();
  });

  it('refuses reps and managers (403) and a bad body (422 naming each field), and writes nothing', async () => {
    const asRep = await api(
      event('POST /sources', {}, { who: { user: 'alice', groups: ['rep'] }, body: { id: 'x', kind: 'form' } }),
    );
    const asManager = await api(
      event('POST /sources', {}, { who: { user: 'maria', groups: ['manager'] }, body: { id: 'x', kind: 'form' } }),
    );
    expect([asRep.statusCode, asManager.statusCode]).toEqual([403, 403]);
    const bad = await call('POST /sources', {}, { body: { id: 'Bad Id', kind: 'api', secret: 'whsec_x' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((bad.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['id', 'kind', 'secret']);
    expect((await call('GET /sources', {})).json.items).toHaveLength(4);
    expect(published).toEqual([]);
  });

  it('creates a webhook source with its secret shown once, captures with it, edits it, retires it, then refuses its deliveries with 410', async () => {
    const created = await call(
      'POST /sources',
      {},
      { body: { id: 'partner-y', name: 'Partner Y', kind: 'webhook', campaign: 'spring' } },
    );
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.headers.etag).toBe('"1"');
    expect(created.json).toMatchObject({
      id: 'partner-y',
      kind: 'webhook',
      origin: 'api',
      status: 'active',
      version: 1,
    });
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}partner-y`)).toBe(secret);
    // The list never shows it again.
    const listed = await call('GET /sources', {});
    expect(listed.body).not.toContain(secret);
    expect((listed.json.items as { id: string }[]).map((s) => s.id)).toContain('partner-y');

    // The capture cache is younger than ten seconds but has never seen this id: it reads again after a second.
    clock += 1000;
    const first = await deliver('partner-y', secret);
    expect(first.statusCode).toBe(202);
    expect(await deliver('partner-y', `whsec_${Buffer.alloc(32, 9).toString('base64')}`)).toMatchObject({
      statusCode: 401,
    });

    const stale = await call(
      'PUT /sources/{id}',
      { id: 'partner-y' },
      { body: { version: 0, value: { id: 'partner-y', kind: 'webhook' } } },
    );
    expect(stale.statusCode).toBe(409);
    const kindChange = await call(
      'PUT /sources/{id}',
      { id: 'partner-y' },
      { body: { version: 1, value: { id: 'partner-y', kind: 'form' } } },
    );
    expect(kindChange.statusCode).toBe(422);
    expect((kindChange.json.errors as { field: string }[]).map((e) => e.field)).toEqual(['value.kind']);
    const edited = await call(
      'PUT /sources/{id}',
      { id: 'partner-y' },
      {
        headers: { 'if-match': '"1"' },
        body: { value: { id: 'partner-y', kind: 'webhook', duplicatePolicy: 'reject' } },
      },
    );
    expect(edited.statusCode).toBe(200);
    expect(edited.json).toMatchObject({ version: 2, duplicatePolicy: 'reject', updatedBy: 'sam' });
    expect(edited.headers['cache-control']).toBeUndefined();

    const retired = await call('POST /sources/{id}/retire', { id: 'partner-y' }, { headers: { 'if-match': '"2"' } });
    expect(retired.statusCode).toBe(200);
    expect(retired.json).toMatchObject({ status: 'retired', version: 3 });
    // Within the capture cache's age the retirement is not yet seen; past it, deliveries are refused, signed or not.
    clock += 10_000;
    const refused = await deliver('partner-y', secret);
    expect(refused.statusCode).toBe(410);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'https://leadflow.dev/problems/gone', status: 410 });
    // Retired is final: no edit, no second retirement, no new source of that id.
    expect((await call('POST /sources/{id}/retire', { id: 'partner-y' }, { body: { version: 3 } })).statusCode).toBe(
      410,
    );
    expect((await call('POST /sources', {}, { body: { id: 'partner-y', kind: 'webhook' } })).statusCode).toBe(409);

    // Its history stays: three versions, three audit entries, three events without any secret.
    const versions = await call('GET /sources/{id}/versions', { id: 'partner-y' });
    expect(
      (versions.json.items as { version: number; change: string }[]).map((v) => `${v.version}:${v.change}`),
    ).toEqual(['3:retired', '2:updated', '1:created']);
    expect((await auditOf('partner-y')).map((a) => `${a.action}:${a.by}`)).toEqual([
      'source-created:sam',
      'source-updated:sam',
      'source-retired:sam',
    ]);
    const changes = published.filter((e) => e.detailType === 'SourceChanged' && e.detail.sourceId === 'partner-y');
    expect(changes.map((e) => e.detail.change)).toEqual(['created', 'updated', 'retired']);
    for (const e of changes) expect(eventProblems(e)).toEqual([]);
    expect(JSON.stringify(published)).not.toContain(secret);
    const list = (await call('GET /sources', {})).json.items as { id: string; status: string }[];
    expect(list.find((s) => s.id === 'partner-y')?.status).toBe('retired');
  });

  it('edits and retires a configured form (version 0 is the seed) and the form answers 410 once the cache has aged', async () => {
    const edited = await call(
      'PUT /sources/{id}',
      { id: 'contact-us' },
      { body: { version: 0, value: { id: 'contact-us', kind: 'form', campaign: 'web' } } },
    );
    expect(edited.statusCode).toBe(200);
    expect(edited.json).toMatchObject({ origin: 'config', version: 1, campaign: 'web' });
    const retired = await call('POST /sources/{id}/retire', { id: 'contact-us' }, { body: { version: 1 } });
    expect(retired.statusCode).toBe(200);
    clock += 10_000;
    const refused = await submit('contact-us');
    expect(refused.statusCode).toBe(410);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 410, retiredAt: retired.json.updatedAt });
    const versions = (await call('GET /sources/{id}/versions', { id: 'contact-us' })).json.items as {
      version: number;
    }[];
    expect(versions.map((v) => v.version)).toEqual([2, 1, 0]);
  });

  it('lets one of two racing creators of an id win', async () => {
    const body = { id: 'race-form', kind: 'form' };
    const answers = await Promise.all([call('POST /sources', {}, { body }), call('POST /sources', {}, { body })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect((await auditOf('race-form')).map((a) => a.action)).toEqual(['source-created']);
  });

  it('takes a new webhook source back when its secret cannot be stored, and says so in the audit', async () => {
    failSecrets = true;
    try {
      const failed = await call('POST /sources', {}, { body: { id: 'no-secret', kind: 'webhook' } });
      expect(failed.statusCode).toBe(500);
    } finally {
      failSecrets = false;
    }
    const ids = ((await call('GET /sources', {})).json.items as { id: string }[]).map((s) => s.id);
    expect(ids).not.toContain('no-secret');
    expect((await auditOf('no-secret')).map((a) => a.action)).toEqual(['source-created', 'source-creation-failed']);
    // The id is free again: the next attempt creates it, with a secret.
    const again = await call('POST /sources', {}, { body: { id: 'no-secret', kind: 'webhook' } });
    expect(again.statusCode).toBe(201);
    expect(secretsManager.current(`${DEFAULT_WEBHOOK_SECRET_PREFIX}no-secret`)).toBe(again.json.secret);
  });
});
