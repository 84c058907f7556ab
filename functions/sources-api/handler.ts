import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { listSources } from '../core/source-view';
import type { SourceConfig } from '../core/sources';
import { callerOf, requireGroup } from '../http/auth';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

export type SourcesApiDeps = { sources: SourceConfig[] };

/** GET /sources: the configured sources for sales ops and managers, without any secret. */
export const makeSourcesApi = (deps: SourcesApiDeps) =>
  routeBy({
    'GET /sources': async (event: APIGatewayProxyEventV2) => {
      requireGroup(callerOf(event), 'salesops', 'manager');
      return json(200, { items: listSources(deps.sources) });
    },
  });
