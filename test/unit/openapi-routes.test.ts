import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { CONFIG_KINDS } from '../../functions/core/config/kinds';
import { DETAIL_TYPES } from '../../functions/core/events';
import { ATTACHMENT_CONTENT_TYPES, attachmentRequestSchema } from '../../functions/core/feed/attachment-policy';
import { CHANNELS, canonicalLeadSchema, STAGES } from '../../functions/core/lead';
import {
  DEFAULT_OPPORTUNITY_STAGES,
  opportunityStagesSchema,
} from '../../functions/core/conversion/opportunity-stages';
import { approvalsConfigSchema, DEFAULT_APPROVALS } from '../../functions/core/lifecycle/approvals-config';
import {
  DEFAULT_ROUTING,
  routingConditionSchema,
  routingConfigSchema,
} from '../../functions/core/lifecycle/routing-config';
import { ACTIONS, DEFAULT_STAGES, stagesConfigSchema } from '../../functions/core/lifecycle/stages-config';
import { DEFAULT_TEAMS, teamsConfigSchema } from '../../functions/core/lifecycle/teams-config';
import { preferencesSchema } from '../../functions/core/notifications/preferences';
import { subscriptionRequestSchema } from '../../functions/core/outbound/subscriptions';
import { GROUP_BYS } from '../../functions/core/reports/reports';
import { DEFAULT_SCORING, pointsRuleSchema, scoringConfigSchema } from '../../functions/core/scoring/points-config';
import { googleAdsLeadSchema } from '../../functions/core/source-adapters/google-ads';
import { ROUTES } from '../../functions/routes';
import {
  bundled,
  deref,
  follow,
  isLocalOnly,
  type Json,
  LOCAL_ROUTES,
  LOCAL_TAG,
  operationsOf,
  readSpec,
  resolveRef,
  SPEC_ID,
} from '../support/openapi';

/** Every `$ref` in the document, with where it sits. */
const refsOf = (node: unknown, at = '#'): { at: string; ref: string }[] => {
  if (Array.isArray(node)) return node.flatMap((v, i) => refsOf(v, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : refsOf(value, `${at}/${key}`),
  );
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
      const open =
        security.length === 0 ||
        security.some((s) => typeof s === 'object' && s !== null && Object.keys(s).length === 0);
      return open === Boolean(route.public)
        ? []
        : [
            `${route.method} ${route.path}: ROUTES public=${Boolean(route.public)}, spec ${open ? 'open' : 'requires a token'}`,
          ];
    });
    expect(wrong).toEqual([]);
  });

  it('requires the cognitoJwt bearer scheme wherever a token is needed, and defines it', () => {
    const spec = readSpec();
    const schemes = (spec.components?.securitySchemes ?? {}) as Record<
      string,
      { type?: string; scheme?: string; bearerFormat?: string }
    >;
    const named = new Set(
      [spec.security ?? [], ...operationsOf(spec).map((o) => o.operation.security ?? [])].flatMap((list) =>
        list.flatMap((s) => Object.keys(s as Json)),
      ),
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
      return JSON.stringify(inTemplate) === JSON.stringify(declared)
        ? []
        : [`${key}: template ${inTemplate.join(',')} declared ${declared.join(',')}`];
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
          return Object.keys(content).join() === 'application/problem+json' &&
            schema?.$ref === '#/components/schemas/Problem'
            ? []
            : [`${key} ${status}`];
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
      const named = Object.entries((media.examples ?? {}) as Record<string, { value?: unknown }>).map(
        ([name, e]) => [name, e.value] as const,
      );
      const all = 'example' in media ? [['example', media.example] as const, ...named] : named;
      return all
        .filter(([, value]) => !validate(value))
        .map(([name]) => `${at} ${name}: ${ajv.errorsText(validate.errors)}`);
    });

    expect(found.length).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });

  it('shows webhook examples that the capture code accepts, in both payload formats', () => {
    const examples = follow(
      readSpec(),
      '/paths/~1webhooks~1{sourceId}/post/requestBody/content/application~1json/examples',
    ) as Record<string, { value: unknown }>;

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
    const groupBy = (
      follow(spec, '/paths/~1reports~1funnel/get/parameters') as { name?: string; schema?: { enum?: string[] } }[]
    ).find((p) => p.name === 'groupBy');
    expect(sorted(groupBy?.schema?.enum)).toEqual(sorted(GROUP_BYS));
  });

  it.each([
    ['the Google Ads delivery', '/components/schemas/GoogleAdsLeadForm', googleAdsLeadSchema],
    ['notification preferences', '/components/schemas/NotificationPreferences', preferencesSchema],
    [
      'a new subscription',
      '/paths/~1config~1subscriptions/post/requestBody/content/application~1json/schema',
      subscriptionRequestSchema(false),
    ],
    [
      'a new attachment',
      '/paths/~1leads~1{id}~1attachments/post/requestBody/content/application~1json/schema',
      attachmentRequestSchema,
    ],
    ['the scoring configuration', '/components/schemas/ScoringConfig', scoringConfigSchema],
    ['the routing configuration', '/components/schemas/RoutingConfig', routingConfigSchema],
    ['a routing condition', '/components/schemas/RoutingCondition', routingConditionSchema],
    ['the teams configuration', '/components/schemas/TeamsConfig', teamsConfigSchema],
    ['the stages configuration', '/components/schemas/StagesConfig', stagesConfigSchema],
    ['the approvals configuration', '/components/schemas/ApprovalsConfig', approvalsConfigSchema],
    ['the opportunity stages configuration', '/components/schemas/OpportunityStagesConfig', opportunityStagesSchema],
  ] as const)('describes %s with the fields and required fields of its zod schema', (_name, pointer, schema) => {
    const described = follow(readSpec(), pointer) as { properties?: Json; required?: string[] };
    const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Json;
      required?: string[];
    };

    expect(sorted(Object.keys(described.properties ?? {}))).toEqual(sorted(Object.keys(generated.properties ?? {})));
    expect(sorted(described.required)).toEqual(sorted(generated.required));
  });

  it('describes one points rule per kind of rule the scoring code knows, and accepts its default configuration', () => {
    const spec = bundled(readSpec());
    const described = (
      follow(spec, '/components/schemas/PointsRule/oneOf') as { properties: { when: { const: string } } }[]
    ).map((r) => r.properties.when.const);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ ...spec, $id: SPEC_ID });
    const validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/ScoringConfig` });

    expect(sorted(described)).toEqual(sorted(pointsRuleSchema.unwrap().options.map((o) => o.shape.when.value)));
    expect(validate(DEFAULT_SCORING) ? [] : validate.errors).toEqual([]);
  });

  it.each([
    ['RoutingConfig', DEFAULT_ROUTING],
    ['TeamsConfig', DEFAULT_TEAMS],
    ['StagesConfig', DEFAULT_STAGES],
    ['ApprovalsConfig', DEFAULT_APPROVALS],
    ['OpportunityStagesConfig', DEFAULT_OPPORTUNITY_STAGES],
  ] as const)('accepts the built-in default as a %s (the type the console edits it with)', (name, value) => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ ...bundled(readSpec()), $id: SPEC_ID });
    const validate = ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` });

    expect(validate(value) ? [] : validate.errors).toEqual([]);
  });
});
