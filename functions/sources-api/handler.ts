import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { fieldIssuesOf, ValidationError } from '../core/errors';
import {
  type CatalogDeps,
  type ChangeResult,
  catalogOf,
  createSource,
  retireSource,
  type SourceRecord,
  sourceHistory,
  updateSource,
} from '../core/source-catalog';
import { builtInViews, catalogView, sourceView } from '../core/source-view';
import { type RotationDeps, rotateWebhookSecret, type SourceAuditLog } from '../core/webhook-secret-rotation';
import { callerOf, requireGroup } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

/** POST /sources/{id}/secret takes no body, or `{ "dropPrevious": true }` to rotate while the secret before the current one is still accepted. */
const rotateRequestSchema = z.object({ dropPrevious: z.boolean().optional() }).strict();
/** PUT /sources/{id}: the version read and the whole new configuration, as PUT /config/{name} takes them. */
const updateRequestSchema = z.object({ version: z.number().int().min(0).optional(), value: z.unknown() }).strict();
/** POST /sources/{id}/retire: the version read (or If-Match). */
const retireRequestSchema = z.object({ version: z.number().int().min(0).optional() }).strict();

export type SourcesApiDeps = {
  audit: SourceAuditLog;
  /** The seed and the stored sources, their secrets' creation, the bus and the clock. */
  catalog: CatalogDeps;
  /** What a rotation needs besides the sources and the audit log. */
  rotation: Omit<RotationDeps, 'sources' | 'audit'>;
  /** Told what could not follow a stored change (audit entry, event); never given a secret. */
  onFollowUpFailure?: (failure: { step: string; sourceId: string; rotationId?: string; error: unknown }) => void;
};

/** The version the caller read: the body's `version`, else `If-Match`; a 422 naming `version` when neither. */
/** The version the editor read (body `version`, else If-Match); the catalog refuses a missing one once the source is found. */
const expectedVersion = (event: APIGatewayProxyEventV2, fromBody: number | undefined): number | undefined => {
  const ifMatch = headerOf(event, 'if-match')?.replace(/^W\//, '').replace(/"/g, '').trim();
  return fromBody ?? (ifMatch !== undefined && ifMatch !== '' ? Number(ifMatch) : undefined);
};

const idOf = (event: APIGatewayProxyEventV2) => event.pathParameters?.id ?? '';

/**
 * GET /sources: every source for sales ops and managers, without any secret: the seed
 * (`leadflow.config.json`) with its stored edits, the sources created at run time, the built-ins; each
 * webhook source with its last rotation. POST /sources, PUT /sources/{id}, POST /sources/{id}/retire:
 * sales ops change them, versioned (If-Match) and audited; a new webhook source's first secret is in
 * the 201 answer only (`cache-control: no-store`). POST /sources/{id}/secret: rotation, likewise.
 */
export const makeSourcesApi = (deps: SourcesApiDeps) => {
  const report = (result: ChangeResult) => {
    for (const { step, error } of result.failures)
      deps.onFollowUpFailure?.({ step, sourceId: result.record.id, error });
  };
  const answer = (
    status: number,
    record: SourceRecord,
    origin: 'config' | 'api',
    extra: Record<string, unknown> = {},
  ) =>
    json(
      status,
      {
        ...catalogView({
          config: record.config,
          origin,
          status: record.status,
          version: record.version,
          updatedAt: record.updatedAt,
          updatedBy: record.updatedBy,
        }),
        ...extra,
      },
      { etag: `"${record.version}"`, ...(extra.secret ? { 'cache-control': 'no-store' } : {}) },
    );
  const originOf = (id: string): 'config' | 'api' => (deps.catalog.seed.some((s) => s.id === id) ? 'config' : 'api');
  return routeBy({
    'GET /sources': async (event: APIGatewayProxyEventV2) => {
      requireGroup(callerOf(event), 'salesops', 'manager');
      const catalog = catalogOf(deps.catalog.seed, await deps.catalog.store.list({ consistent: true }));
      const views = catalog.map(catalogView);
      const builtIns = builtInViews(catalog.map((e) => e.config.id));
      const all = [...views, ...builtIns];
      const rotations = await deps.audit.lastRotations(all.filter((v) => v.kind === 'webhook').map((v) => v.id));
      const items = all.map((v) => {
        const last = rotations.get(v.id);
        return last ? { ...v, rotation: { at: last.at, by: last.by, previousValidUntil: last.previousValidUntil } } : v;
      });
      return json(200, { items });
    },
    'POST /sources': async (event: APIGatewayProxyEventV2) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const result = await createSource(deps.catalog, jsonBody(event), caller.userId);
      report(result);
      return answer(201, result.record, 'api', result.secret ? { secret: result.secret } : {});
    },
    'PUT /sources/{id}': async (event: APIGatewayProxyEventV2) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const request = updateRequestSchema.safeParse(jsonBody(event));
      if (!request.success) throw new ValidationError(fieldIssuesOf(request.error.issues));
      const id = idOf(event);
      const expected = expectedVersion(event, request.data.version);
      const result = await updateSource(deps.catalog, id, request.data.value, expected, caller.userId);
      report(result);
      return answer(200, result.record, originOf(id));
    },
    'POST /sources/{id}/retire': async (event: APIGatewayProxyEventV2) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const request = retireRequestSchema.safeParse(jsonBody(event, { optional: true }) ?? {});
      if (!request.success) throw new ValidationError(fieldIssuesOf(request.error.issues));
      const id = idOf(event);
      const result = await retireSource(deps.catalog, id, expectedVersion(event, request.data.version), caller.userId);
      report(result);
      return answer(200, result.record, originOf(id));
    },
    'GET /sources/{id}/versions': async (event: APIGatewayProxyEventV2) => {
      requireGroup(callerOf(event), 'salesops', 'manager');
      const versions = await sourceHistory(deps.catalog, idOf(event));
      return json(200, {
        items: versions.map((v) => ({
          version: v.version,
          status: v.status,
          change: v.change,
          ...(v.updatedAt ? { updatedAt: v.updatedAt } : {}),
          ...(v.updatedBy ? { updatedBy: v.updatedBy } : {}),
          source: sourceView(v.config),
        })),
      });
    },
    'POST /sources/{id}/secret': async (event: APIGatewayProxyEventV2) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const request = rotateRequestSchema.safeParse(jsonBody(event, { optional: true }));
      if (!request.success) throw new ValidationError(fieldIssuesOf(request.error.issues));
      const sources = catalogOf(deps.catalog.seed, await deps.catalog.store.list({ consistent: true }))
        .filter((e) => e.status === 'active')
        .map((e) => e.config);
      const { rotation, secret, failures } = await rotateWebhookSecret(
        { ...deps.rotation, sources, audit: deps.audit },
        idOf(event),
        caller.userId,
        request.data,
      );
      for (const { step, error } of failures)
        deps.onFollowUpFailure?.({ step, sourceId: rotation.sourceId, rotationId: rotation.rotationId, error });
      return json(
        201,
        {
          sourceId: rotation.sourceId,
          secret,
          rotatedAt: rotation.at,
          rotatedBy: rotation.by,
          previousValidUntil: rotation.previousValidUntil,
        },
        { 'cache-control': 'no-store' },
      );
    },
  });
};
