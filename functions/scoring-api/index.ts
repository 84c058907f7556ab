import { makeDocumentClient } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeScoringRepository } from '../adapters/scoring-repository';
import { httpHandler } from '../http/middleware';
import { makeScoringApi } from './handler';
import { functionEnv } from '../env/function-env';

const env = functionEnv('scoringApi');
const table = env.need('table:read').TABLE_NAME;

const db = makeDocumentClient();
export const handler = httpHandler(
  makeScoringApi({ models: makeScoringRepository(db, table), config: makeConfigRepository(db, table) }),
);
