import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ConfigKind, type ConfigStore, readConfig } from '../core/config/config-document';
import { NotFoundError, ValidationError } from '../core/errors';
import type { Clock } from '../core/ports';
import { callerOf, requireGroup, type Group } from '../http/auth';
import { headerOf, jsonBody } from '../http/body';
import { json } from '../http/responses';

export type ConfigApiDeps = { store: ConfigStore; kinds: readonly ConfigKind[]; clock: Clock };

const kindOf = (deps: ConfigApiDeps, event: APIGatewayProxyEventV2): ConfigKind => {
  const name = event.pathParameters?.name ?? event.rawPath.split('/').pop() ?? '';
  const kind = deps.kinds.find((k) => k.name === name);
  if (!kind) throw new NotFoundError('configuration', name);
  return kind;
};

/**
 * GET/PUT /config/{name}. PUT takes `{ "version": <the version you read>, "value": … }` (or If-Match),
 * validates against the kind's schema and answers the new version; a stale version is a 409.
 */
export const makeConfigApi = (deps: ConfigApiDeps) => async (event: APIGatewayProxyEventV2) => {
  const caller = callerOf(event);
  const kind = kindOf(deps, event);
  if (event.requestContext.http.method === 'GET') {
    const doc = await readConfig(deps.store, kind);
    return json(200, doc, { etag: `"${doc.version}"` });
  }
  requireGroup(caller, ...(kind.editors as Group[]));
  const body = jsonBody(event) as { version?: unknown; value?: unknown };
  const ifMatch = headerOf(event, 'if-match')?.replace(/"/g, '');
  const expected =
    typeof body.version === 'number' ? body.version : ifMatch !== undefined ? Number(ifMatch) : Number.NaN;
  if (!Number.isInteger(expected) || expected < 0) {
    throw new ValidationError([
      { field: 'version', reason: 'send the version you are replacing (0 when none is stored yet)' },
    ]);
  }
  const parsed = kind.schema.safeParse(body.value);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ field: ['value', ...i.path.map(String)].join('.'), reason: i.message })),
    );
  }
  const doc = await deps.store.put(kind.name, parsed.data, expected, caller.userId, deps.clock.now().toISOString());
  return json(200, doc, { etag: `"${doc.version}"` });
};
