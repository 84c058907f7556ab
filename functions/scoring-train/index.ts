import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeScoringRepository } from '../adapters/scoring-repository';
import { eventHandler } from '../http/middleware';
import { makeScoringTrainHandler } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('scoringTrain');
const table = env.need('table:read').TABLE_NAME;

const db = makeDocumentClient();
const store = makeScoringRepository(db, table);
export const handler = eventHandler(
  makeScoringTrainHandler({
    models: store,
    outcomes: store,
    config: makeConfigRepository(db, table),
    clock: { now: () => new Date() },
  }),
);
