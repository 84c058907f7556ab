import { existsSync, readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { z } from 'zod';
import { CONFIG_KINDS } from '../../functions/core/config/kinds';
import { DETAIL_TYPES } from '../../functions/core/events';
import { ATTACHMENT_CONTENT_TYPES, attachmentRequestSchema } from '../../functions/core/feed/attachment-policy';
import { CHANNELS, canonicalLeadSchema, STAGES } from '../../functions/core/lead';
import { ACTIONS } from '../../functions/core/lifecycle/stages-config';
import { preferencesSchema } from '../../functions/core/notifications/preferences';
import { subscriptionRequestSchema } from '../../functions/core/outbound/subscriptions';
import { GROUP_BYS } from '../../functions/core/reports/reports';
import { DEFAULT_SCORING, pointsRuleSchema, scoringConfigSchema } from '../../functions/core/scoring/points-config';
import { googleAdsLeadSchema } from '../../functions/core/source-adapters/google-ads';
import { ROUTES } from '../../functions/routes';

const SPEC_FILE = new URL('../../openapi.yaml', import.meta.url);
const SPEC_ID = 'https://leadflow.dev/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** What the local runtime serves besides ROUTES (local/runtime.ts); described with the tag `local-only`. */
const LOCAL_ROUTES = ['GET /health', 'GET /_local/events', 'GET /_local/dlq', 'GET /_local/outbox', 'POST /_local/token', 'GET /_local/executions/{name}'];
const LOCAL_TAG = 'local-only';

type Json = Record<string, unknown>;
type Parameter = { name?: string; in?: string; $ref?: string };
type Response = { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> };
type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  responses?: Record<string, Response>;
  'x-local-only'?: boolean;
};
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>> & { parameters?: Parameter[] };
type Spec = Json & { security?: unknown[]; paths?: Record<string, PathItem>; components?: Json };

/**
 * Paths only the local runtime serves: `/_local/*` (bus log, outbox, dev tokens) and `/health`
 * (its readiness probe). An operation can also say so itself with the `local-only` tag or `x-local-only: true`.
 */
const isLocalOnly = (path: string, operation: Operation) =>
  path.startsWith('/_local/') || path === '/health' || operation['x-local-only'] === true || (operation.tags ?? []).includes(LOCAL_TAG);

const readText = () => {
  if (!existsSync(SPEC_FILE)) throw new Error(`openapi.yaml is missing: the ${ROUTES.length} routes of functions/routes.ts are described nowhere`);
  return readFileSync(SPEC_FILE, 'utf8');
};
let cached: { text: string; spec: Spec } | undefined;
/** Parsed once per run; a fresh copy each time so no test can change what another reads. */
const readSpec = (): Spec => {
  const text = readText();
  if (cached?.text !== text) cached = { text, spec: parse(text) as Spec };
  return structuredClone(cached.spec);
};

const operationsOf = (spec: Spec) =>
  Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ key: `${method.toUpperCase()} ${path}`, path, item, operation }] : [];
    }),
  );

/** Every `$ref` in the document, with where it sits. */
const refsOf = (node: unknown, at = '#'): { at: string; ref: string }[] => {
  if (Array.isArray(node)) return node.flatMap((v, i) => refsOf(v, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : refsOf(value, `${at}/${key}`),
  );
};

/** Follows a JSON Pointer (`/components/schemas/Lead`) through a document; undefined when it leads nowhere. */
const follow = (document: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .map((token) => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node !== null && typeof node === 'object' ? (node as Json)[token] : undefined), document);

/** Resolves a `$ref` written in openapi.yaml: `#/…` inside it, or `./file.json#/…` next to it. */
const resolveRef = (spec: Spec, ref: string): unknown => {
  const [file = '', fragment = ''] = ref.split('#');
  if (file === '') return follow(spec, fragment);
  const url = new URL(file, SPEC_FILE);
  if (!existsSync(url)) return undefined;
  const document: unknown = /\.ya?ml$/.test(file) ? parse(readFileSync(url, 'utf8')) : JSON.parse(readFileSync(url, 'utf8'));
  return fragment === '' ? document : follow(document, fragment);
};

const deref = <T extends { $ref?: string }>(spec: Spec, value: T): T => (value.$ref ? (resolveRef(spec, value.$ref) as T) : value);

/** The spec with every external file reference replaced by the file, for a validator that reads one document. */
const bundled = (spec: Spec): Spec => {
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) return resolveRef(spec, ref);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  };
  return inline(spec) as Spec;
};

describe('openapi.yaml and ROUTES', () => {
  it('describes every route of ROUTES with the same path and method', () => {
    const described = new Set(operationsOf(readSpec()).map((o) => o.key));
    const missing = ROUTES.map((r) => `${r.method} ${r.path}`).filter((key) => !described.has(key));
    expect(missing).toEqual([]);
  });

  it('describes no deployed operation that ROUTES does not serve', () => {
    const served = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const extra = operationsOf(readSpec())
      .filter((o) => !isLocalOnly(o.path, o.operation) && !served.has(o.key))
      .map((o) => o.key);
    expect(extra).toEqual([]);
  });

  it('marks exactly the public routes as needing no token (security: [])', () => {
    const spec = readSpec();
    const byKey = new Map(operationsOf(spec).map((o) => [o.key, o.operation]));
    const wrong = ROUTES.flatMap((route) => {
      const operation = byKey.get(`${route.method} ${route.path}`);
      if (!operation) return [];
      const security = operation.security ?? spec.security ?? [];
      const open = security.length === 0 || security.some((s) => typeof s === 'object' && s !== null && Object.keys(s).length === 0);
      return open === Boolean(route.public) ? [] : [`${route.method} ${route.path}: ROUTES public=${Boolean(route.public)}, spec ${open ? 'open' : 'requires a token'}`];
    });
    expect(wrong).toEqual([]);
  });

  it('requires the cognitoJwt bearer scheme wherever a token is needed, and defines it', () => {
    const spec = readSpec();
    const schemes = (spec.components?.securitySchemes ?? {}) as Record<string, { type?: string; scheme?: string; bearerFormat?: string }>;
    const named = new Set(
      [spec.security ?? [], ...operationsOf(spec).map((o) => o.operation.security ?? [])].flatMap((list) => list.flatMap((s) => Object.keys(s as Json))),
    );

    expect(spec.security).toEqual([{ cognitoJwt: [] }]);
    expect(schemes.cognitoJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect([...named].filter((name) => !schemes[name])).toEqual([]);
  });

  it('describes the local runtime routes, tagged local-only, and tags nothing else so', () => {
    const operations = operationsOf(readSpec());
    const tagged = operations.filter((o) => (o.operation.tags ?? []).includes(LOCAL_TAG)).map((o) => o.key);
    const served = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));

    expect(LOCAL_ROUTES.filter((key) => !tagged.includes(key))).toEqual([]);
    expect(tagged.filter((key) => served.has(key))).toEqual([]);
  });
});

describe('openapi.yaml is a sound OpenAPI 3.1 document', () => {
  it('gives every operation a unique operationId', () => {
    const operations = operationsOf(readSpec());
    const missing = operations.filter((o) => !o.operation.operationId).map((o) => o.key);
    const ids = operations.flatMap((o) => (o.operation.operationId ? [o.operation.operationId] : []));
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);

    expect(missing).toEqual([]);
    expect(repeated).toEqual([]);
  });

  it('resolves every $ref, inside the spec and in the files it points to', () => {
    const spec = readSpec();
    const dangling = refsOf(spec)
      .filter(({ ref }) => resolveRef(spec, ref) === undefined)
      .map(({ at, ref }) => `${at}: ${ref}`);
    expect(dangling).toEqual([]);
  });

  it('declares each path template parameter as an in: path parameter, and no other', () => {
    const spec = readSpec();
    const wrong = operationsOf(spec).flatMap(({ key, path, item, operation }) => {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
        .map((p) => deref(spec, p))
        .filter((p) => p?.in === 'path')
        .map((p) => p.name)
        .sort();
      return JSON.stringify(inTemplate) === JSON.stringify(declared) ? [] : [`${key}: template ${inTemplate.join(',')} declared ${declared.join(',')}`];
    });
    expect(wrong).toEqual([]);
  });

  it('answers every error of a deployed operation as problem+json, except the authorizer 401', () => {
    const spec = readSpec();
    const wrong = operationsOf(spec)
      .filter((o) => !isLocalOnly(o.path, o.operation))
      .flatMap(({ key, operation }) =>
        Object.entries(operation.responses ?? {}).flatMap(([status, response]) => {
          if (!/^[45]/.test(status) || response.$ref === '#/components/responses/Unauthorized') return [];
          const content = deref(spec, response).content ?? {};
          const schema = content['application/problem+json']?.schema;
          return Object.keys(content).join() === 'application/problem+json' && schema?.$ref === '#/components/schemas/Problem' ? [] : [`${key} ${status}`];
        }),
      );
    expect(wrong).toEqual([]);
  });

  it('has the Problem schema of RFC 9457 with field errors', () => {
    const problem = follow(readSpec(), '/components/schemas/Problem') as Json & { properties: Json };
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail']);
    expect(follow(problem, '/properties/errors/items')).toEqual({ $ref: '#/components/schemas/FieldError' });
    expect(follow(readSpec(), '/components/schemas/FieldError/required')).toEqual(['field', 'reason']);
  });

  it('leaves no key without a value (an unquoted comma in a flow mapping splits a description into one)', () => {
    const nulls = (node: unknown, at = ''): string[] => {
      if (Array.isArray(node)) return node.flatMap((v, i) => nulls(v, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return [];
      return Object.entries(node).flatMap(([k, v]) => (v === null ? [`${at}/${k}`] : nulls(v, `${at}/${k}`)));
    };
    expect(nulls(readSpec())).toEqual([]);
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();

    const result = await validator.validate(bundled(readSpec()));

    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe('3.1');
  });

  it('has examples that match their schemas', () => {
    const spec = bundled(readSpec());
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...spec, $id: SPEC_ID });
    const pointerToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
    const mediaTypes = (node: unknown, at: string): { at: string; media: Json }[] => {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
      const here = 'schema' in node && ('example' in node || 'examples' in node) ? [{ at, media: node as Json }] : [];
      return [...here, ...Object.entries(node).flatMap(([k, v]) => mediaTypes(v, `${at}/${pointerToken(k)}`))];
    };
    const found = mediaTypes(spec.paths, '#/paths').concat(mediaTypes(spec.components, '#/components'));
    const wrong = found.flatMap(({ at, media }) => {
      const validate = ajv.compile({ $ref: `${SPEC_ID}${at}/schema` });
      const named = Object.entries((media.examples ?? {}) as Record<string, { value?: unknown }>).map(([name, e]) => [name, e.value] as const);
      const all = 'example' in media ? [['example', media.example] as const, ...named] : named;
      return all.filter(([, value]) => !validate(value)).map(([name]) => `${at} ${name}: ${ajv.errorsText(validate.errors)}`);
    });

    expect(found.length).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });

  it('shows webhook examples that the capture code accepts, in both payload formats', () => {
    const examples = follow(readSpec(), '/paths/~1webhooks~1{sourceId}/post/requestBody/content/application~1json/examples') as Record<string, { value: unknown }>;

    expect(canonicalLeadSchema.safeParse(examples.canonical?.value).error?.issues ?? []).toEqual([]);
    expect(googleAdsLeadSchema.safeParse(examples.googleAds?.value).error?.issues ?? []).toEqual([]);
  });
});

describe('openapi.yaml and the code it describes', () => {
  const sorted = (values: readonly unknown[] | undefined) => [...(values ?? [])].map(String).sort();

  it('lists the same stages, actions, channels, event types, attachment types, config names and report groupings as the code', () => {
    const spec = readSpec();
    const enumAt = (pointer: string) => sorted(follow(spec, pointer) as unknown[]);

    expect(enumAt('/components/schemas/Stage/enum')).toEqual(sorted(STAGES));
    expect(enumAt('/components/schemas/LeadAction/enum')).toEqual(sorted(ACTIONS));
    expect(enumAt('/components/schemas/Lead/properties/channel/enum')).toEqual(sorted(CHANNELS));
    expect(enumAt('/components/schemas/DetailType/enum')).toEqual(sorted(DETAIL_TYPES));
    expect(enumAt('/components/schemas/AttachmentContentType/enum')).toEqual(sorted(ATTACHMENT_CONTENT_TYPES));
    expect(enumAt('/components/parameters/ConfigName/schema/enum')).toEqual(sorted(CONFIG_KINDS.map((k) => k.name)));
    const groupBy = (follow(spec, '/paths/~1reports~1funnel/get/parameters') as { name?: string; schema?: { enum?: string[] } }[]).find((p) => p.name === 'groupBy');
    expect(sorted(groupBy?.schema?.enum)).toEqual(sorted(GROUP_BYS));
  });

  it.each([
    ['the Google Ads delivery', '/components/schemas/GoogleAdsLeadForm', googleAdsLeadSchema],
    ['notification preferences', '/components/schemas/NotificationPreferences', preferencesSchema],
    ['a new subscription', '/paths/~1config~1subscriptions/post/requestBody/content/application~1json/schema', subscriptionRequestSchema(false)],
    ['a new attachment', '/paths/~1leads~1{id}~1attachments/post/requestBody/content/application~1json/schema', attachmentRequestSchema],
    ['the scoring configuration', '/components/schemas/ScoringConfig', scoringConfigSchema],
  ] as const)('describes %s with the fields and required fields of its zod schema', (_name, pointer, schema) => {
    const described = follow(readSpec(), pointer) as { properties?: Json; required?: string[] };
    const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Json; required?: string[] };

    expect(sorted(Object.keys(described.properties ?? {}))).toEqual(sorted(Object.keys(generated.properties ?? {})));
    expect(sorted(described.required)).toEqual(sorted(generated.required));
  });

  it('describes one points rule per kind of rule the scoring code knows, and accepts its default configuration', () => {
    const spec = bundled(readSpec());
    const described = (follow(spec, '/components/schemas/PointsRule/oneOf') as { properties: { when: { const: string } } }[]).map((r) => r.properties.when.const);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ ...spec, $id: SPEC_ID });
    const validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/ScoringConfig` });

    expect(sorted(described)).toEqual(sorted(pointsRuleSchema.options.map((o) => o.shape.when.value)));
    expect(validate(DEFAULT_SCORING) ? [] : validate.errors).toEqual([]);
  });
});
