import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, it } from '@jest/globals';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { makeDocumentClient, makeDynamoClient } from '../../functions/adapters/aws-clients';
import { CONFIG_KINDS } from '../../functions/core/config/kinds';
import { checkPathIds } from '../../functions/http/ids';
import { expect } from '../support/expect';
import { bundled, follow, isLocalOnly, type Json, operationsOf, readSpec } from '../support/openapi';
import { type ApiResponse, eventually, useTestRuntime } from '../support/runtime';

/**
 * Fuzz every route of openapi.yaml against the local runtime: requests generated from the spec's
 * schemas, valid and mutated. Whatever arrives, the answer is never a 5xx; every error is
 * problem+json whose `status` is the HTTP status, without stack text or file paths; a mutated
 * request gets a 4xx that fits what was broken; and a refused request writes nothing (table items
 * and bus events counted before and after each batch).
 */
const { rt, api } = useTestRuntime();
const spec = bundled(readSpec());

const WEBHOOK_SOURCE = 'campaign-demo';
const FORM = 'contact-us';
/** One caller in every group, so a mutation is refused for what it broke, not for who sent it. */
const EVERYONE: [string, ...string[]] = ['fuzz-ops', 'rep', 'manager', 'salesops'];
const RUNS = { small: 15, medium: 30 };

type Op = { method: string; path: string; params: string[]; bodySchema?: Json; bodyTypes: string[]; open: boolean };
const OPERATIONS: Op[] = operationsOf(spec)
  .filter((o) => !isLocalOnly(o.path, o.operation))
  .map(({ key, path, operation }) => {
    const body = (operation as Json).requestBody as { content?: Record<string, { schema?: Json }> } | undefined;
    return {
      method: key.split(' ')[0] as string,
      path,
      params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string),
      bodySchema: body?.content?.['application/json']?.schema,
      bodyTypes: Object.keys(body?.content ?? {}),
      open: Array.isArray(operation.security) && operation.security.length === 0,
    };
  });
const withParams = OPERATIONS.filter((o) => o.params.length > 0);
const withJson = OPERATIONS.filter((o) => o.bodyTypes.includes('application/json'));
const secured = OPERATIONS.filter((o) => !o.open);

/** Good values for each path parameter, filled in once the runtime holds a lead and an import. */
const good: Record<string, Record<string, string>> = {};
const goodValue = (op: Op, name: string): string => good[op.path]?.[name] ?? good['*']?.[name] ?? 'x';

// ------------------------------------------------------------------------------------------ sending
type Sent = {
  op: Op;
  path: string;
  query?: Record<string, string>;
  body?: string;
  type?: string;
  auth?: 'none' | 'garbage';
};
let generated = 0;

const pathOf = (op: Op, override: Record<string, string> = {}) =>
  op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => override[name] ?? encodeURIComponent(goodValue(op, name)));

const send = async (request: Sent): Promise<ApiResponse<unknown>> => {
  generated++;
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  const headers: Record<string, string> = {};
  if (request.type !== undefined) headers['content-type'] = request.type;
  if (request.auth === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
  if (request.op.path === '/webhooks/{sourceId}' && request.body !== undefined) {
    // Signed, so what is tested is the body and not the signature.
    const id = `msg_${ulid()}`;
    const at = new Date();
    Object.assign(headers, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(rt.webhookSecrets[WEBHOOK_SOURCE] as string).sign(id, at, request.body),
    });
  }
  return api.request(request.op.method, `${request.path}${query}`, {
    raw: request.body,
    headers,
    ...(request.auth || request.op.open ? {} : { as: EVERYONE }),
  });
};

/** Whether `segment`, decoded as the gateway decodes it, has the shape of its parameter's kind of id. */
const fitsShape = (op: Op, name: string, segment: string) => {
  let value = segment;
  try {
    value = decodeURIComponent(segment);
  } catch {
    // a broken escape reaches the handler as sent
  }
  try {
    checkPathIds({ routeKey: `${op.method} ${op.path}`, pathParameters: { [name]: value } });
    return true;
  } catch {
    return false;
  }
};

const LEAKS = /\bError:|\n\s+at |node_modules|\/work\/|[\w-]+\.ts:\d+|\bstack\b/;

/** No 5xx; errors as problem+json (the authorizer's own 401 excepted, as on API Gateway); the status fits. */
const checkAnswer = (request: Sent, res: ApiResponse<unknown>, plausible?: readonly number[]) => {
  const what = `${request.op.method} ${request.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (plausible) expect(plausible, what).toContain(res.status);
  if (res.status < 400) return;
  expect(res.text, what).not.toMatch(LEAKS);
  if (res.status === 401 && request.auth) {
    expect(res.body, what).toEqual({ message: 'Unauthorized' });
    return;
  }
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  const problem = res.body as Json;
  expect(typeof problem.type, what).toBe('string');
  expect(typeof problem.title, what).toBe('string');
  expect(problem.status, what).toBe(res.status);
};

// ------------------------------------------------------------------------------------------ writes
const db = () => makeDocumentClient(makeDynamoClient(rt.dynamodbEndpoint));

/**
 * What refused requests must not change: the table's items and the bus's events. A refused capture
 * from a known sender is announced on purpose (`CaptureRejected`, counted for the sources report
 * into `COUNTERS` items), so those two are left out of the count.
 */
const snapshot = async () => {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(
      new ScanCommand({
        TableName: rt.tableName,
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const i of out.Items ?? []) if (!String(i.pk).startsWith('COUNTERS')) items.push(`${i.pk} ${i.sk}`);
    start = out.LastEvaluatedKey;
  } while (start);
  items.sort();
  const events = (await api.events()).filter((e) => e['detail-type'] !== 'CaptureRejected').length;
  return { items, events };
};

/** Runs a batch of requests that must all be refused, and checks they wrote nothing. */
const refusedBatch = async (run: () => Promise<void>) => {
  const before = await snapshot();
  await run();
  expect(await snapshot()).toEqual(before);
};

const property = <T>(arb: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns = RUNS.medium) =>
  fc.assert(fc.asyncProperty(arb, check), { numRuns, endOnFailure: true });

// ------------------------------------------------------------------------------------------ generators
type Schema = Json & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
};

const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(follow(spec, schema.$ref.slice(1)) as Schema) : schema;

/** Values a JSON schema describes (the common keywords; anything else becomes some JSON). */
const fromSchema = (raw: Schema, depth = 0): fc.Arbitrary<unknown> => {
  const schema = resolve(raw);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (choices?.length) return fc.oneof(...choices.map((s) => fromSchema(s, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length) return fromSchema(schema.allOf[0] as Schema, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const max = (key: string, fallback: number) =>
    Math.min(typeof schema[key] === 'number' ? (schema[key] as number) : fallback, fallback);
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2024-01-01'), max: new Date('2026-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.format === 'date')
        return fc
          .date({ min: new Date('2024-01-01'), max: new Date('2026-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      if (typeof schema.pattern === 'string')
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= max('maxLength', 200));
      return fc.string({
        minLength: typeof schema.minLength === 'number' ? schema.minLength : 0,
        maxLength: max('maxLength', 40),
      });
    }
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -1000,
        max: typeof schema.maximum === 'number' ? schema.maximum : 100_000,
      });
    case 'number':
      return fc.double({
        min: typeof schema.minimum === 'number' ? schema.minimum : -1e6,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1e6,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(fromSchema(schema.items ?? {}, depth + 1), {
            minLength: typeof schema.minItems === 'number' ? Math.min(schema.minItems, 3) : 0,
            maxLength: max('maxItems', 3),
          });
    case 'object':
    case undefined: {
      if (!schema.properties)
        return depth > 2
          ? fc.constant({})
          : fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const required = schema.required ?? [];
      const props = Object.fromEntries(
        Object.entries(schema.properties).map(([k, s]) => [k, fromSchema(s, depth + 1)]),
      );
      return fc.record(props, { requiredKeys: required.filter((k) => k in props) }) as fc.Arbitrary<unknown>;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
};

/** Path segments no id of any kind looks like, sent exactly as written (some are not even valid escapes). */
const oddSegment = fc.oneof(
  fc.string({ minLength: 2049, maxLength: 4096, unit: 'grapheme-ascii' }).map(encodeURIComponent),
  fc.constant(encodeURIComponent('x'.repeat(2100))),
  fc.constantFrom(
    '%ED%A0%80',
    'a%ED%B0%80b',
    '%zz',
    '%E0',
    'LEAD%23x',
    '%00',
    '%20',
    'DROP%20TABLE',
    '%3Cscript%3E',
    '%F0%9F%99%82',
    'null',
    '-1',
    '0',
  ),
  fc
    .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
    .filter((s) => s !== '.' && s !== '..')
    .map((s) => encodeURIComponent(s)),
);

/** Strings that break JSON in the ways clients and attackers do. */
const brokenJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    "{'a':1}",
    '{"a":1}}',
    '[1,2',
    'nul',
    '{"a":undefined}',
    '{"a":1,}',
    '\u0000',
    '{"a":"\\x"}',
    '<xml/>',
    '--boundary',
  ),
  fc.json().map((j) => `${j}}`),
);

const notAnObject = fc.constantFrom('[]', '[{}]', '1', '"text"', 'null', 'true', '-0.5e3');

const LONE = ['\\ud800', '\\udfff', 'a\\udc00b', '\\ud83d'];

// ------------------------------------------------------------------------------------------ set-up
beforeAll(async () => {
  const created = await api.webhook(WEBHOOK_SOURCE, {
    email: `fuzz-${ulid().toLowerCase()}@example.com`,
    firstName: 'Fuzz',
    company: 'Fuzz Ltd',
  });
  const leadId = (created.body as { leadId: string }).leadId;
  await api.webhook(WEBHOOK_SOURCE, { email: `fuzz2-${ulid().toLowerCase()}@example.com`, firstName: 'Fuzz' });
  const job = await api.request<{ jobId: string }>('POST', '/imports', {
    as: EVERYONE,
    body: { fileName: 'f.csv', contentHash: 'a'.repeat(64), headers: ['email'] },
  });
  expect(job.status, job.text).toBeLessThan(300);
  good['*'] = {
    id: leadId,
    attachmentId: ulid(),
    action: 'qualify',
    taskId: `${leadId}.1.0`,
    subscriptionId: `sub_${ulid()}`,
    mergeId: ulid(),
    viewId: ulid(),
    quoteId: 'Q-2026-000001',
    sourceId: WEBHOOK_SOURCE,
    formId: FORM,
    name: CONFIG_KINDS[0]?.name ?? 'scoring',
  };
  for (const p of ['/imports/{id}', '/imports/{id}/rows', '/imports/{id}/rejected']) good[p] = { id: job.body.jobId };
  for (const p of ['/opportunities/{id}']) good[p] = { id: `opp-${leadId}` };
  good['/accounts/{id}'] = { id: `acc-${leadId}` };
  good['/contacts/{id}'] = { id: `con-${leadId}` };
  good['/sources/{id}/secret'] = { id: WEBHOOK_SOURCE };
  for (const p of ['/sources/{id}', '/sources/{id}/retire', '/sources/{id}/versions']) good[p] = { id: WEBHOOK_SOURCE };
  good['/tasks/{taskId}/complete'] = { taskId: `${leadId}.Assigned.0` };
  good['/privacy/erasures/{id}'] = { id: `era_${ulid()}` };
  good['/quotes/{quoteId}/actions/{action}'] = { quoteId: 'Q-2026-000001', action: 'decline' };
  for (const p of ['/opportunities/{id}/quotes']) good[p] = { id: `opp-${leadId}` };
  // The leads are routed and their owners notified (the workflow and the bus write as they go);
  // refusals are counted once that is done and all is quiet.
  await eventually(
    async () => {
      const a = await snapshot();
      await new Promise((r) => setTimeout(r, 1500));
      const b = await snapshot();
      const notified = b.items.filter((i) => i.startsWith('OUTBOX ')).length >= 2;
      return notified && a.items.join() === b.items.join() && a.events === b.events;
    },
    { timeoutMs: 60_000, everyMs: 250 },
  );
}, 120_000);

// ------------------------------------------------------------------------------------------ the suite
describe('every route of openapi.yaml, fuzzed against the local runtime', () => {
  it('answers 404 problem+json for an odd path id on every route with one, and writes nothing', async () => {
    await refusedBatch(() =>
      property(
        fc.tuple(fc.constantFrom(...withParams), fc.nat(), oddSegment),
        async ([op, n, segment]) => {
          const name = op.params[n % op.params.length] as string;
          const request: Sent = {
            op,
            path: pathOf(op, { [name]: segment }),
            ...(op.bodyTypes.length ? { body: '{}', type: 'application/json' } : {}),
          };
          // An id outside its kind's shape is a 404 before anything else. One inside it (`0` is a well-formed
          // source id) is looked up after the body is checked, so an empty body that misses a required field
          // is refused as a 422 first (quotes-api, sources-api): both refusals are right for that request.
          const emptyIsInvalid =
            op.bodySchema !== undefined && (resolve(op.bodySchema as Schema).required?.length ?? 0) > 0;
          const bodyFirst = request.body !== undefined && emptyIsInvalid && fitsShape(op, name, segment);
          checkAnswer(request, await send(request), bodyFirst ? [404, 422] : [404]);
        },
        60,
      ),
    );
  });

  it('answers 401 without a valid token on every signed-in route', async () => {
    await refusedBatch(() =>
      property(
        fc.tuple(fc.constantFrom(...secured), fc.constantFrom('none', 'garbage') as fc.Arbitrary<'none' | 'garbage'>),
        async ([op, auth]) => {
          const request: Sent = {
            op,
            path: pathOf(op),
            auth,
            ...(op.bodyTypes.length ? { body: '{}', type: 'application/json' } : {}),
          };
          checkAnswer(request, await send(request), [401]);
        },
        RUNS.small,
      ),
    );
  });

  it('answers 415 for a body in a media type the route does not take', async () => {
    await refusedBatch(() =>
      property(
        fc.tuple(
          fc.constantFrom(...withJson),
          fc.constantFrom(
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/jsonx',
            'text/json',
          ),
        ),
        async ([op, type]) => {
          const request: Sent = { op, path: pathOf(op), body: '{"a":1}', type };
          checkAnswer(request, await send(request), [415]);
        },
        RUNS.medium,
      ),
    );
  });

  it('answers 400 for malformed JSON and for JSON that is not an object', async () => {
    await refusedBatch(() =>
      property(
        fc.tuple(fc.constantFrom(...withJson), fc.oneof(brokenJson, notAnObject)),
        async ([op, body]) => {
          const request: Sent = { op, path: pathOf(op), body, type: 'application/json' };
          checkAnswer(request, await send(request), [400]);
        },
        40,
      ),
    );
  });

  it('answers 422 naming the field for a lone UTF-16 surrogate in any text, and 413 for a body over the limit', async () => {
    await refusedBatch(async () => {
      await property(
        fc.tuple(fc.constantFrom(...withJson), fc.constantFrom(...LONE), fc.boolean()),
        async ([op, lone, nested]) => {
          const field = Object.keys(resolve((op.bodySchema ?? {}) as Schema).properties ?? {})[0] ?? 'name';
          const body = nested ? `{"${field}":{"inner":["ok","x${lone}"]}}` : `{"${field}":"x${lone}"}`;
          const request: Sent = { op, path: pathOf(op), body, type: 'application/json' };
          const res = await send(request);
          checkAnswer(request, res, [422]);
          expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(
            nested ? `${field}.inner.1` : field,
          );
        },
      );
      for (const op of withJson.slice(0, 6)) {
        const request: Sent = {
          op,
          path: pathOf(op),
          body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }),
          type: 'application/json',
        };
        checkAnswer(request, await send(request), [413]);
      }
    });
  });

  it('answers 4xx for bodies that break their schema: a required field missing, an unknown field, a wrong type', async () => {
    const strict = withJson.filter((op) => op.path !== '/forms/{formId}' && op.bodySchema);
    const mutated = fc.constantFrom(...strict).chain((op) => {
      const schema = resolve(op.bodySchema as Schema);
      const props = Object.keys(schema.properties ?? {});
      const kinds: fc.Arbitrary<[Op, unknown]>[] = [];
      const valid = fromSchema(schema) as fc.Arbitrary<Record<string, unknown>>;
      if ((schema.required ?? []).length)
        kinds.push(
          fc
            .tuple(valid, fc.constantFrom(...(schema.required as string[])))
            .map(([v, k]) => [op, Object.fromEntries(Object.entries(v).filter(([key]) => key !== k))]),
        );
      if (schema.additionalProperties === false) kinds.push(valid.map((v) => [op, { ...v, zzUnknownField: 1 }]));
      const typed = props.filter((p) =>
        ['string', 'integer', 'boolean', 'array'].includes(String(resolve(schema.properties?.[p] as Schema).type)),
      );
      if (typed.length) {
        kinds.push(
          fc.tuple(valid, fc.constantFrom(...typed)).map(([v, k]) => {
            const t = String(resolve(schema.properties?.[k] as Schema).type);
            return [
              op,
              {
                ...v,
                [k]: t === 'string' ? { not: 'a string' } : t === 'array' ? 'not-an-array' : 'not-a-number-or-boolean',
              },
            ];
          }),
        );
      }
      return kinds.length ? fc.oneof(...kinds) : fc.constant<[Op, unknown]>([op, []]);
    });
    await refusedBatch(() =>
      property(
        mutated,
        async ([op, body]) => {
          const request: Sent = { op, path: pathOf(op), body: JSON.stringify(body), type: 'application/json' };
          checkAnswer(request, await send(request), [400, 404, 409, 422]);
        },
        60,
      ),
    );
  });

  it('answers 422 naming cursor for a tampered, foreign or malformed cursor on every paged list', async () => {
    const leadId = goodValue(OPERATIONS[0] as Op, 'id');
    const feedOp = OPERATIONS.find((o) => o.method === 'GET' && o.path === '/leads/{id}/feed') as Op;
    const listOp = OPERATIONS.find((o) => o.method === 'GET' && o.path === '/leads') as Op;
    const feedPage = await send({ op: feedOp, path: pathOf(feedOp), query: { limit: '1' } });
    const feedCursor = (feedPage.body as { cursor?: string }).cursor as string;
    const listPage = await send({ op: listOp, path: '/leads', query: { stage: 'Assigned', limit: '1' } });
    const listCursor = (listPage.body as { cursor?: string }).cursor as string;
    expect(feedCursor, feedPage.text).toBeTruthy();
    expect(listCursor, listPage.text).toBeTruthy();
    const envelope = JSON.parse(Buffer.from(listCursor, 'base64url').toString('utf8')) as Json & { at: Json };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cursors = fc.oneof(
      fc.constantFrom(
        feedCursor,
        listCursor.slice(0, -3),
        `${listCursor}AAAA`,
        encode({ ...envelope, at: { ...envelope.at, gsi2pk: 'STAGE#Converted' } }),
        encode({ ...envelope, at: { ...envelope.at, pk: `LEAD#${'x'.repeat(3000)}` } }),
        encode({ ...envelope, list: 'feed' }),
        encode({ pk: `LEAD#${leadId}`, sk: 'LEAD' }),
        encode({ ...envelope, at: {} }),
        'x'.repeat(5000),
        '!!!',
      ),
      fc.string({ minLength: 1, maxLength: 300 }),
      fc.base64String({ minLength: 4, maxLength: 400 }),
      fc.jsonValue({ maxDepth: 3 }).map(encode),
    );
    const lists = fc.constantFrom<[Op, string, Record<string, string>]>(
      [listOp, '/leads', { stage: 'Assigned' }],
      [listOp, '/leads', { owner: 'me' }],
      [listOp, '/leads', { owner: 'UNASSIGNED', stage: 'Assigned' }],
      [feedOp, pathOf(feedOp), {}],
    );
    await refusedBatch(() =>
      property(
        // The feed's own cursor on the feed is the one pairing that is not foreign: it pages (checked below).
        fc.tuple(lists, cursors).filter(([[op], cursor]) => !(op === feedOp && cursor === feedCursor)),
        async ([[op, path, query], cursor]) => {
          const request: Sent = { op, path, query: { ...query, cursor } };
          const res = await send(request);
          checkAnswer(request, res, [422]);
          expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['cursor']);
        },
        40,
      ),
    );
    // The leads' and the feed's own cursors still page.
    expect(
      (await send({ op: listOp, path: '/leads', query: { stage: 'Assigned', limit: '1', cursor: listCursor } })).status,
    ).toBe(200);
    expect((await send({ op: feedOp, path: pathOf(feedOp), query: { limit: '1', cursor: feedCursor } })).status).toBe(
      200,
    );
  });

  it('answers 422 for report ranges with dates that do not exist, and for unknown groupings', async () => {
    const reports = OPERATIONS.filter((o) => o.path.startsWith('/reports/') && o.path !== '/reports/aging');
    const badDate = fc.oneof(
      fc.constantFrom(
        '2026-02-30',
        '2026-02-29',
        '2025-04-31',
        '2026-13-01',
        '2026-00-10',
        '2026-1-1',
        '20260101',
        'today',
        '',
        '9999-99-99',
      ),
      fc.string({ maxLength: 20 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
    );
    await refusedBatch(() =>
      property(
        fc.tuple(fc.constantFrom(...reports), fc.constantFrom('from', 'to'), badDate),
        async ([op, field, value]) => {
          const request: Sent = { op, path: op.path, query: { [field]: value } };
          const res = await send(request);
          checkAnswer(request, res, [422]);
          expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
        },
        RUNS.medium,
      ),
    );
  });

  it('answers every request generated from the spec (valid or not) without a 5xx, errors as problem+json', async () => {
    const queryOf = (op: Op) => {
      const operation = (spec.paths as Record<string, Record<string, Json>>)[op.path]?.[op.method.toLowerCase()] ?? {};
      const params = ((operation.parameters ?? []) as Schema[]).map(resolve).filter((p) => p.in === 'query');
      const entries = params.map((p) =>
        fc
          .option(fc.oneof(fromSchema((p.schema ?? {}) as Schema).map(String), fc.string({ maxLength: 30 })), {
            nil: undefined,
          })
          .map((v) => [String(p.name), v] as const),
      );
      return fc
        .tuple(...entries)
        .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as Record<string, string>);
    };
    const requests = fc.constantFrom(...OPERATIONS).chain((op) =>
      fc.record({
        op: fc.constant(op),
        query: queryOf(op),
        body: op.bodySchema
          ? fromSchema(op.bodySchema as Schema).map((b) => JSON.stringify(b))
          : fc.constant(undefined),
      }),
    );
    await property(
      requests,
      async ({ op, query, body }) => {
        const request: Sent = {
          op,
          path: pathOf(op),
          query,
          ...(body === undefined ? {} : { body, type: 'application/json' }),
        };
        checkAnswer(request, await send(request));
      },
      80,
    );
  });

  it('reports how many requests it generated', () => {
    console.log(`fuzz-routes: ${generated} generated requests over ${OPERATIONS.length} operations`);
    expect(generated).toBeGreaterThan(300);
  });
});
