import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ConfigStore } from '../core/config/config-document';
import { modelCards, type ModelStore } from '../core/scoring/training';
import { callerOf } from '../http/auth';
import { json } from '../http/responses';
import { routeBy } from '../http/router';

export type ScoringApiDeps = { models: ModelStore; config: ConfigStore };

/** GET /scoring/model: the model card (version, training size, holdout AUC, calibration, date, features). */
export const makeScoringApi = (deps: ScoringApiDeps) =>
  routeBy({
    'GET /scoring/model': async (event: APIGatewayProxyEventV2) => {
      callerOf(event);
      return json(200, await modelCards(deps));
    },
  });
