import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { fieldIssuesOf, ValidationError } from '../core/errors';
import { listSources } from '../core/source-view';
import type { SourceConfig } from '../core/sources';
import { type RotationDeps, rotateWebhookSecret, type SourceAuditLog } from '../core/webhook-secret-rotation';
import { callerOf, requireGroup } from '../http/auth';
import { jsonBody } from '../http/body';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

/** POST /sources/{id}/secret takes no body, or `{ "dropPrevious": true }` to rotate while the secret before the current one is still accepted. */
const rotateRequestSchema = z.object({ dropPrevious: z.boolean().optional() }).strict();

export type SourcesApiDeps = {
  sources: SourceConfig[];
  audit: SourceAuditLog;
  /** What a rotation needs besides the sources and the audit log. */
  rotation: Omit<RotationDeps, 'sources' | 'audit'>;
  /** Told what could not follow a stored rotation (audit entry, event); never given the secret. */
  onFollowUpFailure?: (failure: { step: string; sourceId: string; rotationId: string; error: unknown }) => void;
};

/**
 * GET /sources: the configured sources for sales ops and managers, without any secret, each webhook
 * source with its last rotation. POST /sources/{id}/secret: sales ops rotate a webhook source's secret;
 * the answer is the only place the new secret ever appears (`cache-control: no-store`).
 */
export const makeSourcesApi = (deps: SourcesApiDeps) =>
  routeBy({
    'GET /sources': async (event: APIGatewayProxyEventV2) => {
      requireGroup(callerOf(event), 'salesops', 'manager');
      const views = listSources(deps.sources);
      const rotations = await deps.audit.lastRotations(views.filter((v) => v.kind === 'webhook').map((v) => v.id));
      const items = views.map((v) => {
        const last = rotations.get(v.id);
        return last ? { ...v, rotation: { at: last.at, by: last.by, previousValidUntil: last.previousValidUntil } } : v;
      });
      return json(200, { items });
    },
    'POST /sources/{id}/secret': async (event: APIGatewayProxyEventV2) => {
      const caller = callerOf(event);
      requireGroup(caller, 'salesops');
      const request = rotateRequestSchema.safeParse(jsonBody(event, { optional: true }));
      if (!request.success) throw new ValidationError(fieldIssuesOf(request.error.issues));
      const { rotation, secret, failures } = await rotateWebhookSecret(
        { ...deps.rotation, sources: deps.sources, audit: deps.audit },
        event.pathParameters?.id ?? '',
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
