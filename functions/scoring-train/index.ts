import { makeDocumentClient, tableName } from '../adapters/aws-clients';
import { makeConfigRepository } from '../adapters/config-repository';
import { makeScoringRepository } from '../adapters/scoring-repository';
import { eventHandler } from '../http/middleware';
import { makeScoringTrainHandler } from './handler';

const db = makeDocumentClient();
const store = makeScoringRepository(db, tableName());
export const handler = eventHandler(makeScoringTrainHandler({ models: store, outcomes: store, config: makeConfigRepository(db, tableName()), clock: { now: () => new Date() } }));
